"""face checks remember when the phone app opened them: the desktop page says 已扫码

Revision ID: 0004_national
Revises: 0003_national
"""
from shared.migrations import steps

revision = '0004_national'
down_revision = '0003_national'
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.add_face_check_scans()


def downgrade() -> None:
    steps.drop_face_check_scans()
