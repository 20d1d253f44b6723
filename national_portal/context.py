"""Per-app resources (engine, sessions, clock) and per-request access to them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.clock import Clock
from shared.db import make_engine, make_sessionmaker

EXTENSION = "certsim"


@dataclass
class PortalResources:
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock


def init_resources(app, clock: Clock) -> PortalResources:
    """Build the engine and session factory of this app (called by create_app only)."""
    engine = make_engine(app.config["DATABASE_URL"])
    resources = PortalResources(engine, make_sessionmaker(engine), clock)
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


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
