"""Accounts on the national portal: SMS codes, 个人注册, login sessions, API tokens, 实人认证.

The account rules themselves live in `shared.accounts.services`; this module adds what is the
national portal's own: a login session per login (pages or API), its expiry on the portal's
clock, and face checks tied to it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from national_portal.forms import RegistrationInput
from national_portal.models import LoginSession
from shared.accounts import services as accounts
from shared.accounts.models import Account, FaceCheck, SmsMessage
from shared.clock import Clock
from shared.errors import DomainError, Duplicate, FieldErrors, InvalidInput, NotFound
from shared.identity import normalize_phone

SITE_NAME = "国家政务服务平台"
LOGIN_TTL = timedelta(minutes=30)
TOUCH_EVERY = timedelta(minutes=1)
FACE_PURPOSES = ("register", "licences", "bind")
TOKEN_SALT = "national-api-token"


class NotLoggedIn(DomainError):
    code = "not_logged_in"


def send_registration_code(session: Session, clock: Clock, phone: str, purpose: str) -> SmsMessage:
    """Send a registration SMS code unless the phone already has an account."""
    if purpose != "register":
        raise InvalidInput("purpose", "短信验证码用途应为 register")
    phone = normalize_phone(phone)
    if session.scalar(select(Account.id).where(Account.phone == phone)):
        raise Duplicate("phone", "该手机号码已注册")
    return accounts.send_sms_code(session, clock, phone, "register", SITE_NAME)


def register(session: Session, clock: Clock, submitted: RegistrationInput) -> Account:
    """Create a 个人用户 (the national form has no image captcha)."""
    if submitted.date_error:  # refuse before spending the SMS code, naming every bad field
        raise FieldErrors(accounts.form_problems(submitted.registration, clock)[1] |
                          {"id_valid_from": submitted.date_error})
    return accounts.register_account(session, clock, submitted.registration,
                                     require_captcha=False)


def log_in(session: Session, clock: Clock, login: str, password: str,
           channel: str) -> LoginSession:
    """Check the password (with lockout) and open a login session."""
    account = accounts.authenticate(session, clock, login, password)
    now = clock.now()
    login_session = LoginSession(marker=secrets.token_hex(16), account_id=account.id,
                                 channel=channel, started_at=now, last_seen_at=now)
    session.add(login_session)
    session.commit()
    return login_session


def log_out(session: Session, clock: Clock, marker: str) -> None:
    """End a login session; its token and face checks stop counting."""
    login_session = session.scalar(select(LoginSession).where(LoginSession.marker == marker))
    if login_session is not None and login_session.ended_at is None:
        login_session.ended_at = clock.now()
        session.commit()


def expires_at(login_session: LoginSession) -> datetime:
    """API tokens last 30 minutes from login; pages 30 minutes from the last request."""
    since = login_session.started_at if login_session.channel == "api" else login_session.last_seen_at
    return since + LOGIN_TTL


def current_login(session: Session, clock: Clock, marker: str | None) -> tuple[Account, LoginSession]:
    """Return the account and live login session of `marker`, or raise NotLoggedIn."""
    login_session = session.scalar(select(LoginSession).where(LoginSession.marker == (marker or "")))
    if login_session is None or login_session.ended_at is not None:
        raise NotLoggedIn(None, "请先登录")
    if clock.now() > expires_at(login_session):
        raise NotLoggedIn(None, "登录已超时，请重新登录")
    return accounts.get_account(session, login_session.account_id), login_session


def touch(session: Session, clock: Clock, login_session: LoginSession) -> None:
    """Record page activity so the page session lasts 30 minutes from now.

    Written at most once a minute: a page view need not cost a write for a rule whose
    granularity is minutes.
    """
    now = clock.now()
    if now - login_session.last_seen_at >= TOUCH_EVERY:
        login_session.last_seen_at = now
        session.commit()


def issue_token(secret_key: str, login_session: LoginSession) -> str:
    """Sign the bearer token: account id, login-session marker and login time."""
    return URLSafeSerializer(secret_key, salt=TOKEN_SALT).dumps(
        {"a": login_session.account_id, "m": login_session.marker,
         "t": login_session.started_at.isoformat()})


def marker_of_token(secret_key: str, token: str) -> str:
    """Return the login-session marker a token carries, or raise NotLoggedIn."""
    try:
        data = URLSafeSerializer(secret_key, salt=TOKEN_SALT).loads(token or "")
    except BadSignature:
        raise NotLoggedIn(None, "登录凭证无效，请重新登录") from None
    return str(data.get("m", ""))


def open_face_check(session: Session, clock: Clock, account: Account, marker: str,
                    purpose: str) -> FaceCheck:
    """Open a 实人认证 ticket bound to this login session."""
    if purpose not in FACE_PURPOSES:
        raise InvalidInput("purpose", "认证用途应为 register、licences 或 bind")
    return accounts.start_face_check(session, clock, account, purpose, marker)


def latest_face_check(session: Session, account: Account, marker: str) -> FaceCheck | None:
    """Return the newest face check opened in this login session, if any."""
    return session.scalar(select(FaceCheck).where(
        FaceCheck.account_id == account.id, FaceCheck.session_marker == marker
    ).order_by(FaceCheck.id.desc()).limit(1))


def passed_face_check(session: Session, clock: Clock, account: Account, marker: str) -> FaceCheck:
    """Return a passed face check of this login session, or raise identity_not_verified/failed."""
    passed = session.scalar(select(FaceCheck).where(
        FaceCheck.account_id == account.id, FaceCheck.session_marker == marker,
        FaceCheck.state == "passed").order_by(FaceCheck.id.desc()).limit(1))
    ticket = passed or latest_face_check(session, account, marker)
    token = ticket.token if ticket else None
    return accounts.require_face_check(session, clock, account, token, marker)


def own_face_check(session: Session, account: Account, token: str) -> FaceCheck:
    """Return the account's own face check, else raise NotFound."""
    ticket = accounts.get_face_check(session, token)
    if ticket.account_id != account.id:
        raise NotFound("token", "认证二维码无效")
    return ticket


def face_check_for_page(session: Session, clock: Clock, account: Account, marker: str, *,
                        purpose: str, renew: bool = False) -> FaceCheck:
    """Return the ticket a page shows: a passed one, the open or failed one, or a fresh one."""
    passed = session.scalar(select(FaceCheck).where(
        FaceCheck.account_id == account.id, FaceCheck.session_marker == marker,
        FaceCheck.state == "passed").order_by(FaceCheck.id.desc()).limit(1))
    if passed is not None:
        return passed
    latest = latest_face_check(session, account, marker)
    if latest is not None and not renew and \
            accounts.face_check_state(latest, clock.now()) in ("pending", "failed"):
        return latest
    return open_face_check(session, clock, account, marker, purpose)
