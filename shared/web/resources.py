"""What one portal app holds (engine, sessions, clock, calendar, codes) and per-request access."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.accounts.passwords import use_fast_hashing
from shared.authorities import ministry_codes
from shared.clock import Clock
from shared.db import make_engine, make_sessionmaker
from shared.workdays import WorkingCalendar

EXTENSION = "certsim"


@dataclass
class PortalResources:
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    calendar: WorkingCalendar
    type_code: str


def init_resources(app: Flask, clock: Clock) -> PortalResources:
    """Build the engine, session factory and calendar of this app (called by its factory)."""
    world = app.config["CERTSIM"]
    use_fast_hashing(world.fast_hash)
    engine = make_engine(app.config["DATABASE_URL"])
    resources = PortalResources(
        engine, make_sessionmaker(engine), clock,
        world.calendar(),
        ministry_codes(world.ministry_code, world.type_code)[1])
    app.extensions[EXTENSION] = resources
    app.teardown_appcontext(_close_session)
    return resources


def resources() -> PortalResources:
    """Return the resources of the app handling this request."""
    return current_app.extensions[EXTENSION]


def get_session() -> Session:
    """Open the request's database session lazily; teardown closes it."""
    if "db_session" not in g:
        g.db_session = resources().sessions()
    return g.db_session


def get_clock() -> Clock:
    """Return the app's clock (simulated in replay and under `make run`)."""
    return resources().clock


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
