"""Alembic environment of the national database (the shared body lives in shared.migrations)."""

import national_portal.models  # noqa: F401  (registers every table of this database)
from shared.migrations.environment import run_migrations_online

run_migrations_online()
