"""Snapshots of the whole world: both portals' databases, the clock, the lag policy and the
replication state (outbox, checkpoint), saved together and restored together.

A snapshot is taken and restored while the portals and the replicator keep running: the
replication lease is held meanwhile, so no change crosses from one database to the other
half-way, and a restore asks the running replicator to look again (a new "tick").
`demo` is built in: restoring it puts back the demo holders, certificates and accounts and
the demo start (2026-09-30 10:00, the clock running).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from threading import Event

from sqlalchemy import Date, Table, insert, select, text, update
from sqlalchemy.orm import Session

from certsim import world
from certsim.demo import DEMO_START, fill_ministry, fill_national
from mem_portal.models import TABLES as MEM_TABLES
from national_portal.models import TABLES as NATIONAL_TABLES
from shared import outbox
from shared.clock import SHANGHAI, ClockState, SimulatedClock, wall_now
from shared.db import AwareDateTime, Base, empty_tables
from shared.errors import InvalidInput, NotFound
from shared.lag import parse_lag
from shared.models import ReplicationState
from shared.world import WorldState, WorldStore

DEMO = "demo"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
HOLDER = "certsim-snapshot"
# parents before children; the nonces of signed calls are wall-clock bookkeeping, not the world
KEPT = {name: [t for t in Base.metadata.sorted_tables if t in tables and t.name != "used_nonces"]
        for name, tables in (("mem", MEM_TABLES), ("national", NATIONAL_TABLES))}
LEASE_WAIT_SECONDS = 30  # a run ends within this (a batch budget, not a backlog)
LEASE_SECONDS = 600


def folder() -> Path:
    """Where snapshots are kept: var/snapshots/."""
    return world.settings().var_dir / "snapshots"


def names() -> list[str]:
    """The snapshots there are, `demo` first."""
    saved = sorted(p.name for p in folder().glob("*") if (p / "world.json").exists())
    return [DEMO, *saved]


def listing() -> list[dict]:
    """The snapshots with their clock and lag policy, `demo` first."""
    demo = WorldState(clock=ClockState(DEMO_START), lag=world.settings().sync_lag)
    return [describe(name, demo if name == DEMO else saved_state(name)) for name in names()]


def save(name: str, store: WorldStore | None = None) -> dict:
    """Save the world under `name` (replacing a snapshot of that name)."""
    _check_name(name, saving=True)
    store = store or world.settings().world()
    target = folder() / name
    target.mkdir(parents=True, exist_ok=True)
    with _held_replication(store) as sessions:
        state = replace(_at_this_instant(store.read()), recording=None)  # not the world's
        for database, session in sessions.items():
            _write_rows(target / f"{database}.json.gz", session, KEPT[database])
    (target / "world.json").write_text(json.dumps(state.to_json(), ensure_ascii=False))
    return describe(name, state)


def _at_this_instant(state: WorldState) -> WorldState:
    """The world with its clock read now: a running clock is kept as "running from here"."""
    if state.clock is None or state.clock.frozen:
        return state
    return replace(state, clock=ClockState(state.clock.now(), wall_now()))


def restore(name: str, store: WorldStore | None = None) -> dict:
    """Put the whole world back as it was when `name` was saved (`demo`: the demo start)."""
    _check_name(name, saving=False)
    store = store or world.settings().world()
    world.record(f"certsim snapshot restore {name}", None)  # a scenario cannot go back
    if name == DEMO:
        return _restore_demo(store)
    saved_state(name)  # an unknown name is refused before the replicator is disturbed
    with _held_replication(store) as sessions:
        state = load(name, sessions, lease=HOLDER)
        store.update(lambda current: replace(state, recording=current.recording))
    return describe(name, state)


def saved_state(name: str) -> WorldState:
    """The clock, lag policy and faults a saved snapshot holds; its clock's `at` is the instant
    it was saved at, and a clock that ran then runs again from there (anchored now)."""
    source = folder() / name
    if not NAME.fullmatch(name or "") or not (source / "world.json").exists():
        raise NotFound("snapshot", f"没有名为 {name!r} 的快照（certsim snapshot list 列出全部）")
    state = WorldState.from_json(json.loads((source / "world.json").read_text("utf-8")))
    if state.clock is not None and not state.clock.frozen:
        state = replace(state, clock=ClockState(state.clock.at, wall_now()))
    return state


def load(name: str, sessions: dict[str, Session], *, lease: str | None = None) -> WorldState:
    """Put a saved snapshot's rows into the databases of `sessions` ("mem", "national"), each
    in one transaction, and return its world state (the caller puts that in its store).

    `lease`: who keeps the replication lease afterwards (None: nobody; a restore keeps it
    until the whole world is back). Nothing else may deliver meanwhile.
    """
    state = saved_state(name)
    for database, session in sessions.items():
        _read_rows(folder() / name / f"{database}.json.gz", session, KEPT[database], lease)
    return state


def delete(name: str) -> None:
    """Forget a saved snapshot."""
    _check_name(name, saving=True)
    if not (folder() / name).exists():
        raise NotFound("snapshot", f"没有名为 {name!r} 的快照")
    shutil.rmtree(folder() / name)


def describe(name: str, state: WorldState) -> dict:
    """A snapshot as the CLI and the console list it."""
    clock = (state.clock.now().astimezone(SHANGHAI).isoformat(timespec="seconds")
             if state.clock else None)
    return {"name": name, "clock": clock, "lag": state.lag}


def _check_name(name: str, *, saving: bool) -> None:
    if not NAME.fullmatch(name or ""):
        raise InvalidInput("name", "快照名称应为小写字母、数字、-、_（不超过40个字符）")
    if saving and name == DEMO:
        raise InvalidInput("name", "demo 是内置快照（演示数据），不能覆盖或删除")


class _held_replication:
    """Hold the replication lease and open both databases; give it back (and a tick) after."""

    def __init__(self, store: WorldStore):
        self.clock = world.settings().clock(store)
        self.sessions = {name: world.open_session(name) for name in KEPT}

    def __enter__(self) -> dict[str, Session]:
        mem, waited = self.sessions["mem"], Event()
        if not self._take(mem):
            # A running replicator keeps the lease between runs: ask it to give the lease up
            # at the end of a run, and to run now (its tick watcher polls every second).
            outbox.request_handover(mem, HOLDER)
            outbox.request_tick(mem, self.clock)
            for _ in range(LEASE_WAIT_SECONDS * 10):
                waited.wait(0.1)
                if self._take(mem):
                    break
            else:
                outbox.request_handover(mem, None)
                self._close()
                raise InvalidInput("lease", "同步进程未交出租约（它是否卡住了？），请稍后再试")
        return self.sessions

    def _take(self, mem: Session) -> bool:
        return outbox.take_lease(mem, self.clock, HOLDER, LEASE_SECONDS)["granted"]

    def __exit__(self, *exc) -> None:
        mem = self.sessions["mem"]
        try:
            for session in self.sessions.values():
                session.rollback()  # whatever a failed step left open
            outbox.take_lease(mem, self.clock, HOLDER, 0)
            outbox.request_tick(mem, self.clock)  # the running replicator looks again
        finally:
            self._close()

    def _close(self) -> None:
        for session in self.sessions.values():
            session.close()


def _write_rows(path: Path, session: Session, tables: list[Table]) -> None:
    """Write every row of the tables (one read transaction: one point in time)."""
    _begin_consistent_read(session)
    rows = {table.name: [dict(row._mapping) for row in session.execute(select(table))]
            for table in tables}
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(rows, handle, default=_encode, ensure_ascii=False)
    session.rollback()


def _begin_consistent_read(session: Session) -> None:
    """Make every SELECT until the rollback see the same committed state.

    PostgreSQL's default (READ COMMITTED) sees each statement's own moment; the SQLite driver
    begins no transaction for a SELECT at all. The portals keep writing meanwhile.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")  # WAL: the first read fixes the snapshot


def _read_rows(path: Path, session: Session, tables: list[Table], lease: str | None) -> None:
    """Replace every row of the tables with the saved ones, in one transaction."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        saved = json.load(handle)
    # the "run now" counter only grows: a running replicator compares it with the last it saw
    keeps_lease = ReplicationState.__table__ in tables
    ticks = (session.scalar(select(ReplicationState.ticks)) or 0) if keeps_lease else 0
    empty_tables(session, tables, commit=False)
    for table in tables:  # parents first
        rows = [_decoded(table, row) for row in saved.get(table.name, [])]
        if rows:
            session.execute(insert(table), rows)
        _restart_ids(session, table)
    if keeps_lease:
        _keep_lease(session, lease, ticks=ticks)
    session.commit()


def _keep_lease(session: Session, holder: str | None, **reset) -> None:
    """Give the lease to `holder` (or to nobody); a lease lasts wall-clock time."""
    session.execute(update(ReplicationState).values(
        lease_holder=holder, handover_to=None,
        lease_expires_at=wall_now() + timedelta(seconds=LEASE_SECONDS) if holder else None,
        **reset))


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot save {type(value).__name__}")


def _decoded(table: Table, row: dict) -> dict:
    """Turn a saved row back into column values (instants and dates were saved as text)."""
    values = dict(row)
    for column in table.columns:
        raw = values.get(column.name)
        if raw is None:
            continue
        if isinstance(column.type, AwareDateTime):
            values[column.name] = datetime.fromisoformat(raw)
        elif isinstance(column.type, Date):
            values[column.name] = date.fromisoformat(raw)
    return values


def _restart_ids(session: Session, table: Table) -> None:
    """On PostgreSQL, make the next generated id follow the restored ones."""
    keys = list(table.primary_key.columns)
    if session.bind.dialect.name != "postgresql" or len(keys) != 1 or \
            not keys[0].autoincrement or keys[0].type.python_type is not int:
        return
    session.execute(text(
        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{keys[0].name}'), "
        f"coalesce((SELECT max({keys[0].name}) FROM {table.name}), 0) + 1, false)"))


def _restore_demo(store: WorldStore) -> dict:
    """Empty the world and write the demo again, its clock back at the demo start, running."""
    settings = world.settings()
    issuer = replace(world.issuer(SimulatedClock(DEMO_START)),
                     lag=parse_lag(settings.sync_lag, seed=settings.sync_lag_seed))
    with _held_replication(store) as sessions:
        for database, session in sessions.items():  # all but the lease row, which stays ours
            empty_tables(session, [t for t in KEPT[database]
                                   if t is not ReplicationState.__table__], commit=False)
        _keep_lease(sessions["mem"], HOLDER,
                    checkpoint=0, last_run_at=None, last_run=None, tick_requested_at=None)
        for session in sessions.values():
            session.commit()
        lines = fill_ministry(sessions["mem"], issuer, store, world.password_cost("mem"))
        fill_national(sessions["national"], world.password_cost("national"))
    return {**describe(DEMO, store.read()), "demo": lines}




def register(sub) -> None:
    p = sub.add_parser("snapshot", help="save, restore, list or delete snapshots of the world")
    p.add_argument("action", choices=["save", "restore", "list", "delete"])
    p.add_argument("name", nargs="?")
    p.set_defaults(func=cmd_snapshot)


def cmd_snapshot(args) -> int:
    """Save, restore, list or delete; print what the world is now."""
    if args.action == "list":
        for name in names():
            print(name)
        return 0
    if not args.name:
        raise InvalidInput("name", f"certsim snapshot {args.action} needs a NAME")
    if args.action == "delete":
        delete(args.name)
        print(f"deleted {args.name}")
        return 0
    done = save(args.name) if args.action == "save" else restore(args.name)
    print(f"{args.action}d {done['name']}: clock {done['clock'] or 'real time'}, lag {done['lag']}")
    return 0
