"""What a block of code sends to a database, for the tests that hold a call to its statement
count (counted, never timed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session


def sql_sent(engine) -> AbstractContextManager[list[str]]:
    """Collect the SQL of every statement `engine` runs while the block runs."""
    return _collected(engine, "before_cursor_execute", lambda _conn, _cursor, sql, *_: sql)


def orm_flushes() -> AbstractContextManager[list[Session]]:
    """Collect the session of every ORM flush (any engine) while the block runs."""
    return _collected(Session, "before_flush", lambda session, *_: session)


@contextmanager
def _collected(target, name: str, pick: Callable) -> Iterator[list]:
    """Listen to `name` on `target` while the block runs, keeping `pick(*arguments)` of each."""
    found: list = []

    def note(*arguments):
        found.append(pick(*arguments))

    event.listen(target, name, note)
    try:
        yield found
    finally:
        event.remove(target, name, note)
