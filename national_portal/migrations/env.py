"""Alembic environment of the national database (the shared body lives in shared.migrations)."""

from national_portal.models import TABLES
from shared.migrations.environment import run_migrations_online

run_migrations_online("national", TABLES)
