"""Fixtures every layer shares: a frozen simulated clock and database URLs per backend.

Integration tests ask for `db_url_factory`; it is parametrised over SQLite and, when
CERTSIM_TEST_POSTGRES_URL is set, PostgreSQL (each xdist worker gets its own schemas).
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text
from support import openapi_check

from shared.clock import SHANGHAI, SimulatedClock

# Test holders are made up: every portal (and subprocess) of the suite hashes at the cheap cost.
for _portal in ("MEM", "NATIONAL"):
    os.environ.setdefault(f"{_portal}_PASSWORD_COST", "simulation")
# The suite never meets the var/ of a `make run` in this checkout (its databases, clock, secrets).
os.environ["CERTSIM_VAR_DIR"] = tempfile.mkdtemp(prefix="certsim-tests-var-")
POSTGRES_URL = os.environ.get("CERTSIM_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.skipif(
    not POSTGRES_URL, reason="CERTSIM_TEST_POSTGRES_URL is not set")])]


@pytest.fixture
def clock() -> SimulatedClock:
    """A frozen clock at Friday 2024-09-27 17:00 Asia/Shanghai (before National Day)."""
    return SimulatedClock(datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url_factory(backend, tmp_path):
    """Return a function giving a fresh, empty database URL for "mem" or "national"."""

    def make(database: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / (database + '.sqlite3')}"
        # One schema per process and database: parallel workers and runs never meet.
        schema = f"certsim_{os.getpid()}_{database}"
        _postgres_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE', f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in POSTGRES_URL else "?"
        return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"

    return make


def _postgres_admin(*statements: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SET lock_timeout = '10s'"))
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schemas_at_the_end():
    """Leave no test schemas behind in the PostgreSQL database."""
    yield
    if POSTGRES_URL:
        for database in ("mem", "national"):
            try:
                _postgres_admin(f'DROP SCHEMA IF EXISTS "certsim_{os.getpid()}_{database}" CASCADE')
            except Exception as exc:  # noqa: BLE001  (cleanup must not fail the run)
                print(f"could not drop a test schema: {exc}")



def pytest_configure(config):
    """Check every /api/v1 and /_sim answer a test client gets against the OpenAPI document."""
    openapi_check.install()
