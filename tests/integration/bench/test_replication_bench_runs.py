"""The replication benchmark still runs, at toy sizes: the rows `make bench` writes keep their
names and their figures are figures (no timings are judged here)."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from bench import replication


def test_the_replication_bench_replicates_every_licence_and_reports_two_rows(tmp_path):
    speed, memory = replication.measure(tmp_path, 300)
    assert speed["name"].startswith("replication end to end, 300 licences")
    assert speed["value"] > 0 and speed["baseline_value"] > 0 and "took" in speed["goal"]
    assert memory["name"].startswith("replication peak memory") and memory["value"] > 0


def test_the_source_database_is_left_with_its_log_copied_in_as_a_stopped_portal_leaves_it(
        tmp_path):
    replication.load_source(tmp_path / "mem.db", 300)
    log = tmp_path / "mem.db-wal"
    assert not log.exists() or log.stat().st_size == 0  # else the portals would read through it
    with sqlite3.connect(tmp_path / "mem.db") as db:
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (300,)
    db.close()


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("CERTSIM_TEST_POSTGRES_URL"),
                    reason="CERTSIM_TEST_POSTGRES_URL is not set")
def test_the_postgresql_row_replicates_on_the_local_server_and_leaves_no_schema(tmp_path):
    row = replication.measure_postgres(tmp_path, 300)
    assert row["name"].startswith("replication end to end on PostgreSQL, 300 licences")
    assert row["value"] > 0 and row["baseline_value"] > 0
    engine = create_engine(os.environ["CERTSIM_TEST_POSTGRES_URL"])
    with engine.connect() as connection:
        left = connection.scalars(text("SELECT schema_name FROM information_schema.schemata "
                                       "WHERE schema_name LIKE 'certsim_bench_%'")).all()
    engine.dispose()
    assert left == []
