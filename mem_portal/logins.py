"""Logins of the ministry portal: open, find, end, and the face check each login needs.

A login is a `LoginSession` row; browser sessions keep its marker in the session cookie,
API clients in a signed bearer token. On the portal's clock, a browser session expires 30
minutes after its last request, a token 30 minutes after login; a logout ends both at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from mem_portal.models import LoginSession
from shared.accounts.models import Account, Captcha, FaceCheck
from shared.accounts.services import (
    authenticate,
    face_check_state,
    get_account,
    get_face_check,
    require_face_check,
    send_sms_code,
    start_face_check,
)
from shared.clock import Clock
from shared.errors import (
    DomainError,
    Duplicate,
    IdentityFailed,
    IdentityNotVerified,
    InvalidInput,
    NotFound,
)
from shared.identity import normalize_phone

LOGIN_TTL = timedelta(minutes=30)
SITE_NAME = "应急管理部政务服务平台"
SMS_PURPOSES = ("register",)
FACE_PURPOSES = ("licences",)


class NotLoggedIn(DomainError):
    code = "not_logged_in"


class RegistrationIncomplete(IdentityNotVerified):
    """The password was right, but the account never finished its 实人认证 step."""

    def __init__(self, account: Account):
        super().__init__("identity", "您的账户尚未完成实人认证，请完成认证后登录")
        self.account = account


def new_marker() -> str:
    """Return a fresh random login-session marker (32 hex characters)."""
    return secrets.token_hex(16)


def log_in(session: Session, clock: Clock, login: str, password: str,
           channel: str) -> LoginSession:
    """Check the password (five failures lock the account) and open a login session."""
    account = authenticate(session, clock, login, password)
    if account.identity_verified_at is None:
        raise RegistrationIncomplete(account)
    row = LoginSession(marker=new_marker(), account_id=account.id, channel=channel,
                       logged_in_at=clock.now(), ended_at=None)
    session.add(row)
    session.commit()
    return row


def current_login(session: Session, clock: Clock, marker: str | None, *,
                  active_since: datetime | None = None) -> LoginSession:
    """Return the open login with this marker, or raise NotLoggedIn when gone or expired.

    A login lasts LOGIN_TTL after the login time, or after `active_since` (the last page
    request of a browser session) when that is later.
    """
    row = session.scalar(select(LoginSession).where(LoginSession.marker == (marker or "")))
    if row is None or row.ended_at is not None:
        raise NotLoggedIn("login", "您未登录或已退出，请先登录")
    now, since = clock.now(), max(row.logged_in_at, active_since or row.logged_in_at)
    if not row.logged_in_at <= now <= since + LOGIN_TTL:
        raise NotLoggedIn("login", "登录已超时，请重新登录")
    return row


def log_out(session: Session, clock: Clock, marker: str | None) -> None:
    """End the login with this marker (nothing happens when there is none)."""
    row = session.scalar(select(LoginSession).where(LoginSession.marker == (marker or "")))
    if row is not None and row.ended_at is None:
        row.ended_at = clock.now()
        session.commit()


def account_of(session: Session, login: LoginSession) -> Account:
    """Return the account of a login."""
    return get_account(session, login.account_id)


def issue_token(secret: str, login: LoginSession) -> str:
    """Sign a bearer token carrying the account, the login marker and the login time."""
    serializer = URLSafeSerializer(secret, salt="mem-api-login")
    return serializer.dumps({"a": login.account_id, "m": login.marker,
                             "t": login.logged_in_at.isoformat()})


def read_token(session: Session, clock: Clock, secret: str, token: str) -> LoginSession:
    """Return the open login a bearer token names, or raise NotLoggedIn."""
    try:
        data = URLSafeSerializer(secret, salt="mem-api-login").loads(token or "")
    except BadSignature:
        raise NotLoggedIn("token", "登录凭证无效，请重新登录") from None
    login = current_login(session, clock, data.get("m"))
    if login.account_id != data.get("a"):
        raise NotLoggedIn("token", "登录凭证无效，请重新登录")
    return login


def send_register_code(session: Session, clock: Clock, phone: str, purpose: str = "register"):
    """Send a registration SMS code, refusing a phone that already has an account."""
    if purpose not in SMS_PURPOSES:
        raise InvalidInput("purpose", "验证码用途应为 register")
    phone = normalize_phone(phone)
    if session.scalar(select(Account.id).where(Account.phone == phone)):
        raise Duplicate("phone", "该手机号码已注册")
    return send_sms_code(session, clock, phone, purpose, SITE_NAME)


def start_registration_check(session: Session, clock: Clock, account_id: int) -> FaceCheck:
    """Open the 实人认证 ticket of the registration's second step."""
    account = get_account(session, account_id)
    if account.identity_verified_at is not None:
        raise InvalidInput("identity", "该账户已完成实人认证，请直接登录")
    return start_face_check(session, clock, account, "register", new_marker())


def complete_registration(session: Session, clock: Clock, token: str) -> Account:
    """Finish registration once its 实人认证 ticket has passed."""
    ticket = get_face_check(session, token)
    if ticket.purpose != "register":
        raise NotFound("token", "认证二维码无效")
    state = face_check_state(ticket, clock.now())
    if state == "failed":
        raise IdentityFailed("identity", "实人认证未通过，请重新认证")
    if state != "passed":
        raise IdentityNotVerified("identity", "请先完成实人认证")
    return get_account(session, ticket.account_id)


def start_login_check(session: Session, clock: Clock, login: LoginSession,
                      purpose: str = "licences") -> FaceCheck:
    """Open a face-check ticket for this login (我的证照 needs one per login)."""
    if purpose not in FACE_PURPOSES:
        raise InvalidInput("purpose", "认证用途应为 licences")
    return start_face_check(session, clock, account_of(session, login), purpose, login.marker)


def require_licences_check(session: Session, clock: Clock, login: LoginSession) -> FaceCheck:
    """Raise unless a 我的证照 face check has passed in this login."""
    tickets = list(session.scalars(select(FaceCheck).where(
        FaceCheck.account_id == login.account_id, FaceCheck.session_marker == login.marker,
        FaceCheck.purpose == "licences").order_by(FaceCheck.id.desc())))
    chosen = next((t for t in tickets if t.state == "passed"), tickets[0] if tickets else None)
    return require_face_check(session, clock, account_of(session, login),
                              chosen.token if chosen else None, login.marker)


def find_captcha(session: Session, token: str) -> Captcha:
    """Return the captcha with this token (to draw it, or for the control plane)."""
    captcha = session.scalar(select(Captcha).where(Captcha.token == (token or "")))
    if captcha is None:
        raise NotFound("captcha", "图片验证码不存在")
    return captcha
