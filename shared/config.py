"""Settings read from the environment, one variable per line; defaults suit `make run`.

Portals read their own prefixed variables (`MEM_…`, `NATIONAL_…`) in their app factories;
the values here are the ones every process shares.
"""

from __future__ import annotations

import os
from pathlib import Path

from shared.authorities import ministry_codes
from shared.catalogue import DEFAULT_CATALOGUE
from shared.certificates import Issuance
from shared.clock import Clock, clock_from_config
from shared.lag import parse_lag
from shared.wire import secret_from_env
from shared.workdays import calendar_from_env

VAR_DIR = Path(os.environ.get("CERTSIM_VAR_DIR", "var"))


def env(name: str, default: str = "", environ: dict | None = None) -> str:
    return (os.environ if environ is None else environ).get(name, default)


def mem_database_url(environ: dict | None = None) -> str:
    return env("MEM_DATABASE_URL", f"sqlite:///{(VAR_DIR / 'mem.sqlite3').resolve()}", environ)


def national_database_url(environ: dict | None = None) -> str:
    return env("NATIONAL_DATABASE_URL",
               f"sqlite:///{(VAR_DIR / 'national.sqlite3').resolve()}", environ)


def sync_secret(environ: dict | None = None) -> str:
    """The HMAC secret shared by the ministry feed, the replicator and the national ingest."""
    return secret_from_env(environ)


def clock_from_env(environ: dict | None = None) -> Clock:
    """CERTSIM_CLOCK: "system" (default) or the path of a shared simulated-clock file."""
    return clock_from_config(env("CERTSIM_CLOCK", "system", environ))


def issuance_from_env(clock: Clock, environ: dict | None = None) -> Issuance:
    """Build the ministry's issuance context: SYNC_LAG (+ SYNC_LAG_SEED), calendar, codes."""
    lag = parse_lag(env("SYNC_LAG", "3wd", environ), seed=int(env("SYNC_LAG_SEED", "0", environ)))
    return Issuance(clock=clock, calendar=calendar_from_env(environ), lag=lag,
                    type_code=ministry_codes(environ)[1], catalogue=DEFAULT_CATALOGUE)
