"""Tables of the mem database: the shared ones plus this portal's own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

import shared.models  # noqa: F401  (registers the shared tables on Base.metadata)
from shared.db import Base, Str16

MEM = {"info": {"db": "mem"}}


class LoginSession(Base):
    """One login of an account (a browser session or an API token).

    The `marker` ties face-check tickets to this login; a logout ends it, and it expires
    on the portal's clock, never on the wall clock.
    """

    __tablename__ = "mem_login_sessions"
    __table_args__ = MEM

    id: Mapped[int] = mapped_column(primary_key=True)
    marker: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[Str16]               # web or api
    logged_in_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]    # logout
