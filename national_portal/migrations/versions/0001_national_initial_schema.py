"""initial schema

Revision ID: 0001_national
Revises: 
"""
from alembic import op
import sqlalchemy as sa
import shared.db
from shared.migrations import steps


revision = '0001_national'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.create_account_tables()
    steps.create_login_sessions()
    op.create_table('applied_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('certificate_key', sa.String(length=32), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('applied_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applied_changes')),
    sa.UniqueConstraint('change_id', name=op.f('uq_applied_changes_change_id')),
    )
    with op.batch_alter_table('applied_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applied_changes_certificate_key'), ['certificate_key'], unique=False)

    op.create_table('licences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('arrived_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    *steps.licence_face_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licences')),
    sa.UniqueConstraint('certificate_key', name=op.f('uq_licences_certificate_key')),
    sa.UniqueConstraint('licence_id', name=op.f('uq_licences_licence_id')),
    )
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licences_holder_id_number'), ['holder_id_number'], unique=False)

    op.create_table('licence_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('face_check_id', sa.Integer(), nullable=True),
    sa.Column('bound_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('unbound_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_licence_bindings_account_id_accounts')),
    sa.ForeignKeyConstraint(['face_check_id'], ['face_checks.id'], name=op.f('fk_licence_bindings_face_check_id_face_checks')),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_licence_bindings_licence_id_licences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_bindings')),
    )
    with op.batch_alter_table('licence_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_bindings_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_bindings_licence_id'), ['licence_id'], unique=False)
        batch_op.create_index('uq_licence_bindings_open', ['account_id', 'licence_id'], unique=True, sqlite_where=sa.text('unbound_at IS NULL'), postgresql_where=sa.text('unbound_at IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('licence_bindings', schema=None) as batch_op:
        batch_op.drop_index('uq_licence_bindings_open', sqlite_where=sa.text('unbound_at IS NULL'), postgresql_where=sa.text('unbound_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_licence_bindings_licence_id'))
        batch_op.drop_index(batch_op.f('ix_licence_bindings_account_id'))

    op.drop_table('licence_bindings')
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licences_holder_id_number'))

    op.drop_table('licences')
    with op.batch_alter_table('applied_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applied_changes_certificate_key'))

    op.drop_table('applied_changes')
    steps.drop_login_sessions()
    steps.drop_account_tables()
