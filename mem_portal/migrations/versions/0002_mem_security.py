"""security: login attempts, SMS code tries, used nonces

Revision ID: 0002_mem
Revises: 0001_mem
"""
from shared.migrations import steps

revision = '0002_mem'
down_revision = '0001_mem'
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.add_security()


def downgrade() -> None:
    steps.drop_security()
