"""Alembic history of the mem database."""

from pathlib import Path

from shared.migrations import upgrade as _upgrade

HERE = Path(__file__).resolve().parent


def upgrade(url: str) -> None:
    """Migrate the mem database at `url` to the newest schema."""
    _upgrade(HERE, url)
