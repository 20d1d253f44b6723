"""security: login attempts, SMS code tries, used nonces

Revision ID: 0002_national
Revises: 0001_national
"""
from shared.migrations import steps

revision = '0002_national'
down_revision = '0001_national'
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.add_security()


def downgrade() -> None:
    steps.drop_security()
