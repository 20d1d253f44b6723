"""A SQLite file engine copies its write-ahead log into the database file in a thread of its
own after a commit, not inside the commit (shared.wal)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from shared import wal
from shared.db import make_engine

ROWS, ROW_BYTES = 3000, 4000  # ~12 MB in one transaction: well past SQLite's 1000 pages
WAIT = 30  # seconds a test waits for the thread at most (it takes milliseconds)


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "wal.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)"))
    assert wal.checkpointer_of(engine).settle(WAIT)  # the table's checkpoint is behind us
    yield engine, path
    engine.dispose()


def write_a_large_batch(engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO t (body) VALUES (:body)"),
                           [{"body": os.urandom(ROW_BYTES)} for _ in range(ROWS)])
        connection.commit()


def test_a_large_commit_returns_without_copying_its_log_into_the_database_file(
        database, monkeypatch):
    engine, path = database
    asked = []
    monkeypatch.setattr(wal.Checkpointer, "request", lambda self: asked.append(self.path))
    write_a_large_batch(engine)
    assert asked == [str(path)]  # once, when the committing connection went back to the pool
    assert path.stat().st_size < 1_000_000  # the rows are still only in the log
    assert os.path.getsize(f"{path}-wal") > ROWS * ROW_BYTES


def test_the_engines_thread_copies_the_log_once_the_connection_is_back_in_the_pool(database):
    engine, path = database
    write_a_large_batch(engine)
    assert wal.checkpointer_of(engine).settle(WAIT)
    assert path.stat().st_size > ROWS * ROW_BYTES
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == ROWS


def test_reading_asks_for_no_checkpoint(database, monkeypatch):
    engine, _ = database
    asked = []
    monkeypatch.setattr(wal.Checkpointer, "request", lambda self: asked.append(self.path))
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM t")).scalar()
    assert asked == []


def test_sqlites_own_checkpoint_stays_as_a_backstop_at_a_higher_mark(database):
    engine, _ = database
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == \
            wal.BACKSTOP_PAGES


def test_disposing_the_engine_ends_its_thread_and_a_later_commit_starts_another(database):
    engine, _ = database
    checkpointer = wal.checkpointer_of(engine)
    write_a_large_batch(engine)
    thread = checkpointer.thread
    assert thread is not None
    engine.dispose()
    thread.join(WAIT)
    assert not thread.is_alive()
    write_a_large_batch(engine)
    assert checkpointer.settle(WAIT)


def test_the_thread_never_creates_a_database_that_was_deleted(database):
    engine, path = database
    checkpointer = wal.checkpointer_of(engine)
    thread = checkpointer.thread
    engine.dispose()
    thread.join(WAIT)
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    checkpointer.request()
    assert checkpointer.settle(WAIT)
    assert not path.exists()


def test_an_in_memory_database_has_no_checkpointer():
    assert wal.checkpointer_of(make_engine("sqlite://")) is None
    assert wal.checkpointer_of(make_engine("sqlite:///:memory:")) is None
