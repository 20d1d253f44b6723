"""Alembic environment of the ministry's database (the shared body lives in shared.migrations)."""

from mem_portal.models import TABLES
from shared.migrations.environment import run_migrations_online

run_migrations_online("mem", TABLES)
