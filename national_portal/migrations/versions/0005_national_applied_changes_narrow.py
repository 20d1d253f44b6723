"""the idempotency log loses its certificate_key index: no query reads by it, and every
applied change paid for it

Revision ID: 0005_national
Revises: 0004_national
"""
from alembic import op

revision = '0005_national'
down_revision = '0004_national'
branch_labels = None
depends_on = None
INDEX = 'ix_applied_changes_certificate_key'


def upgrade() -> None:
    op.drop_index(INDEX, table_name='applied_changes')


def downgrade() -> None:
    op.create_index(INDEX, 'applied_changes', ['certificate_key'], unique=False)
