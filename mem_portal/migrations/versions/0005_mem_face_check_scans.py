"""face checks remember when the phone app opened them: the desktop page says 已扫码

Revision ID: 0005_mem
Revises: 0004_mem
"""
from shared.migrations import steps

revision = '0005_mem'
down_revision = '0004_mem'
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.add_face_check_scans()


def downgrade() -> None:
    steps.drop_face_check_scans()
