"""a lease handover request: a snapshot asks the replicator to give up the lease after its run

Revision ID: 0004_mem
Revises: 0003_mem
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_mem'
down_revision = '0003_mem'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('replication_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handover_to', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('replication_state', schema=None) as batch_op:
        batch_op.drop_column('handover_to')
