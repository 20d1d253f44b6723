"""initial schema

Revision ID: 0001_mem
Revises: 
"""
from alembic import op
import sqlalchemy as sa
import shared.db
from shared.migrations import steps


revision = '0001_mem'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.create_account_tables()
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    *steps.licence_face_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('certificate_key', name=op.f('uq_certificates_certificate_key')),
    sa.UniqueConstraint('holder_id_number', 'category', 'item', name=op.f('uq_certificates_holder_id_number_category_item')),
    sa.UniqueConstraint('licence_id', name=op.f('uq_certificates_licence_id')),
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_holder_id_number'), ['holder_id_number'], unique=False)

    op.create_table('outbox',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('change_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('certificate_key', sa.String(length=32), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('visible_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('delivered_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox')),
    sa.UniqueConstraint('change_id', name=op.f('uq_outbox_change_id')),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_certificate_key'), ['certificate_key'], unique=False)
        batch_op.create_index('ix_outbox_state_seq', ['state', 'seq'], unique=False)
        batch_op.create_index('ix_outbox_state_visible', ['state', 'visible_at'], unique=False)

    op.create_table('replication_state',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('lease_holder', sa.String(length=64), nullable=True),
    sa.Column('lease_expires_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('checkpoint', sa.Integer(), nullable=False),
    sa.Column('last_run_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('last_run', sa.JSON(), nullable=True),
    sa.Column('tick_requested_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('ticks', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_replication_state')),
    )
    op.create_table('mem_login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('marker', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('logged_in_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_mem_login_sessions_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mem_login_sessions')),
    sa.UniqueConstraint('marker', name=op.f('uq_mem_login_sessions_marker')),
    )
    with op.batch_alter_table('mem_login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mem_login_sessions_account_id'), ['account_id'], unique=False)

    op.create_table('review_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_review_records_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_records')),
    )
    with op.batch_alter_table('review_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_records_certificate_id'), ['certificate_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_records_certificate_id'))

    op.drop_table('review_records')
    with op.batch_alter_table('mem_login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mem_login_sessions_account_id'))

    op.drop_table('mem_login_sessions')
    op.drop_table('replication_state')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_state_visible')
        batch_op.drop_index('ix_outbox_state_seq')
        batch_op.drop_index(batch_op.f('ix_outbox_certificate_key'))

    op.drop_table('outbox')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_holder_id_number'))

    op.drop_table('certificates')
    steps.drop_account_tables()
