"""Run Alembic programmatically; each portal keeps its own history under `<portal>/migrations`.

Alembic is imported when a database is migrated, not with this module: a scenario replay builds
its in-memory schema from the models and never pays its import (~0.15 s with Mako).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(script_location: str | Path, url: str) -> Config:
    """Return the Alembic config of the history at `script_location`, for the database at `url`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(script_location: str | Path, url: str) -> None:
    """Bring one database to the newest schema (creating the SQLite file if needed)."""
    from alembic import command

    from shared.db import make_engine

    make_engine(url).dispose()  # creates the parent folder of a SQLite file
    command.upgrade(alembic_config(script_location, url), "head")
