"""Copy a SQLite database's write-ahead log into the database file off the request's path.

SQLite in WAL mode appends each commit to the log, and by default the commit that takes the
log past 1000 pages copies the log into the database file (a checkpoint) before it returns.
An ingest batch of 2500 licences writes some 3000 pages, so every batch paid a checkpoint in
the request that committed it. Here a thread of the engine's own runs a PASSIVE checkpoint
once a connection that committed is back in the pool: the request answers first, and the
next batch is read and parsed while the log is copied (SQLite lets go of the GIL meanwhile).

What a commit promises is unchanged (WAL with `synchronous=NORMAL`, see `shared.db`): a
committed transaction is in the log and survives a crash of the process; the log reaches the
disk at the next checkpoint, which now follows the commit instead of running inside it.
SQLite's own checkpoint stays as a backstop, at `BACKSTOP_PAGES` instead of 1000 pages, so
the log stays bounded if this thread falls behind. A PASSIVE checkpoint never waits for a
reader or a writer; what it cannot copy yet, the next one copies.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from pathlib import Path

from sqlalchemy import Engine, event

BACKSTOP_PAGES = 16384  # 64 MB of 4 KB pages: some five full batches of 5000 licences
IDLE_SECONDS = 30.0  # a thread with nothing to copy for this long ends; a commit starts another
WROTE = "certsim.wal.wrote"  # set on a pooled connection's info by a commit

log = logging.getLogger(__name__)
_OF_ENGINE: weakref.WeakKeyDictionary[Engine, Checkpointer] = weakref.WeakKeyDictionary()


class Checkpointer:
    """The background checkpoints of one SQLite database file (see the module's text)."""

    def __init__(self, path: str):
        self.path = path
        self.changed = threading.Condition()
        self.thread: threading.Thread | None = None
        self.closing = False
        self.asked = 0  # requests so far
        self.answered = 0  # requests a finished checkpoint started after

    def request(self) -> None:
        """Ask for a checkpoint soon; start the thread if none runs."""
        with self.changed:
            self.asked += 1
            self.closing = False
            self.changed.notify_all()
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True,
                                               name=f"checkpoints {self.path}")
                self.thread.start()

    def stop(self) -> None:
        """End the thread (its engine was disposed; a later commit starts another)."""
        with self.changed:
            self.closing = True
            self.changed.notify_all()

    def settle(self, timeout: float) -> bool:
        """Wait until every request made so far was answered (a checkpoint ran after it, or
        the database could not be opened); say whether within `timeout` seconds (tests)."""
        with self.changed:
            asked = self.asked
            return self.changed.wait_for(lambda: self.answered >= asked, timeout)

    def _run(self) -> None:
        try:  # read-write, never create: a database deleted meanwhile stays deleted
            database = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=rw",
                                       uri=True, timeout=0)
        except sqlite3.Error as error:
            log.warning("no background checkpoints for %s: %s", self.path, error)
            self._answer(None)  # nothing will copy what was asked: whoever waits is told now
            return
        try:
            while (asked := self._next_request()) is not None:
                try:
                    database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as error:  # busy, or the file is gone: the next one copies
                    log.debug("checkpoint of %s skipped: %s", self.path, error)
                self._answer(asked)
        finally:
            database.close()

    def _next_request(self) -> int | None:
        """Wait for a request not yet answered and return the count of requests it covers;
        None, with the thread forgotten, once idle or closing (a later request starts one)."""
        with self.changed:
            if self.changed.wait_for(lambda: self.closing or self.asked > self.answered,
                                     IDLE_SECONDS) and not self.closing:
                return self.asked
            self.thread = None
            return None

    def _answer(self, asked: int | None) -> None:
        """Note the requests a finished checkpoint covers (None: every one, and end)."""
        with self.changed:
            self.answered = self.asked if asked is None else asked
            if asked is None:
                self.thread = None
            self.changed.notify_all()


def checkpoint_in_background(engine: Engine, path: str) -> Checkpointer:
    """Give a SQLite file engine its background checkpoints; return its checkpointer."""
    checkpointer = _OF_ENGINE[engine] = Checkpointer(path)

    @event.listens_for(engine, "connect")
    def _backstop(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")

    @event.listens_for(engine, "commit")
    def _wrote(connection) -> None:
        connection.connection.info[WROTE] = True

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        if record is not None and record.info.pop(WROTE, False):
            checkpointer.request()

    @event.listens_for(engine, "engine_disposed")
    def _disposed(_engine) -> None:
        checkpointer.stop()

    return checkpointer


def checkpointer_of(engine: Engine) -> Checkpointer | None:
    """Return an engine's checkpointer (None: its database is not a SQLite file)."""
    return _OF_ENGINE.get(engine)
