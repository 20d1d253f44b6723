"""The ministry's schema on a fresh database (SQLite, or PostgreSQL when configured)."""

import pytest

from mem_portal.models import TABLES as MEM_TABLES
from shared.db import create_schema, make_engine


@pytest.fixture
def mem_engine(db_url_factory):
    engine = make_engine(db_url_factory("mem"))
    create_schema(engine, MEM_TABLES)
    yield engine
    engine.dispose()
