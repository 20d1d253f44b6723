"""What the `certsim` command and the console build from the environment: the settings, the
clock, the calendar, the ministry as issuer, and sessions on the two databases.

This is the edge: the environment is read here, once, and passed on.
"""

from __future__ import annotations

import os

from mem_portal.migrations import upgrade as mem_upgrade
from national_portal.migrations import upgrade as national_upgrade
from shared.accounts.passwords import use_fast_hashing
from shared.authorities import ministry_codes
from shared.certificates import Issuer
from shared.clock import Clock
from shared.db import make_engine, make_sessionmaker
from shared.lag import parse_lag
from shared.settings import Settings, read_settings
from shared.workdays import WorkingCalendar

MIGRATIONS = {"mem": mem_upgrade, "national": national_upgrade}


def settings() -> Settings:
    """Return this process's settings, as the environment says now."""
    world = read_settings(os.environ)
    use_fast_hashing(world.fast_hash)
    return world


def clock() -> Clock:
    """Return the clock CERTSIM_CLOCK names (real time, or the shared simulated clock file)."""
    return settings().clock()


def calendar() -> WorkingCalendar:
    """Return the working-day calendar (with CERTSIM_CALENDAR_FILE / _FALLBACK)."""
    return settings().calendar()


def issuer(at: Clock | None = None) -> Issuer:
    """Return the ministry as issuer: the lag policy, calendar and codes of the settings."""
    world = settings()
    return Issuer(clock=at or clock(), calendar=calendar(),
                  lag=parse_lag(world.sync_lag, seed=world.sync_lag_seed),
                  type_code=ministry_codes(world.ministry_code, world.type_code)[1])


def database_url(database: str) -> str:
    """Return the URL of "mem" or "national"."""
    return settings().database_url(database)


def migrate(database: str) -> str:
    """Bring one database to the newest schema; return its URL."""
    url = database_url(database)
    MIGRATIONS[database](url)
    return url


def open_session(database: str):
    """Open a session on one database ("mem" or "national"), migrating it first."""
    return make_sessionmaker(make_engine(migrate(database)))()
