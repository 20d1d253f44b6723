"""Database plumbing shared by both portals: base class, column types, engines, sessions.

Both databases' tables share one `Base`; each portal's `models.py` lists the tables its own
database holds (`TABLES`), which `create_schema` and its Alembic history use.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from shared.wal import checkpoint_in_background

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AwareDateTime(TypeDecorator):
    """Store instants in UTC; always hand back aware datetimes (SQLite forgets the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused: {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: AwareDateTime(), dict: JSON(), list: JSON()}


Str16 = Annotated[str, mapped_column(String(16))]
Str32 = Annotated[str, mapped_column(String(32))]
Str64 = Annotated[str, mapped_column(String(64))]


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if engine.url.database not in (None, "", ":memory:"):  # a file: checkpoints off the commit
            checkpoint_in_background(engine, engine.url.database)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: big indexes stay in memory
    cursor.close()


def create_schema(engine: Engine, tables: Sequence[Table]) -> None:
    """Create a database's tables directly (tests, replay); `make run` uses Alembic."""
    Base.metadata.create_all(engine, tables=list(tables))


def count_rows(session: Session, tables: Sequence[Table]) -> dict[str, int]:
    """Count the rows of each table."""
    return {table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in tables}


FUTURE_INSTANTS = {"visible_at", "expires_at", "locked_until", "lease_expires_at"}


def latest_instant(session: Session, tables: Sequence[Table]) -> datetime | None:
    """Return the latest instant anything in the tables was written at (None: nothing).

    Columns that name a moment still to come (when a change becomes visible, a code expires, a
    lock ends) are not writes.
    """
    found = [session.scalar(select(func.max(column)))
             for table in tables for column in table.columns
             if isinstance(column.type, AwareDateTime) and column.name not in FUTURE_INSTANTS]
    return max((moment for moment in found if moment is not None), default=None)


def empty_tables(session: Session, tables: Sequence[Table], *, commit: bool = True) -> None:
    """Delete every row of the tables, children first, in one transaction.

    Each DELETE, written once for the dialect, goes on the DBAPI cursor of the session's own
    transaction: a scenario empties both portals before it starts, and each statement cost
    ~45 µs through the engine (exec_driver_sql) for a few µs of SQLite's work.
    """
    session.flush()  # what the session holds goes first, as session.execute would send it
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        for statement in _deletes(connection.dialect, tuple(tables)):
            cursor.execute(statement)
    finally:
        cursor.close()
    if commit:
        session.commit()


_DELETES: dict[tuple[str, tuple[Table, ...]], tuple[str, ...]] = {}


def _deletes(dialect: Dialect, tables: tuple[Table, ...]) -> tuple[str, ...]:
    """`DELETE FROM` each of the tables, children first, quoted for the dialect (kept per
    dialect name: every engine has a dialect object of its own)."""
    key = (dialect.name, tables)
    if (statements := _DELETES.get(key)) is None:
        quote = dialect.identifier_preparer.format_table
        statements = _DELETES[key] = tuple(
            f"DELETE FROM {quote(table)}" for table in reversed(Base.metadata.sorted_tables)
            if table in tables)
    return statements


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Open a session and always close it; services decide when to commit."""
    session = factory()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
