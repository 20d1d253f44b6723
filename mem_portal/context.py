"""Per-app resources (engine, sessions, clock) and per-request access to them."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.authorities import ministry_codes
from shared.certificates import Issuance
from shared.clock import Clock
from shared.db import make_engine, make_sessionmaker
from shared.lag import parse_lag
from shared.ofd.seal import seal_key
from shared.ofd.sm2 import SealKey
from shared.workdays import WorkingCalendar, calendar_from_env

EXTENSION = "certsim"


@dataclass
class PortalResources:
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    type_code: str = ""


def init_resources(app, clock: Clock) -> PortalResources:
    """Build the engine and session factory of this app (called by create_app only)."""
    engine = make_engine(app.config["DATABASE_URL"])
    resources = PortalResources(engine, make_sessionmaker(engine), clock,
                                calendar_from_env(), ministry_codes()[1])
    app.extensions[EXTENSION] = resources
    app.teardown_appcontext(_close_session)
    return resources


def resources() -> PortalResources:
    return current_app.extensions[EXTENSION]


def get_session() -> Session:
    """Open the request's session lazily; teardown closes it."""
    if "db_session" not in g:
        g.db_session = resources().sessions()
    return g.db_session


def get_clock() -> Clock:
    return resources().clock


def get_seal() -> SealKey:
    """Return the key that seals this portal's licence files (from SEAL_SEED, its own secret)."""
    return seal_key(current_app.config["SEAL_SEED"])


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def get_issuance() -> Issuance:
    """Return the ministry's issuance context: this app's clock, calendar, codes and lag policy.

    The lag policy is read from `SYNC_LAG` on every call, so changing the config (for
    example through the control plane) applies to the next change written.
    """
    config, res = current_app.config, resources()
    lag = parse_lag(str(config["SYNC_LAG"]), seed=int(config.get("SYNC_LAG_SEED") or 0))
    return Issuance(clock=res.clock, calendar=res.calendar, lag=lag, type_code=res.type_code)
