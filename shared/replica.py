"""The national portal's side of replication: apply changes idempotently and in order.

Each change carries the whole licence as the ministry held it after the change, and the
licence's `revision`. A change is applied only when its revision is the next one of that
licence; an older revision is `superseded` (so a late issue never resurrects a revoked
licence), a change id already seen is a `duplicate`, and a change whose predecessor is missing
is `rejected` for the replicator to retry. Outcomes: applied, superseded, duplicate, rejected,
held (a change behind a rejected change of the same licence in the same batch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from shared.certificates import DATE_FIELDS, FACE_FIELDS
from shared.clock import Clock
from shared.errors import InvalidInput
from shared.models import AppliedChange, Licence

KINDS = ("issued", "reviewed", "reissued", "renewed", "revoked", "cancelled")
MAX_BATCH = 1000


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


class BadChange(Exception):
    """A change whose content cannot be applied."""


def face_values(licence: dict) -> dict:
    """Turn the wire form of a licence into column values, or raise BadChange."""
    try:
        values = {name: licence[name] for name in FACE_FIELDS}
        for name in DATE_FIELDS:
            values[name] = date.fromisoformat(values[name]) if values[name] else None
    except (KeyError, TypeError, ValueError) as exc:
        raise BadChange(f"licence field {exc} missing or malformed") from None
    return values


def _check_change(change) -> None:
    """Refuse a change without the fields every change has."""
    if not isinstance(change, dict) or not isinstance(change.get("change_id"), str):
        raise InvalidInput("changes", "each change needs a change_id")
    for name, kind in (("seq", int), ("revision", int), ("certificate_key", str),
                       ("payload", dict)):
        if not isinstance(change.get(name), kind):
            raise InvalidInput("changes", f"change {change['change_id']}: {name} is missing")


@dataclass
class _Batch:
    """What one batch knows while it is applied: revisions, change ids seen, rows to write."""

    now: datetime
    stored: dict[str, tuple[int, int]]                      # key -> (id, revision) in the database
    fresh: dict[str, dict] = field(default_factory=dict)    # new licences, inserted in bulk
    changed: dict[str, dict] = field(default_factory=dict)  # stored licences, updated in bulk
    seen: set[str] = field(default_factory=set)
    failed_keys: set[str] = field(default_factory=set)
    log: list[dict] = field(default_factory=list)

    def revision_of(self, key: str) -> int:
        """Return the licence's revision as this batch has it so far (0: unknown)."""
        row = self.fresh.get(key) or self.changed.get(key)
        if row is not None:
            return row["revision"]
        return self.stored[key][1] if key in self.stored else 0


LICENCES = Licence.__table__
UPDATE_LICENCE = (update(LICENCES).where(LICENCES.c.id == bindparam("licence_row_id"))
                  .values({name: bindparam(name) for name in (*FACE_FIELDS, "payload",
                                                                "updated_at")}))


def _load_batch(session: Session, clock: Clock, changes: list) -> _Batch:
    """Read what the database knows of this batch's licences and change ids (two queries)."""
    keys = {c["certificate_key"] for c in changes}
    stored = session.execute(select(Licence.certificate_key, Licence.id, Licence.revision)
                             .where(Licence.certificate_key.in_(keys)))
    batch = _Batch(clock.now(), {key: (row_id, revision) for key, row_id, revision in stored})
    batch.seen.update(session.scalars(select(AppliedChange.change_id).where(
        AppliedChange.change_id.in_([c["change_id"] for c in changes]))))
    return batch


def apply_changes(session: Session, clock: Clock, changes: list) -> list[ChangeOutcome]:
    """Apply a batch of changes in order; commit once; return one outcome per change."""
    if not isinstance(changes, list) or len(changes) > MAX_BATCH:
        raise InvalidInput("changes", f"changes must be a list of at most {MAX_BATCH}")
    for change in changes:
        _check_change(change)
    batch = _load_batch(session, clock, changes)
    outcomes = []
    for change in changes:
        outcome = _apply_one(change, batch)
        if outcome.outcome in ("rejected", "held"):
            batch.failed_keys.add(change["certificate_key"])
        outcomes.append(outcome)
    _write(session, batch)
    session.commit()
    return outcomes


def _write(session: Session, batch: _Batch) -> None:
    """Write the batch with one Core executemany per statement (no ORM unit of work)."""
    connection = session.connection()
    if batch.changed:
        connection.execute(UPDATE_LICENCE, [
            {**values, "licence_row_id": batch.stored[key][0]}
            for key, values in batch.changed.items()])
    if batch.fresh:
        connection.execute(insert(LICENCES), list(batch.fresh.values()))
    if batch.log:
        connection.execute(insert(AppliedChange.__table__), batch.log)


def _apply_one(change: dict, batch: _Batch) -> ChangeOutcome:
    """Decide and apply one change against the licences of this batch."""
    change_id, key, revision = change["change_id"], change["certificate_key"], change["revision"]
    if change_id in batch.seen:
        return ChangeOutcome(change_id, "duplicate")
    if key in batch.failed_keys:
        return ChangeOutcome(change_id, "held", "an earlier change of this licence failed")
    current = batch.revision_of(key)
    if revision <= current:
        _log(batch, change, "superseded")
        return ChangeOutcome(change_id, "superseded")
    if revision != current + 1:
        return ChangeOutcome(change_id, "rejected",
                             f"revision {revision} arrived before revision {current + 1}")
    try:
        values = _values_of(change)
    except BadChange as exc:
        return ChangeOutcome(change_id, "rejected", str(exc))
    values.update(payload=change["payload"], updated_at=batch.now)
    if key in batch.stored:
        batch.changed[key] = values
    elif key in batch.fresh:
        batch.fresh[key].update(values)
    else:
        batch.fresh[key] = {**values, "arrived_at": batch.now}
    _log(batch, change, "applied")
    return ChangeOutcome(change_id, "applied")


def _values_of(change: dict) -> dict:
    """Check a change's kind and licence against its header and return the column values."""
    if change.get("kind") not in KINDS:
        raise BadChange(f"unknown kind {change.get('kind')!r}")
    licence = change["payload"].get("licence")
    if not isinstance(licence, dict):
        raise BadChange("payload has no licence")
    values = face_values(licence)
    if values["certificate_key"] != change["certificate_key"]:
        raise BadChange("licence certificate_key differs from the change's")
    if values["revision"] != change["revision"]:
        raise BadChange("licence revision differs from the change's")
    return values


def _log(batch: _Batch, change: dict, outcome: str) -> None:
    batch.log.append({"change_id": change["change_id"], "seq": change["seq"],
                      "certificate_key": change["certificate_key"],
                      "revision": change["revision"], "outcome": outcome,
                      "applied_at": batch.now})
    batch.seen.add(change["change_id"])


def replicated_licence(session: Session, key: str) -> Licence | None:
    """Return the national copy of a licence by certificate key or licence identifier."""
    return session.scalar(select(Licence).where(
        (Licence.certificate_key == key) | (Licence.licence_id == key)))
