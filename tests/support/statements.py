"""What a block of code sends to a database, for the tests that hold a call to its statement
count (counted, never timed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextmanager
def sql_sent(engine) -> Iterator[list[str]]:
    """Collect the SQL of every statement `engine` runs while the block runs."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


@contextmanager
def orm_flushes() -> Iterator[list[Session]]:
    """Collect the session of every ORM flush (any engine) while the block runs."""
    flushed: list[Session] = []

    def note(session, *_):
        flushed.append(session)

    event.listen(Session, "before_flush", note)
    try:
        yield flushed
    finally:
        event.remove(Session, "before_flush", note)
