"""licence bindings name their licence row: licence_id becomes licence_row_id

(`licence_id` means the 证照标识 everywhere else.) The column is renamed, its rows kept.

Revision ID: 0003_national
Revises: 0002_national
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_national'
down_revision = '0002_national'
branch_labels = None
depends_on = None
OPEN = sa.text('unbound_at IS NULL')


def _rename(old: str, new: str) -> None:
    with op.batch_alter_table('licence_bindings', schema=None) as batch_op:
        batch_op.drop_index('uq_licence_bindings_open', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_index(f'ix_licence_bindings_{old}')
        batch_op.drop_constraint(f'fk_licence_bindings_{old}_licences', type_='foreignkey')
        batch_op.alter_column(old, new_column_name=new, existing_type=sa.Integer(),
                              existing_nullable=False)
    with op.batch_alter_table('licence_bindings', schema=None) as batch_op:
        batch_op.create_foreign_key(f'fk_licence_bindings_{new}_licences', 'licences', [new],
                                    ['id'])
        batch_op.create_index(f'ix_licence_bindings_{new}', [new], unique=False)
        batch_op.create_index('uq_licence_bindings_open', ['account_id', new], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)


def upgrade() -> None:
    _rename('licence_id', 'licence_row_id')


def downgrade() -> None:
    _rename('licence_row_id', 'licence_id')
