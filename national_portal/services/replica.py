"""The national portal's side of replication: apply changes idempotently and in order.

Each change carries the whole licence as the ministry held it after the change, and the
licence's `revision`. A change is applied only when its revision is the next one of that
licence; an older revision is `superseded` (so a late issue never resurrects a revoked
licence), a change id already seen is a `duplicate`, and a change whose predecessor is missing
is `rejected` for the replicator to retry. Outcomes: applied, superseded, duplicate, rejected,
held (a change behind a rejected change of the same licence in the same batch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import orjson
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, undefer

from national_portal.models import AppliedChange, Licence
from national_portal.services.changes import FACE_INDEX, check_change
from national_portal.services.incoming import Incoming, read_body, read_change
from shared.certificates import DATE_FIELDS, FACE_FIELDS, licence_snapshot
from shared.clock import Clock
from shared.errors import InvalidInput
from shared.wire import Outcome

MAX_BATCH = 5000  # ~1 KB of JSON per change on the wire: a full batch is ~5 MB


@dataclass(frozen=True)
class ChangeOutcome:
    change_id: str
    outcome: str
    error: str | None = None

    def to_json(self) -> dict:
        """Return the outcome as the ingest answer carries it."""
        answer = {"change_id": self.change_id, "outcome": self.outcome}
        if self.error is not None:
            answer["error"] = self.error
        return answer


@dataclass
class _Batch:
    """What one batch knows while it is applied: revisions, change ids seen, rows to write."""

    now: datetime
    stored: dict[str, tuple[int, int]]  # key -> (id, revision) in the database
    # key -> (face values in FACE_FIELDS order, payload text): new licences inserted in bulk,
    # stored ones updated in bulk
    fresh: dict[str, tuple[tuple, str]] = field(default_factory=dict)
    changed: dict[str, tuple[tuple, str]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    failed_keys: set[str] = field(default_factory=set)
    log: list[tuple] = field(default_factory=list)  # APPLIED_COLUMNS but applied_at

    def revision_of(self, key: str) -> int:
        """Return the licence's revision as this batch has it so far (0: unknown)."""
        row = self.fresh.get(key) or self.changed.get(key)
        if row is not None:
            return row[0][REVISION]
        return self.stored[key][1] if key in self.stored else 0


LICENCES = Licence.__table__
LICENCE_COLUMNS = (*FACE_FIELDS, "payload", "updated_at")
APPLIED_COLUMNS = ("change_id", "seq", "certificate_key", "revision", "outcome", "applied_at")
MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # a positional parameter per driver
REVISION = FACE_INDEX["revision"]
SAMPLE_DAY = date(2024, 1, 2)


def licence_of(row: Licence) -> dict:
    """Return the licence a row holds as the change carried it: its face fields read from the
    columns as the ministry writes them (`licence_snapshot`) and the rest its payload keeps
    (review records). A row written before the face fields left the payload holds them there
    too, with the same values."""
    return {**licence_snapshot(row), **row.payload["licence"]}


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


@lru_cache(maxsize=8)
def _encoders(dialect) -> tuple[tuple, Callable]:
    """Return this dialect's encoders: (index, encoder) per face field that needs one, and
    the encoder of an instant.

    They are the columns' own bind processors, taken once instead of run by SQLAlchemy for
    every value, except the payload's (`incoming.stored_payload`, serialised with orjson). Days
    arrive as checked ISO text (either reader in `incoming`): a dialect that stores days as that
    text (SQLite, checked on a sample) takes them as they are; another gets dates.
    """
    def processor(name: str):
        return LICENCES.c[name].type.dialect_impl(dialect).bind_processor(dialect)

    columns = []
    for name in DATE_FIELDS:
        encode = processor(name)
        if encode is None:
            columns.append((FACE_INDEX[name], _day))
        elif encode(SAMPLE_DAY) != SAMPLE_DAY.isoformat():
            columns.append((FACE_INDEX[name], lambda value, encode=encode: encode(_day(value))))
    return tuple(columns), processor("updated_at") or (lambda value: value)


@lru_cache(maxsize=8)
def _statements(dialect) -> tuple[str, str, str]:
    """Return the driver SQL, with positional parameters in the order of LICENCE_COLUMNS
    (then the row id, or arrived_at) and APPLIED_COLUMNS, of the licence update and both
    inserts: a driver binds a tuple faster than it looks up a dict's names."""
    mark, quote = MARKS[dialect.paramstyle], dialect.identifier_preparer.quote

    def insert_sql(table: str, names: tuple) -> str:
        return (f"INSERT INTO {quote(table)} ({', '.join(map(quote, names))}) "
                f"VALUES ({', '.join(mark for _ in names)})")

    assignments = ", ".join(f"{quote(name)} = {mark}" for name in LICENCE_COLUMNS)
    return (f"UPDATE {quote(LICENCES.name)} SET {assignments} WHERE {quote('id')} = {mark}",
            insert_sql(LICENCES.name, (*LICENCE_COLUMNS, "arrived_at")),
            insert_sql(AppliedChange.__tablename__, APPLIED_COLUMNS))


def _row(entry: tuple[tuple, str], columns: tuple, *extra) -> tuple:
    """Return a licence's column values encoded for the driver, then `extra` (encoded)."""
    values, stored = entry
    if columns:
        values = list(values)
        for index, encode in columns:
            values[index] = encode(values[index])
    return (*values, stored, *extra)


def _load_batch(session: Session, clock: Clock, changes: list[Incoming]) -> _Batch:
    """Read what the database knows of this batch's licences and change ids (two queries).

    Driver SQL with one positional parameter per value: SQLAlchemy's expanding IN named and
    bound each of the batch's thousands of values once more per call.
    """
    batch = _Batch(clock.now(), {})
    if not changes:
        return batch
    connection = session.connection()
    stored_sql, seen_sql = _lookups(connection.dialect)
    keys = tuple({c.certificate_key for c in changes})
    batch.stored = {key: (row_id, revision) for key, row_id, revision in
                    connection.exec_driver_sql(stored_sql.format(_marks(connection, keys)), keys)}
    ids = tuple(c.change_id for c in changes)
    batch.seen.update(change_id for (change_id,) in
                      connection.exec_driver_sql(seen_sql.format(_marks(connection, ids)), ids))
    return batch


@lru_cache(maxsize=8)
def _lookups(dialect) -> tuple[str, str]:
    """Return the driver SQL of both lookups, `{}` standing for the list of parameters."""
    quote = dialect.identifier_preparer.quote
    return (f"SELECT {quote('certificate_key')}, {quote('id')}, {quote('revision')} FROM "
            f"{quote(LICENCES.name)} WHERE {quote('certificate_key')} IN ({{}})",
            f"SELECT {quote('change_id')} FROM {quote(AppliedChange.__tablename__)} "
            f"WHERE {quote('change_id')} IN ({{}})")


def _marks(connection, values: tuple) -> str:
    return ", ".join([MARKS[connection.dialect.paramstyle]] * len(values))


def apply_body(session: Session, clock: Clock, body: bytes) -> list[ChangeOutcome]:
    """Apply a batch as the ingest receives it (JSON bytes); see `apply_changes`."""
    changes = read_body(body)
    if changes is not None:
        return _apply(session, clock, _bounded(changes))
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise InvalidInput("body", "a JSON object is expected")
    return apply_changes(session, clock, data.get("changes"))


def apply_changes(session: Session, clock: Clock, changes: list) -> list[ChangeOutcome]:
    """Apply a batch of changes (dicts) in order; commit once; return one outcome per change."""
    for change in _bounded(changes):
        check_change(change)
    return _apply(session, clock, [read_change(change) for change in changes])


def _bounded(changes):
    if not isinstance(changes, list) or len(changes) > MAX_BATCH:
        raise InvalidInput("changes", f"changes must be a list of at most {MAX_BATCH}")
    return changes


def _apply(session: Session, clock: Clock, changes: list[Incoming]) -> list[ChangeOutcome]:
    batch = _load_batch(session, clock, changes)
    outcomes = []
    for change in changes:
        outcome = _apply_one(change, batch)
        if outcome.outcome in (Outcome.REJECTED, Outcome.HELD):
            batch.failed_keys.add(change.certificate_key)
        outcomes.append(outcome)
    _write(session, batch)
    session.commit()
    return outcomes


def _write(session: Session, batch: _Batch) -> None:
    """Write the batch: one driver executemany per statement, each value encoded once.

    The ORM's unit of work and SQLAlchemy's per-row parameter processing cost more than the
    apply itself; the statements name their parameters and every value is already encoded.
    """
    connection = session.connection()
    columns, instant = _encoders(connection.dialect)
    update_licence, insert_licence, insert_applied = _statements(connection.dialect)
    now = instant(batch.now)
    if batch.changed:
        connection.exec_driver_sql(update_licence, [
            _row(entry, columns, now, batch.stored[key][0])
            for key, entry in batch.changed.items()])
    if batch.fresh:
        connection.exec_driver_sql(insert_licence, [
            _row(entry, columns, now, now) for entry in batch.fresh.values()])
    if batch.log:
        connection.exec_driver_sql(insert_applied, [(*entry, now) for entry in batch.log])


def _apply_one(change: Incoming, batch: _Batch) -> ChangeOutcome:
    """Decide and apply one change against the licences of this batch."""
    change_id, key, revision = change.change_id, change.certificate_key, change.revision
    if change_id in batch.seen:
        return ChangeOutcome(change_id, Outcome.DUPLICATE)
    if key in batch.failed_keys:
        return ChangeOutcome(change_id, Outcome.HELD, "an earlier change of this licence failed")
    current = batch.revision_of(key)
    if revision <= current:
        _log(batch, change, Outcome.SUPERSEDED)
        return ChangeOutcome(change_id, Outcome.SUPERSEDED)
    if revision != current + 1:
        return ChangeOutcome(change_id, Outcome.REJECTED,
                             f"revision {revision} arrived before revision {current + 1}")
    if change.problem is not None:
        return ChangeOutcome(change_id, Outcome.REJECTED, change.problem)
    if key in batch.stored:
        batch.changed[key] = (change.values, change.stored)
    else:
        batch.fresh[key] = (change.values, change.stored)  # a later change replaces every value
    _log(batch, change, Outcome.APPLIED)
    return ChangeOutcome(change_id, Outcome.APPLIED)


def _log(batch: _Batch, change: Incoming, outcome: str) -> None:
    batch.log.append((change.change_id, change.seq, change.certificate_key, change.revision,
                      outcome))
    batch.seen.add(change.change_id)


_KEY = bindparam("key")
# Built once, with the (deferred) payload it is read for: one statement instead of a select
# built on every call and a second one loading the payload.
BY_KEY = select(Licence).options(undefer(Licence.payload)).where(
    (Licence.certificate_key == _KEY) | (Licence.licence_id == _KEY))


def replicated_licence(session: Session, key: str) -> Licence | None:
    """Return the national copy of a licence (its payload loaded) by certificate key or
    licence identifier."""
    return session.scalar(BY_KEY, {"key": key})
