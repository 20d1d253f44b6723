"""`certsim clock`: the world's time, and moving it.

    certsim clock                          the instant (ISO 8601, +08:00), then the kind of day
    certsim clock set 2024-09-27T17:00:00+08:00
    certsim clock advance 2h|3d|2wd
    certsim clock next-due                 to when the next pending change becomes visible
    certsim clock pause | resume

Time moves forward only: going back before data already written is refused, pointing at
snapshots (`certsim snapshot restore`). In an empty world the clock may be set anywhere.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from certsim import world
from mem_portal.models import DATA_TABLES as MEM_DATA
from national_portal.models import DATA_TABLES as NATIONAL_DATA
from shared import outbox
from shared.clock import SHANGHAI, parse_instant
from shared.db import latest_instant
from shared.errors import InvalidInput
from shared.workdays import WEEKDAY_NAMES, advance_by, day_kind, require_known_year
from shared.world import WorldClock

DATA = {"mem": MEM_DATA, "national": NATIONAL_DATA}


def register(sub) -> None:
    p = sub.add_parser("clock", help="show or move the world's clock")
    p.add_argument("action", nargs="?", default="show",
                   choices=["show", "set", "advance", "next-due", "pause", "resume"])
    # REMAINDER: a negative step ("-1d") reaches cmd_clock and gets its one-line refusal
    p.add_argument("value", nargs=argparse.REMAINDER,
                   help="set: an ISO instant with offset; advance: 2h|3d|2wd")
    p.set_defaults(func=cmd_clock)


def cmd_clock(args) -> int:
    """Move the clock as asked, then print where it stands."""
    clock = WorldClock(world.settings().world())
    wanted = 1 if args.action in ("set", "advance") else 0
    if len(args.value) != wanted:
        raise InvalidInput(args.action, f"certsim clock {args.action} takes "
                                        f"{'one value' if wanted else 'no value'}")
    if args.action == "set":
        clock.set(allowed(parse_instant(args.value[0])))
    elif args.action == "advance":
        clock.set(advance_by(clock.now(), args.value[0], world.calendar()))
    elif args.action == "next-due":
        with world.open_session("mem") as session:
            due = outbox.next_due_at(session, clock.now())
        if due is None:
            raise InvalidInput("next-due", "没有待到期的变更")
        clock.set(due)
    elif args.action == "pause":
        clock.freeze()
    elif args.action == "resume":
        clock.resume()
    if args.action != "show":
        world.record(getattr(args, "line", "certsim clock"), "clock",
                     facts={"to": clock.now().isoformat(), "frozen": clock.frozen})
    print("\n".join(describe(clock)))
    return 0


def describe(clock: WorldClock) -> list[str]:
    """The instant with its offset, then the kind of day and whether the world's time runs."""
    now = clock.now().astimezone(SHANGHAI)
    kind = day_kind(now.date(), world.calendar())
    holiday = f" {kind.holiday}" if kind.holiday else ""
    if not clock.simulated:
        mode = f"real time (no simulated world at {clock.store.where})"
    else:
        mode = "simulated, paused" if clock.frozen else "simulated, running"
    return [now.isoformat(timespec="seconds"),
            f"{now.date()} 星期{WEEKDAY_NAMES[now.weekday()]} {kind.label}{holiday} ({mode})"]


def allowed(target: datetime) -> datetime:
    """Return `target` unless data later than it is already written in either portal (or the
    calendar lacks its year)."""
    require_known_year(target, world.calendar())
    for database, tables in DATA.items():
        with world.open_session(database) as session:
            latest = latest_instant(session, tables)
        if latest is not None and target < latest:
            raise InvalidInput("set", f"data was written at {latest.isoformat()} ({database}): "
                                      "time only moves forward; restore a snapshot to go back "
                                      "(certsim snapshot restore NAME)")
    return target
