"""The ministry's side of replication: the change feed, acknowledgements, lease and figures.

The feed hands out pending outbox rows in sequence order whose `visible_at` has come, and never
a change of a licence while an earlier change of that licence is still waiting (held for manual
release, not yet due, or blocked): per-licence order holds whatever the lag of each change.
Acknowledged rows become `delivered`; the checkpoint is the highest `seq` below which every
row is delivered, so a replicator that restarts reads from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import (
    Row,
    String,
    Text,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    null,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.clock import Clock, wall_now
from shared.errors import InvalidInput
from shared.explain import explain_change
from shared.models import OutboxEntry, OutboxState, ReplicationState
from shared.workdays import WorkingCalendar

STATE = "national"
_OUTBOX = OutboxEntry.__table__  # Core statements: an ORM one is copied on every execution
MAX_LIMIT = 5000
MAX_SEQ = 2**63 - 1  # what a database integer column holds
OPEN = (OutboxState.PENDING, OutboxState.BLOCKED)


def change_json(entry: OutboxEntry | Row) -> dict:
    """Return one outbox row as the replication wire carries it."""
    return {
        "seq": entry.seq, "change_id": entry.change_id, "kind": entry.kind,
        "certificate_key": entry.certificate_key, "revision": entry.revision,
        "created_at": entry.created_at.isoformat(),
        "visible_at": entry.visible_at.isoformat() if entry.visible_at else None,
        "payload": entry.payload,
    }


def _waiting_before(until: datetime):
    """An earlier open change of the same licence that cannot go yet blocks this one."""
    earlier = _OUTBOX.alias("earlier").c
    return exists().where(
        earlier.certificate_key == _OUTBOX.c.certificate_key,
        earlier.seq < _OUTBOX.c.seq,
        earlier.state.in_(OPEN),
        or_(earlier.state == OutboxState.BLOCKED, earlier.visible_at.is_(None),
            earlier.visible_at > until),
    )


# The instants come as the database hands them (`_wire_instant` writes them out): SQLite's
# stored text skips SQLAlchemy parsing it into a datetime only for it to be written back out.
FEED_COLUMNS = (_OUTBOX.c.seq, _OUTBOX.c.change_id, _OUTBOX.c.kind,
                _OUTBOX.c.certificate_key, _OUTBOX.c.revision,
                type_coerce(_OUTBOX.c.created_at, String), type_coerce(_OUTBOX.c.visible_at, String),
                cast(_OUTBOX.c.payload, Text))


# The feed's statements are built once: building a statement costs SQLAlchemy more than SQLite
# takes to run it (~300 µs against ~60 µs), and a replicator's every run pays them.
UNTIL = bindparam("until", type_=_OUTBOX.c.visible_at.type)
FEED = (select(*FEED_COLUMNS)
        .where(_OUTBOX.c.state == OutboxState.PENDING, _OUTBOX.c.seq > bindparam("after"),
               _OUTBOX.c.visible_at <= UNTIL, ~_waiting_before(UNTIL))
        .order_by(_OUTBOX.c.seq).limit(bindparam("limit")))
NEXT_DUE = select(func.min(_OUTBOX.c.visible_at)).where(
    _OUTBOX.c.state == OutboxState.PENDING, _OUTBOX.c.visible_at > UNTIL)


def _feed_page(session: Session, clock: Clock, after: int, limit: int,
               until: datetime | None) -> tuple[list, datetime, datetime | None]:
    """Return the due rows (columns, payload as its stored JSON text), `until` and the next due."""
    _check_page(after, limit)
    until = _until(clock, until)
    rows = session.execute(FEED, {"after": after, "until": until, "limit": limit}).all()
    return rows, until, next_due_at(session, until)


def _until(clock: Clock, until: datetime | None) -> datetime:
    """The instant a page reads up to: the one asked for, never after now (no change is
    handed out before its time)."""
    now = clock.now()
    return min(until, now) if until else now


def _check_page(after: int, limit: int) -> None:
    if after < 0:
        raise InvalidInput("after", "after must be a sequence number >= 0")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("limit", f"limit must be 1..{MAX_LIMIT}")


def next_due_at(session: Session, after: datetime) -> datetime | None:
    """Return when the next pending change becomes visible after `after` (None: none will)."""
    return session.scalar(NEXT_DUE, {"until": after})


def _change_text(row) -> str:
    """Return one feed row as wire JSON, splicing in the payload's stored JSON text as it is."""
    seq, change_id, kind, key, revision, created_at, visible_at, payload = row
    header = orjson.dumps({"seq": seq, "change_id": change_id, "kind": kind,
                           "certificate_key": key, "revision": revision,
                           "created_at": _wire_instant(created_at),
                           "visible_at": _wire_instant(visible_at)})
    return f'{header[:-1].decode()},"payload":{payload}}}'


def _wire_instant(stored: str | datetime) -> str:
    """Write a stored instant as `datetime.isoformat` writes it in UTC.

    SQLite hands back the text SQLAlchemy stored, 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (the
    fraction left out when it is zero, as isoformat does); a server with a time type hands
    back a datetime.
    """
    if stored.__class__ is str:
        fraction = stored[19:]
        return (f"{stored[:10]}T{stored[11:19]}{'' if fraction in ('', '.000000') else fraction}"
                "+00:00")
    return stored.astimezone(UTC).isoformat()


def read_feed_json(session: Session, clock: Clock, *, after: int, limit: int,
                   until: datetime | None = None) -> str:
    """Return the feed page as JSON text, without decoding and re-encoding each payload.

    The head comes first and the changes last, with `ids` (`[seq, change_id]` of each change):
    a replicator reads the head and passes the changes on undecoded (sync.pages).
    """
    rows, until, next_due = _feed_page(session, clock, after, limit, until)
    head = orjson.dumps({"next_after": rows[-1][0] if rows else after,
                         "until": until.isoformat(), "next_due_at": _iso(next_due),
                         "ids": [row[:2] for row in rows]}).decode()
    return head[:-1] + ',"changes":[' + ",".join(map(_change_text, rows)) + "]}"


def pull(session: Session, clock: Clock, holder: str, ttl_seconds: float, *,
         after: int | None, limit: int, until: datetime | None = None) -> str:
    """Take or renew the lease and read a page in one call: the page's JSON text, head first,
    with the lease's figures under `lease` (no changes when it was not granted).

    `after` None reads from the checkpoint (a run's first page). One call instead of a lease
    call and a feed read: at the start of every run, and for every page read ahead.
    """
    if not ttl_seconds:
        raise InvalidInput("ttl", "ttl must be > 0 (the lease call releases it)")
    _check_page(0 if after is None else after, limit)  # before the lease is touched
    lease = take_lease(session, clock, holder, ttl_seconds)
    lease_text = orjson.dumps(lease).decode()
    start = lease["checkpoint"] if after is None else after
    if not lease["granted"]:  # someone else delivers: no changes for this caller
        head = {"next_after": start, "until": _until(clock, until).isoformat(),
                "next_due_at": None, "ids": [], "changes": []}
        return f'{{"lease":{lease_text},{orjson.dumps(head).decode()[1:]}'
    page = read_feed_json(session, clock, after=start, limit=limit, until=until)
    return f'{{"lease":{lease_text},{page[1:]}'


def read_feed(session: Session, clock: Clock, *, after: int, limit: int,
              until: datetime | None = None) -> dict:
    """Return the due changes after `after` in seq order, at most `limit`, and the next due time."""
    return orjson.loads(read_feed_json(session, clock, after=after, limit=limit, until=until))


# The replication state row's statements, built once (every replicator call runs some): Core
# rows, as a row object would cost a load and a refresh per call.
_STATE = ReplicationState.__table__
_LEASE_ROW = _STATE.c.name == STATE
FIGURE_COLUMNS = (_STATE.c.lease_holder, _STATE.c.lease_expires_at, _STATE.c.checkpoint,
                  _STATE.c.tick_requested_at, _STATE.c.ticks)
STATE_ROW = select(*FIGURE_COLUMNS, _STATE.c.handover_to, _STATE.c.last_run_at,
                   _STATE.c.last_run).where(_LEASE_ROW)
CREATE_STATE = insert(_STATE).values(name=STATE, checkpoint=0)


def _state_row(session: Session) -> Row:
    """Return the replication state row (its figures, handover and last run), creating it on
    first use."""
    row = session.execute(STATE_ROW).first()
    if row is None:
        _create_state(session)
        row = session.execute(STATE_ROW).one()
    return row


def _create_state(session: Session) -> None:
    try:
        with session.begin_nested():
            session.execute(CREATE_STATE)
    except IntegrityError:
        pass  # another process created it first


def _change_state(session: Session, statement, values: dict | None = None) -> Row | None:
    """Run an UPDATE … RETURNING of the state row, creating the row first if it is missing;
    return the row it returned (None: its condition did not hold)."""
    row = session.execute(statement, values).first()
    if row is None and session.execute(STATE_ROW).first() is None:
        _create_state(session)
        row = session.execute(statement, values).first()
    return row


OLDEST_IN = {state: select(_OUTBOX.c.seq).where(_OUTBOX.c.state == state)
             .order_by(_OUTBOX.c.seq).limit(1) for state in OPEN}  # built once, as the feed's
_OLDEST_OPEN = union_all(*(select(oldest.scalar_subquery().label("seq"))
                           for oldest in OLDEST_IN.values())).subquery()
# Just below the oldest row not yet delivered (one index seek per state: cheap after every
# acknowledgement); every row delivered: the newest.
CHECKPOINT = func.coalesce(select(func.min(_OLDEST_OPEN.c.seq)).scalar_subquery() - 1,
                           select(func.max(_OUTBOX.c.seq)).scalar_subquery(), 0)
UPDATE_CHECKPOINT = (update(_STATE).where(_LEASE_ROW).values(checkpoint=CHECKPOINT)
                     .returning(*FIGURE_COLUMNS))


def _update_checkpoint(session: Session) -> Row:
    """Move the checkpoint to just below the oldest row not yet delivered; return the figures.

    Run after the rows it is derived from were written, so it is never ahead of them."""
    return _change_state(session, UPDATE_CHECKPOINT)


def _still_pending():
    """`state = 'pending'` as a filter only, so a lookup by change id uses the change_id index.

    Written plainly, SQLite would walk every pending row through the state index on each
    acknowledgement (O(backlog) per batch); `state || ''` is not indexable.
    """
    return (_OUTBOX.c.state + "") == OutboxState.PENDING


_NAMED = bindparam("named", expanding=True)
# Built once, by what names the changes (a replicator acknowledges after every batch).
ACKNOWLEDGE = {name: update(_OUTBOX).where(column.in_(_NAMED), _still_pending())
               .values(state=OutboxState.DELIVERED, last_error=None,
                       delivered_at=bindparam("at", type_=OutboxEntry.delivered_at.type))
               for name, column in (("seqs", _OUTBOX.c.seq), ("change_ids", _OUTBOX.c.change_id))}


def acknowledge(session: Session, clock: Clock, change_ids: list[str] | None = None, *,
                seqs: list[int] | None = None) -> dict:
    """Mark the changes the national portal answered for as delivered; return the checkpoint.

    The changes are named by change id or by sequence number (`seqs`, what the replicator
    sends: a primary-key lookup, where a change id costs an index seek more per row).
    """
    if seqs is not None:
        _seqs(seqs)  # checked even when change_ids is given (and then used)
    if seqs is not None and change_ids is None:
        statement, named = ACKNOWLEDGE["seqs"], seqs
    else:
        statement, named = ACKNOWLEDGE["change_ids"], _change_ids(change_ids)
    result = session.execute(statement, {"named": named, "at": clock.now()})
    checkpoint = _update_checkpoint(session).checkpoint
    session.commit()
    return {"acknowledged": result.rowcount, "checkpoint": checkpoint}


def record_failures(session: Session, clock: Clock, failures: list[dict],
                    max_attempts: int) -> dict:
    """Count a failed attempt on each change; park it as blocked after `max_attempts`."""
    if max_attempts < 1:
        raise InvalidInput("max_attempts", "max_attempts must be >= 1")
    reasons = {item["change_id"]: str(item.get("error") or "rejected")[:500]
               for item in _failure_list(failures)}
    blocked = []
    for entry in session.scalars(select(OutboxEntry).where(
            OutboxEntry.change_id.in_(reasons), _still_pending())):
        entry.attempts += 1
        entry.last_error = reasons[entry.change_id]
        if entry.attempts >= max_attempts:
            entry.state = OutboxState.BLOCKED
            blocked.append(entry.change_id)
    session.commit()
    return {"recorded": len(reasons), "blocked": blocked}


def _change_ids(change_ids) -> list[str]:
    if not isinstance(change_ids, list) or not all(isinstance(c, str) for c in change_ids):
        raise InvalidInput("change_ids", "change_ids must be a list of change ids")
    return change_ids


def _seqs(seqs) -> list[int]:
    if not isinstance(seqs, list) or not all(s.__class__ is int and 0 < s <= MAX_SEQ
                                             for s in seqs):
        raise InvalidInput("seqs", "seqs must be a list of sequence numbers")
    return seqs


def _failure_list(failures) -> list[dict]:
    if not isinstance(failures, list) or not all(
            isinstance(f, dict) and isinstance(f.get("change_id"), str)
            and isinstance(f.get("error", ""), str) for f in failures):
        raise InvalidInput("failures", "failures must be a list of {change_id, error}")
    return failures


# The lease's statements, built once (a replicator takes and renews the lease on every run).
_HOLDER = bindparam("holder")
_INSTANT = ReplicationState.lease_expires_at.type
_FREE = or_(_STATE.c.lease_holder.is_(None), _STATE.c.lease_holder == _HOLDER,
            _STATE.c.lease_expires_at <= bindparam("wall", type_=_INSTANT))
_NOBODY_WAITS = or_(_STATE.c.handover_to.is_(None), _STATE.c.handover_to == _HOLDER)
# whoever asked for the lease has it now: the request is cleared with the grant
_GRANTED = {"lease_holder": _HOLDER, "lease_expires_at": bindparam("expires", type_=_INSTANT),
            "handover_to": case((_STATE.c.handover_to == _HOLDER, None),
                                else_=_STATE.c.handover_to)}
_RELEASED = {"lease_holder": None, "lease_expires_at": None}
_RUN = {"last_run_at": bindparam("at", type_=ReplicationState.last_run_at.type),
        "last_run": bindparam("report", type_=ReplicationState.last_run.type)}
# [with a run report]: a run's end also yields the lease to someone waiting for it. The
# checkpoint is read as it stands: every write that delivers a row or takes one back
# (acknowledge, replay_from) moves it in the same transaction, and a new row is never below it.
GRANT = {False: update(_STATE).where(_LEASE_ROW, _FREE).values(_GRANTED)
         .returning(*FIGURE_COLUMNS),
         True: update(_STATE).where(_LEASE_ROW, _FREE, _NOBODY_WAITS).values(_GRANTED | _RUN)
         .returning(*FIGURE_COLUMNS)}
RELEASE = {reporting: update(_STATE).where(_LEASE_ROW, _STATE.c.lease_holder == _HOLDER)
           .values(_RELEASED | _RUN if reporting else _RELEASED).returning(*FIGURE_COLUMNS)
           for reporting in (False, True)}


def take_lease(session: Session, clock: Clock, holder: str, ttl_seconds: float,
               report: dict | None = None) -> dict:
    """Grant, renew (ttl > 0) or release (ttl = 0) the delivery lease; record a run report.

    The lease says a replicator process is alive and working, so it lasts `ttl_seconds` of
    wall-clock time: the world's clock jumps (a console's +3 个工作日, a scenario's wait) and
    stands still (paused), and neither may let a second process in mid-run or lock one out.
    The run report is stamped with the world's time.
    """
    if not holder or len(holder) > 64:
        raise InvalidInput("holder", "holder must be a name of 1..64 characters")
    if not 0 <= ttl_seconds <= 3600:
        raise InvalidInput("ttl", "ttl must be 0..3600 seconds")
    wall, reporting = wall_now(), report is not None
    values = {"holder": holder, "wall": wall, "expires": wall + timedelta(seconds=ttl_seconds),
              "at": clock.now(), "report": report}
    figures = None
    if ttl_seconds:
        figures = _change_state(session, GRANT[reporting], values)
        if figures is None and reporting and _state_row(session).handover_to not in (None, holder):
            ttl_seconds = 0  # the end of a run while someone waits for the lease: give it up
    if not ttl_seconds:
        figures = _change_state(session, RELEASE[reporting], values)
    granted = figures is not None
    if not granted:
        figures = _state_row(session)
    session.commit()
    return {"granted": granted, **_lease_json(figures)}


def _lease_json(figures: Row) -> dict:
    return {"holder": figures.lease_holder, "expires_at": _iso(figures.lease_expires_at),
            "checkpoint": figures.checkpoint,
            "tick_requested_at": _iso(figures.tick_requested_at), "ticks": figures.ticks}


def lease_state(session: Session) -> dict:
    """Return the lease, checkpoint and last tick request without changing them."""
    figures = session.execute(STATE_ROW).first()
    if figures is None:
        return {"holder": None, "expires_at": None, "checkpoint": 0, "tick_requested_at": None,
                "ticks": 0}
    return _lease_json(figures)


HANDOVER = update(_STATE).where(_LEASE_ROW).values(handover_to=bindparam("asker")) \
    .returning(_STATE.c.name)
TICK = (update(_STATE).where(_LEASE_ROW)
        .values(tick_requested_at=bindparam("at", type_=_INSTANT),
                ticks=func.coalesce(_STATE.c.ticks, 0) + 1)
        .returning(_STATE.c.tick_requested_at, _STATE.c.ticks))


def request_handover(session: Session, holder: str | None) -> None:
    """Ask the lease's holder to give it up at the end of its current (or next) run
    (None withdraws the request).

    Nothing is blocked by the request: if its asker goes away, the replicator only releases
    the lease after each run and takes it again at the start of the next.
    """
    _change_state(session, HANDOVER, {"asker": holder})
    session.commit()


def request_tick(session: Session, clock: Clock) -> dict:
    """Ask the running replicator to run now (it polls for this)."""
    tick = _change_state(session, TICK, {"at": clock.now()})
    session.commit()
    return {"tick_requested_at": _iso(tick.tick_requested_at), "ticks": tick.ticks}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


_VISIBLE = _OUTBOX.c.visible_at
FIGURES = (select(_OUTBOX.c.state, func.count(), func.count(case((_VISIBLE <= UNTIL, 1))),
                  func.count(case((_VISIBLE.is_(None), 1))), func.min(_OUTBOX.c.created_at),
                  func.min(case((_VISIBLE <= UNTIL, _VISIBLE))),
                  func.min(case((_VISIBLE > UNTIL, _VISIBLE))))
           .group_by(_OUTBOX.c.state))  # per state: rows, due, held, oldest, oldest due, next


def replication_status(session: Session, clock: Clock) -> dict:
    """Return the replication figures: backlog by state, ages in simulated time, last run.

    One pass over the outbox (FIGURES) gives every count and time; only the pending row's
    due, held and time columns are read."""
    now = clock.now()
    figures = {row[0]: row[1:] for row in session.execute(FIGURES, {"until": now})}
    count = {state: row[0] for state, row in figures.items()}
    _, due, held, oldest_pending, oldest_due, next_due = figures.get(
        OutboxState.PENDING, (0, 0, 0, None, None, None))
    state = _state_row(session)
    session.commit()
    return {
        "now": now.isoformat(),
        "pending": count.get("pending", 0),
        "due_not_applied": due,
        "held_for_release": held,
        "blocked": count.get("blocked", 0),
        "delivered": count.get("delivered", 0),
        "oldest_pending_age_seconds": _age(now, oldest_pending),
        "oldest_due_age_seconds": _age(now, oldest_due),
        "next_due_at": _iso(next_due),
        "checkpoint": state.checkpoint,
        "lease": {"holder": state.lease_holder, "expires_at": _iso(state.lease_expires_at)},
        "last_run_at": _iso(state.last_run_at),
        "last_run": state.last_run,
    }


def _age(now: datetime, since: datetime | None) -> float | None:
    return (now - since).total_seconds() if since else None


def _peek(by_state: bool, by_keys: bool, with_payload: bool):
    columns = [column if with_payload or column.name != "payload" else null().label("payload")
               for column in _OUTBOX.c]  # a payload not shown is not read (nor decoded)
    query = select(*columns).where(_OUTBOX.c.seq > bindparam("after"))
    if by_state:
        query = query.where(_OUTBOX.c.state == bindparam("state"))
    if by_keys:
        query = query.where(_OUTBOX.c.certificate_key.in_(bindparam("keys", expanding=True)))
    return query.order_by(_OUTBOX.c.seq).limit(bindparam("limit"))


# The peek's statements, one per filter, built once (the scenario runner peeks after every
# step); rows, not objects: the rows are only read.
PEEK = {(by_state, by_keys, with_payload): _peek(by_state, by_keys, with_payload)
        for by_state in (False, True) for by_keys in (False, True)
        for with_payload in (False, True)}


def peek_outbox(session: Session, *, state: str | None = None, after: int = 0,
                limit: int = 50, keys: Sequence[str] = (), with_payload: bool = False,
                explain_with: WorkingCalendar | None = None) -> list[dict]:
    """List outbox rows in seq order without changing anything (`keys`: of these licences
    only; `explain_with`: add each change's delay explanation, counted with that calendar)."""
    if state is not None and state not in tuple(OutboxState):
        raise InvalidInput("state", "state must be pending, delivered or blocked")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("limit", f"limit must be 1..{MAX_LIMIT}")
    query = PEEK[bool(state), bool(keys), with_payload]
    rows = []
    for entry in session.execute(query, {"after": after, "limit": limit, "state": state,
                                         "keys": list(keys)}):
        row = change_json(entry)
        row.update(state=entry.state, attempts=entry.attempts, last_error=entry.last_error,
                   delivered_at=_iso(entry.delivered_at))
        if not with_payload:
            row.pop("payload")
        if explain_with is not None:
            row["explanation"] = explain_change(entry, explain_with)
        rows.append(row)
    return rows


def release_held(session: Session, clock: Clock, *, change_ids: list[str] | None = None,
                 key: str | None = None) -> dict:
    """Make changes held by the manual lag visible now (all of them, some ids, or one licence)."""
    query = update(OutboxEntry).where(OutboxEntry.state == OutboxState.PENDING,
                                      OutboxEntry.visible_at.is_(None))
    if change_ids is not None:
        query = query.where(OutboxEntry.change_id.in_(_change_ids(change_ids)))
    if key:
        query = query.where(OutboxEntry.certificate_key == key)
    released = session.execute(query.values(visible_at=clock.now())
                               .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return {"released": released}


def retry_blocked(session: Session, clock: Clock, *,
                  change_ids: list[str] | None = None) -> dict:
    """Put blocked changes back in the queue with a fresh attempt count."""
    query = update(OutboxEntry).where(OutboxEntry.state == OutboxState.BLOCKED)
    if change_ids is not None:
        query = query.where(OutboxEntry.change_id.in_(_change_ids(change_ids)))
    retried = session.execute(query.values(state=OutboxState.PENDING, attempts=0)
                              .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return {"retried": retried, "at": clock.now().isoformat()}


def replay_from(session: Session, clock: Clock, after: int) -> dict:
    """Queue every change after `after` again (the national side answers duplicates)."""
    if after < 0:
        raise InvalidInput("after", "after must be a sequence number >= 0")
    requeued = session.execute(
        update(OutboxEntry).where(OutboxEntry.seq > after,
                                  OutboxEntry.state == OutboxState.DELIVERED)
        .values(state=OutboxState.PENDING, delivered_at=None)
        .execution_options(synchronize_session=False)).rowcount
    checkpoint = _update_checkpoint(session).checkpoint
    session.commit()
    return {"requeued": requeued, "checkpoint": checkpoint, "at": clock.now().isoformat()}
