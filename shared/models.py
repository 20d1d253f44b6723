"""The issuance core's tables: the licence face, certificates, reviews, the outbox and its
replication state, and the nonces of signed calls.

The ministry's database holds all of them (`mem_portal.models.TABLES`); the national
portal's holds its own copy of licences (`national_portal.models`, on `LicenceFace`) and the
nonces. The account tables both keep are in `shared.accounts.models`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, Str16, Str32, Str64


class CardVersion(StrEnum):
    """新版 (since 2019-09-01) or the old IC card (旧版), which has no electronic licence."""

    NEW = "new"
    OLD_IC = "old_ic"


class Status(StrEnum):
    """A certificate's status: stored (valid, invalid, revoked, cancelled) or by date (expired)."""

    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"
    REVOKED = "revoked"
    CANCELLED = "cancelled"


class ChangeKind(StrEnum):
    """What a change to a certificate was (the outbox row's kind)."""

    ISSUED = "issued"
    REVIEWED = "reviewed"
    REISSUED = "reissued"
    RENEWED = "renewed"
    REVOKED = "revoked"
    CANCELLED = "cancelled"


class OutboxState(StrEnum):
    """Where an outbox row is in its delivery."""

    PENDING = "pending"
    DELIVERED = "delivered"
    BLOCKED = "blocked"


class LicenceFace:
    """The fields printed on the licence and carried in its metadata (domain reference §1)."""

    certificate_key: Mapped[str] = mapped_column(String(32), unique=True)  # stable across versions
    licence_id: Mapped[str] = mapped_column(String(128), unique=True)      # 证照标识 (current)
    licence_version: Mapped[int]
    revision: Mapped[int]                  # bumped by every change; orders replication
    holder_name: Mapped[Str64]
    holder_id_number: Mapped[str] = mapped_column(String(18), index=True)
    sex: Mapped[str] = mapped_column(String(2))
    cert_number: Mapped[Str32]             # 证号
    category: Mapped[Str64]                # 作业类别
    item: Mapped[Str64]                    # 操作项目
    first_issued_on: Mapped[date]          # 初领日期
    issued_on: Mapped[date]                # 证照颁发日期 (this version)
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    review_due_on: Mapped[date | None]     # 应复审日期
    review_passed_on: Mapped[date | None]  # last passing review in this validity period
    authority: Mapped[Str64]               # 签发机关 / 证照颁发机构
    authority_code: Mapped[str] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(6))
    archive_code: Mapped[Str32]            # 档案编码
    card_version: Mapped[Str16]            # CardVersion
    status: Mapped[Str16]                  # Status (stored: not EXPIRED, which is by date)
    status_reason: Mapped[str | None] = mapped_column(String(200))
    rule_set: Mapped[Str32]


class Certificate(LicenceFace, Base):
    """A certificate as the ministry holds it: the source of truth."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("holder_id_number", "category", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    reviews: Mapped[list[ReviewRecord]] = relationship(
        back_populates="certificate", order_by="ReviewRecord.id", lazy="selectin")


class ReviewRecord(Base):
    """One 复审 result of a certificate."""

    __tablename__ = "review_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    reviewed_on: Mapped[date]
    result: Mapped[Str16]  # pass / fail
    recorded_at: Mapped[datetime]
    certificate: Mapped[Certificate] = relationship(back_populates="reviews")


class OutboxEntry(Base):
    """A change to a certificate, written in the same transaction, waiting to be replicated.

    `visible_at` is fixed when the row is written (the lag policy then in force); NULL means
    the manual policy: the row waits until released through the control plane.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_visible", "state", "visible_at"),
        Index("ix_outbox_state_seq", "state", "seq"),
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[Str16]  # ChangeKind
    certificate_key: Mapped[str] = mapped_column(String(32), index=True)
    revision: Mapped[int]
    payload: Mapped[dict]
    created_at: Mapped[datetime]
    visible_at: Mapped[datetime | None]
    state: Mapped[Str16] = mapped_column(default=OutboxState.PENDING)  # OutboxState
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]


class ReplicationState(Base):
    """The replicator's lease, durable checkpoint and last run, kept by the ministry (one row)."""

    __tablename__ = "replication_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)  # "national"
    lease_holder: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    checkpoint: Mapped[int] = mapped_column(default=0)  # every seq <= checkpoint is delivered
    last_run_at: Mapped[datetime | None]
    last_run: Mapped[dict | None]
    tick_requested_at: Mapped[datetime | None]
    ticks: Mapped[int] = mapped_column(default=0)  # "run now" requests so far (a frozen clock
    #                                                 gives two requests the same time)
    # who asked for the lease (a snapshot): the holder gives it up at the end of its next run
    handover_to: Mapped[str | None] = mapped_column(String(64))


class UsedNonce(Base):
    """A nonce of a signed replication call, kept until the call would be refused as stale."""

    __tablename__ = "used_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


