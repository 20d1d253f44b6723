"""Account tables: each portal keeps its own accounts, logins and codes in its own database."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, Str16, Str32, Str64


class FaceCheckState(StrEnum):
    """A face check ticket: decided by the phone app, or EXPIRED (by time, never stored)."""

    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"
    EXPIRED = "expired"


class FacePurpose(StrEnum):
    """What a face check is for."""

    REGISTER = "register"    # the ministry's registration, step 2
    LICENCES = "licences"    # 我的证照 on the ministry portal
    BIND = "bind"            # 绑定证照 on the national portal


class LoginChannel(StrEnum):
    """How a login is held: a browser's session cookie or an API bearer token."""

    WEB = "web"
    API = "api"


class Account(Base):
    """A natural person's account (自然人用户 / 个人用户)."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[Str64]
    id_valid_from: Mapped[date | None]      # None = 长期有效
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    identity_verified_at: Mapped[datetime | None]  # registration's 实人认证 step


class LoginSession(Base):
    """One login of an account, through the pages ("web") or the JSON API ("api").

    The `marker` ties face checks to this login; a logout ends it. It expires on the
    portal's clock (shared.accounts.logins), never on the wall clock.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    marker: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[Str16]
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # Loaded with the login: every page of a logged-in holder needs both (one query, not two).
    account: Mapped[Account] = relationship(lazy="joined", innerjoin=True)


class LoginAttempts(Base):
    """Wrong passwords counted per login name (known or not), and the lock they led to.

    Keyed by the name typed, canonical for an account (its phone), so an unknown name locks
    exactly as a known one does and the answers never tell whether an account exists.
    """

    __tablename__ = "login_attempts"

    login: Mapped[str] = mapped_column(String(32), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]


class SmsMessage(Base):
    """A verification code sent to a phone (the simulated SMS inbox)."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), index=True)
    purpose: Mapped[Str16]
    code: Mapped[str] = mapped_column(String(6))
    text: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    wrong_tries: Mapped[int] = mapped_column(default=0)  # five wrong codes end it


class Captcha(Base):
    """An image captcha: one use, expires."""

    __tablename__ = "captchas"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    answer: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class FaceCheck(Base):
    """A 实人认证 ticket: the desktop page shows its QR, the simulated app page decides it."""

    __tablename__ = "face_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    purpose: Mapped[Str16]          # FacePurpose
    state: Mapped[Str16]            # FaceCheckState (never EXPIRED: that is by time)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    scanned_at: Mapped[datetime | None]  # the phone app opened it (the desktop says 已扫码)
    decided_at: Mapped[datetime | None]
    session_marker: Mapped[Str32]   # ties the ticket to one login session


ACCOUNT_TABLES = tuple(model.__table__ for model in (
    Account, LoginSession, LoginAttempts, SmsMessage, Captcha, FaceCheck))
