"""Tables of the national database: the portal's own, and the shared ones it keeps (`TABLES`).

`Licence` is the copy replication delivers (one row per certificate, its latest revision);
`AppliedChange` the idempotency log of the changes applied; `LicenceBinding` one bind …
unbind episode of a licence in a holder's 我的证照, so the rows of a holder and licence are
also its binding history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.accounts.models import ACCOUNT_TABLES
from shared.db import Base, Str16
from shared.models import LicenceFace, UsedNonce


class Licence(LicenceFace, Base):
    """The national portal's copy of a licence, as replication delivered it."""

    __tablename__ = "licences"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The change's kind and what the columns do not hold of the licence (its review records;
    # services.replica.licence_of puts it together); the list pages never need it.
    payload: Mapped[dict] = mapped_column(deferred=True)
    arrived_at: Mapped[datetime]   # first delivery
    updated_at: Mapped[datetime]   # latest applied change


class AppliedChange(Base):
    """A change the national portal has applied (or found superseded): the idempotency log."""

    __tablename__ = "applied_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[str] = mapped_column(String(32), unique=True)
    seq: Mapped[int]
    certificate_key: Mapped[str] = mapped_column(String(32))  # no index: nothing looks it up,
    revision: Mapped[int]                                      # and every apply would pay it
    outcome: Mapped[Str16]  # applied / superseded
    applied_at: Mapped[datetime]


class LicenceBinding(Base):
    """A licence shown in a holder's 我的证照 from `bound_at` until `unbound_at`."""

    __tablename__ = "licence_bindings"
    __table_args__ = (
        # at most one open binding per holder and licence
        Index("uq_licence_bindings_open", "account_id", "licence_row_id", unique=True,
              sqlite_where=text("unbound_at IS NULL"),
              postgresql_where=text("unbound_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    licence_row_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    face_check_id: Mapped[int | None] = mapped_column(ForeignKey("face_checks.id"))
    bound_at: Mapped[datetime]
    unbound_at: Mapped[datetime | None]
    licence: Mapped[Licence] = relationship(lazy="joined")


TABLES = (*ACCOUNT_TABLES, UsedNonce.__table__, Licence.__table__, AppliedChange.__table__,
          LicenceBinding.__table__)
DATA_TABLES = tuple(t for t in TABLES if t is not UsedNonce.__table__)  # nonces: wall time
