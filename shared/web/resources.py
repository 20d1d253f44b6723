"""What one portal app holds (engine, sessions, clock, calendar, codes) and per-request access."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.authorities import ministry_codes
from shared.clock import Clock
from shared.db import make_engine, make_sessionmaker
from shared.lag import parse_lag
from shared.workdays import WorkingCalendar
from shared.world import MemoryStore, WorldState, WorldStore

EXTENSION = "certsim"


@dataclass
class PortalResources:
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    calendar: WorkingCalendar
    type_code: str
    world: WorldStore
    password_cost: str  # PASSWORD_COST: production, or simulation in simulated worlds


def init_resources(app: Flask, clock: Clock | None, world: WorldStore | None) -> PortalResources:
    """Build the engine, sessions, calendar and world of this app (called by its factory).

    An app given a clock (tests, in-process replay) and no world keeps its world in memory;
    otherwise both come from the settings (the world every process shares).
    """
    settings = app.config["CERTSIM"]
    if world is None:
        lag = parse_lag(str(app.config.get("SYNC_LAG") or settings.sync_lag),
                        seed=int(app.config.get("SYNC_LAG_SEED") or 0))  # refused here if bad
        initial = WorldState(lag=lag.spec, lag_seed=lag.seed)
        world = MemoryStore(initial) if clock is not None else settings.world()
    engine = make_engine(app.config["DATABASE_URL"])
    resources = PortalResources(
        engine, make_sessionmaker(engine), clock or settings.clock(world), settings.calendar(),
        ministry_codes(settings.ministry_code, settings.type_code)[1], world,
        app.config["PASSWORD_COST"])
    app.extensions[EXTENSION] = resources
    app.teardown_appcontext(_close_session)
    app.before_request(_see_the_latest_world)
    return resources


def _see_the_latest_world() -> None:
    res = resources()
    res.world.refresh()
    res.clock.refresh()


def get_world() -> WorldStore:
    """Return the world this app lives in (clock, lag policy, fault switch)."""
    return resources().world


def resources() -> PortalResources:
    """Return the resources of the app handling this request."""
    return current_app.extensions[EXTENSION]


def get_session() -> Session:
    """Open the request's database session lazily; teardown closes it."""
    if "db_session" not in g:
        g.db_session = resources().sessions()
    return g.db_session


def get_password_cost() -> str:
    """Return the cost this app hashes passwords at (its PASSWORD_COST)."""
    return resources().password_cost


def get_clock() -> Clock:
    """Return the app's clock (simulated in replay and under `make run`)."""
    return resources().clock


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
