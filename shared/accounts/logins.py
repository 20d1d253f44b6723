"""Logins, the same on both portals: a password (five wrong ones lock the name for 30 minutes)
opens one, a logout or time ends it.

A login is a `LoginSession` row; a browser keeps its marker in the session cookie, an API
client in a signed bearer token (shared.web.logins). On the portal's (simulated) clock a page
login lasts 30 minutes after its last request, recorded at most once a minute; an API token
30 minutes after the login itself.
"""

from __future__ import annotations

import math
import secrets
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.accounts.models import Account, LoginAttempts, LoginChannel, LoginSession
from shared.accounts.passwords import PRODUCTION, decoy_hash, verify_password
from shared.clock import Clock
from shared.errors import (
    BadCredentials,
    DomainError,
    FieldErrors,
    IdentityNotVerified,
    Locked,
    NotFound,
)
from shared.identity import normalize_login

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=30)
LOGIN_TTL = timedelta(minutes=30)
TOUCH_EVERY = timedelta(minutes=1)  # a page view need not cost a write for a rule in minutes


class NotLoggedIn(DomainError):
    code = "not_logged_in"


class RegistrationIncomplete(IdentityNotVerified):
    """The password was right, but the account never finished its 实人认证 step."""

    def __init__(self, account: Row):
        super().__init__("identity", "您的账户尚未完成实人认证，请完成认证后登录")
        self.account = account


def log_in(session: Session, clock: Clock, login: str, password: str, channel: str, *,
           require_verified: bool = False, password_cost: str = PRODUCTION) -> SeenLogin:
    """Check the password (with lockout) and open a login (returned as a request reads one);
    the ministry also asks for 实人认证.

    `password_cost` is the portal's PASSWORD_COST (the cost of the decoy an unknown name is
    checked against)."""
    account = authenticate(session, clock, login, password, password_cost)
    if require_verified and account.identity_verified_at is None:
        raise RegistrationIncomplete(account)
    now = clock.now()
    opened = {"marker": secrets.token_hex(16), "account_id": account.id, "channel": channel,
              "started_at": now, "last_seen_at": now, "ended_at": None}
    login_id = session.scalar(OPEN, opened)
    session.commit()
    return SeenLogin(id=login_id, **opened,
                     account=SeenAccount._make(getattr(account, f) for f in SeenAccount._fields))


class SeenAccount(NamedTuple):
    """The account of a login as a request reads it (its columns but the password hash)."""

    id: int
    phone: str
    id_number: str
    name: str
    id_valid_from: date | None
    created_at: datetime
    identity_verified_at: datetime | None


class SeenLogin(NamedTuple):
    """A login as a request reads it (a page or an API call), with its account: columns, not
    ORM objects (loading the two ORM objects cost twice the query). `touch` writes it back by
    id."""

    id: int
    marker: str
    account_id: int
    channel: str
    started_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    account: SeenAccount


LOGINS, ACCOUNTS = LoginSession.__table__, Account.__table__
_SEEN = [LOGINS.c[name] for name in SeenLogin._fields[:-1]]
_SEEN_ACCOUNT = [ACCOUNTS.c[name] for name in SeenAccount._fields]
# Built once: every page request and API call of a logged-in holder runs it.
SEEN_BY_MARKER = (select(*_SEEN, *_SEEN_ACCOUNT).join(ACCOUNTS, ACCOUNTS.c.id == LOGINS.c.account_id)
                  .where(LOGINS.c.marker == bindparam("marker")))
# Built once: the phone app, the control plane and registration's last step name the holder.
BY_ID = select(*_SEEN_ACCOUNT).where(ACCOUNTS.c.id == bindparam("account"))
# On the table, not the class: an ORM-enabled UPDATE costs three times the statement.
TOUCH = (update(LOGINS).where(LOGINS.c.id == bindparam("login_id"))
         .values(last_seen_at=bindparam("seen")))
OPEN = insert(LOGINS).returning(LOGINS.c.id)  # built once; a statement costs half an ORM flush
# Built once: every logout runs it; one statement, no login loaded first.
END = (update(LOGINS).where(LOGINS.c.marker == bindparam("ending"), LOGINS.c.ended_at.is_(None))
       .values(ended_at=bindparam("now")))


def expires_at(login: SeenLogin) -> datetime:
    """API tokens last 30 minutes from login; pages 30 minutes from their last request."""
    return (login.started_at if login.channel == LoginChannel.API else login.last_seen_at) + LOGIN_TTL


def seen_login(session: Session, clock: Clock, marker: str | None) -> SeenLogin:
    """Return the open login with this marker and its account as a page or an API call reads
    them, or raise NotLoggedIn when gone or expired."""
    row = session.execute(SEEN_BY_MARKER, {"marker": marker or ""}).first()
    split = len(_SEEN)
    return _open(row and SeenLogin(*row[:split], SeenAccount._make(row[split:])), clock)


def _open(login, clock: Clock):
    if login is None or login.ended_at is not None:
        raise NotLoggedIn("login", "您未登录或已退出，请先登录")
    if not login.started_at <= clock.now() <= expires_at(login):
        raise NotLoggedIn("login", "登录已超时，请重新登录")
    return login


def touch(session: Session, clock: Clock, login: SeenLogin) -> None:
    """Record page activity, so the page login lasts 30 minutes from now."""
    now = clock.now()
    if now - login.last_seen_at >= TOUCH_EVERY:
        session.execute(TOUCH, {"login_id": login.id, "seen": now})
        session.commit()


def log_out(session: Session, clock: Clock, marker: str | None) -> None:
    """End the login with this marker (nothing happens when there is none)."""
    session.execute(END, {"ending": marker or "", "now": clock.now()})
    session.commit()


def account_of(session: Session, login: SeenLogin) -> SeenAccount:
    """Return the account of a login (loaded with it)."""
    return login.account


def get_account(session: Session, account_id: int) -> SeenAccount:
    """Return an account as a request reads it (its columns but the password hash)."""
    account = session.execute(BY_ID, {"account": account_id}).first()
    if account is None:
        raise NotFound("account", "账户不存在")
    return SeenAccount._make(account)


def authenticate(session: Session, clock: Clock, login: str, password: str,
                 password_cost: str = PRODUCTION) -> Row:
    """Log in by phone or ID number (the account's row is returned); five wrong passwords
    lock the name for 30 minutes.

    An empty name or password is asked for (FieldErrors) before anything is counted. Each
    try is counted before the password is checked, in one atomic UPDATE, so parallel
    guesses never get more than five checks. Unknown names are counted and locked the same
    way and answered with the same words: the answers never tell whether an account exists.
    """
    _require_both(login, password)
    name = normalize_login(login)
    account = session.execute(ACCOUNT_BY_NAME, {"name": name}).first() if name else None
    key, now = (account.phone if account else name[:32]), clock.now()
    failures = _count_try(session, key, now)
    if failures is None:
        raise _locked(session, key, now)
    if failures > MAX_FAILED_LOGINS:  # tries beyond the allowance, sent while others ran
        raise _lock(session, key, now)
    if account is not None and verify_password(account.password_hash, password or ""):
        session.execute(RESET_TRIES, {"key": key, "now": now})
        session.commit()
        return account
    if account is None:
        verify_password(decoy_hash(password_cost), password or "")  # the same time as a wrong password
    if failures == MAX_FAILED_LOGINS:
        raise _lock(session, key, now)
    raise BadCredentials("password", f"用户名或密码错误，还可尝试{MAX_FAILED_LOGINS - failures}次")


def _require_both(login: str, password: str) -> None:
    """Ask for what the form left empty (no try is counted for it)."""
    missing = {field: message for field, value, message in (
        ("login", (login or "").strip(), "请输入手机号码或身份证号"),
        ("password", password or "", "请输入密码")) if not value}
    if missing:
        raise FieldErrors(missing)


# Built once, as every login runs them: the account named, and the tries of a name ("key")
# counted, reset or locked while it is not locked at "now".
ACCOUNT_BY_NAME = select(*ACCOUNTS.c).where(
    (ACCOUNTS.c.phone == bindparam("name")) | (ACCOUNTS.c.id_number == bindparam("name")))
TRIES = LoginAttempts.__table__
_UNLOCKED = (TRIES.c.login == bindparam("key")) & (
    TRIES.c.locked_until.is_(None) | (TRIES.c.locked_until <= bindparam("now")))
RESET_TRIES = update(TRIES).where(_UNLOCKED).values(failures=0)
LOCK = update(TRIES).where(_UNLOCKED).values(failures=0, locked_until=bindparam("until"))
LOCKED_UNTIL = select(TRIES.c.locked_until).where(TRIES.c.login == bindparam("key"))


def _count_try_statement(insert_for_dialect):
    """One try counted in one statement: the name's first try makes its row, a later one adds
    to it, a locked name returns nothing (an upsert, as SQLite and PostgreSQL write it)."""
    return (insert_for_dialect(TRIES).values(login=bindparam("key"), failures=1,
                                             locked_until=None)
            .on_conflict_do_update(index_elements=[TRIES.c.login],
                                   set_={"failures": TRIES.c.failures + 1},
                                   where=TRIES.c.locked_until.is_(None)
                                   | (TRIES.c.locked_until <= bindparam("now")))
            .returning(TRIES.c.failures))


COUNT_TRY = {"sqlite": _count_try_statement(sqlite.insert),
             "postgresql": _count_try_statement(postgresql.insert)}  # built once


def _count_try(session: Session, key: str, now: datetime) -> int | None:
    """Add one try to the name's count unless it is locked; return the count (None: locked)."""
    statement = COUNT_TRY[session.get_bind().dialect.name]
    failures = session.scalar(statement, {"key": key, "now": now})
    session.commit()
    return failures


def _lock(session: Session, key: str, now: datetime) -> Locked:
    """Lock the name for LOCKOUT (unless already locked) and return the error to raise."""
    session.execute(LOCK, {"key": key, "now": now, "until": now + LOCKOUT})
    session.commit()
    return Locked("login", "密码错误次数过多，账户已锁定30分钟")


def _locked(session: Session, key: str, now: datetime) -> Locked:
    until = session.scalar(LOCKED_UNTIL, {"key": key})
    minutes = math.ceil((until - now).total_seconds() / 60) if until else 30
    return Locked("login", f"密码错误次数过多，账户已锁定，请{minutes}分钟后再试")

