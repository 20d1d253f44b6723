"""one login table for both portals: login_sessions replaces mem_login_sessions

Logins are short-lived: the old table is dropped (everyone logged in is logged out once).

Revision ID: 0003_mem
Revises: 0002_mem
"""
from alembic import op
import sqlalchemy as sa
import shared.db
from shared.migrations import steps


revision = '0003_mem'
down_revision = '0002_mem'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mem_login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mem_login_sessions_account_id'))
    op.drop_table('mem_login_sessions')
    steps.create_login_sessions()


def downgrade() -> None:
    steps.drop_login_sessions()
    op.create_table('mem_login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('marker', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('logged_in_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_mem_login_sessions_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mem_login_sessions')),
    sa.UniqueConstraint('marker', name=op.f('uq_mem_login_sessions_marker'))
    )
    with op.batch_alter_table('mem_login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mem_login_sessions_account_id'), ['account_id'], unique=False)
