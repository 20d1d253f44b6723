"""Tables of the national database: the shared ones plus this portal's own.

`LoginSession` ties a login (page or API token) to the 实人认证 done during it;
`LicenceBinding` is one bind … unbind episode of a licence in a holder's 我的证照, so the
rows of a holder and licence are also its binding history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

import shared.models  # noqa: F401  (registers the shared tables on Base.metadata)
from shared.db import Base, Str16
from shared.models import Licence

NATIONAL = {"info": {"db": "national"}}


class LoginSession(Base):
    """One login of an account, through the pages ("web") or the JSON API ("api")."""

    __tablename__ = "login_sessions"
    __table_args__ = NATIONAL

    id: Mapped[int] = mapped_column(primary_key=True)
    marker: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[Str16]
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class LicenceBinding(Base):
    """A licence shown in a holder's 我的证照 from `bound_at` until `unbound_at`."""

    __tablename__ = "licence_bindings"
    __table_args__ = (
        # at most one open binding per holder and licence
        Index("uq_licence_bindings_open", "account_id", "licence_id", unique=True,
              sqlite_where=text("unbound_at IS NULL"),
              postgresql_where=text("unbound_at IS NULL")),
        NATIONAL,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    face_check_id: Mapped[int | None] = mapped_column(ForeignKey("face_checks.id"))
    bound_at: Mapped[datetime]
    unbound_at: Mapped[datetime | None]
    licence: Mapped[Licence] = relationship(lazy="joined")
