"""What the `certsim` command and the console build from the environment: the settings, the
clock, the calendar, the ministry as issuer, and sessions on the two databases.

This is the edge: the environment is read here, once, and passed on.
"""

from __future__ import annotations

import os
import sys

from sqlalchemy import Engine

from mem_portal.migrations import upgrade as mem_upgrade
from national_portal.migrations import upgrade as national_upgrade
from shared.authorities import ministry_codes
from shared.certificates import Issuer
from shared.clock import SHANGHAI, Clock
from shared.db import make_engine, make_sessionmaker
from shared.lag import parse_lag
from shared.recording import event
from shared.settings import Settings, read_settings
from shared.workdays import WorkingCalendar
from shared.world import WorldClock

MIGRATIONS = {"mem": mem_upgrade, "national": national_upgrade}


def settings() -> Settings:
    """Return this process's settings, as the environment says now."""
    return read_settings(os.environ)


def clock() -> Clock:
    """Return the world's clock (or real time when CERTSIM_CLOCK=system)."""
    return settings().clock()


def announce_simulated_time() -> None:
    """Say on stderr when this command works in the world's simulated time, not real time."""
    current = settings()
    if current.clock_spec == "system":
        return
    world_clock = WorldClock(current.world())
    if world_clock.simulated:
        now = world_clock.now().astimezone(SHANGHAI).isoformat(timespec="seconds")
        print(f"certsim: simulated time {now} "
              f"(the world at {world_clock.store.where}; CERTSIM_CLOCK=system for real time)",
              file=sys.stderr)


def calendar() -> WorkingCalendar:
    """Return the working-day calendar (with CERTSIM_CALENDAR_FILE / _FALLBACK)."""
    return settings().calendar()


def issuer(at: Clock | None = None) -> Issuer:
    """Return the ministry as issuer: the world's lag policy, the calendar and the codes."""
    current = settings()
    state = current.world().read()
    return Issuer(clock=at or clock(), calendar=calendar(),
                  lag=parse_lag(state.lag, seed=state.lag_seed),
                  type_code=ministry_codes(current.ministry_code, current.type_code)[1])


def database_url(database: str) -> str:
    """Return the URL of "mem" or "national"."""
    return settings().database_url(database)


def password_cost(database: str) -> str:
    """Return the PASSWORD_COST of "mem" or "national" (MEM_… / NATIONAL_PASSWORD_COST)."""
    from mem_portal.settings import load_settings as mem_settings
    from national_portal.settings import load_settings as national_settings

    return (mem_settings if database == "mem" else national_settings)()["PASSWORD_COST"]


def migrate(database: str) -> str:
    """Bring one database to the newest schema; return its URL."""
    url = database_url(database)
    MIGRATIONS[database](url)
    return url


_ENGINES: dict[str, Engine] = {}  # one pool per URL for a long-lived caller (the console)


def open_session(database: str):
    """Open a session on one database ("mem" or "national"), migrating it first."""
    url = migrate(database)
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return make_sessionmaker(_ENGINES[url])()


def record(command: str, action: str | None, **parts) -> None:
    """Add what a `certsim` command (or the console) did to the recording running, if any
    (`shared.recording`); `action` None: something a scenario cannot say, reported at stop."""
    store = settings().world()
    if store.read().recording is None:
        return
    now = settings().clock(store).now()
    store.append_event(event(now, "cli", action, request={"method": "CLI", "path": command},
                             **parts))
