"""Account services both portals use: captcha, SMS code, registration, login, face check.

Every function takes the session and the clock; those that change state commit once.
"""

from __future__ import annotations

import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.accounts.models import Account, Captcha, FaceCheck, LoginAttempts, SmsMessage
from shared.accounts.passwords import hash_password, password_problem, verify_password
from shared.clock import Clock
from shared.errors import (
    BadCredentials,
    DomainError,
    FieldErrors,
    IdentityFailed,
    IdentityNotVerified,
    InvalidInput,
    Locked,
    NotFound,
)
from shared.identity import (
    normalize_code,
    normalize_id_number,
    normalize_login,
    normalize_name,
    normalize_phone,
)

CAPTCHA_TTL = timedelta(minutes=5)
CAPTCHA_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SMS_TTL = timedelta(minutes=5)
SMS_RESEND_AFTER = timedelta(seconds=60)
SMS_PER_HOUR = 5
SMS_MAX_TRIES = 5
FACE_CHECK_TTL = timedelta(minutes=3)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=30)


def new_captcha(session: Session, clock: Clock) -> Captcha:
    """Create a one-use captcha; the portal renders its answer as an image."""
    now = clock.now()
    captcha = Captcha(token=secrets.token_hex(16),
                      answer="".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(4)),
                      created_at=now, expires_at=now + CAPTCHA_TTL)
    session.add(captcha)
    session.commit()
    return captcha


def use_captcha(session: Session, clock: Clock, token: str, answer: str) -> None:
    """Consume a captcha (even on a wrong answer) or raise InvalidInput on field captcha."""
    captcha = session.scalar(select(Captcha).where(Captcha.token == (token or "")))
    now = clock.now()
    if captcha is None or captcha.used_at is not None:
        raise InvalidInput("captcha", "图片验证码已失效，请刷新后重新输入")
    captcha.used_at = now
    if now > captcha.expires_at:
        raise InvalidInput("captcha", "图片验证码已过期，请刷新后重新输入")
    if not hmac.compare_digest(normalize_code(answer), captcha.answer):
        raise InvalidInput("captcha", "图片验证码不正确")


def send_sms_code(session: Session, clock: Clock, phone: str, purpose: str,
                  site: str) -> SmsMessage:
    """Send a 6-digit code to the simulated inbox, limited to one a minute and five an hour."""
    phone = normalize_phone(phone)
    now = clock.now()
    recent = list(session.scalars(select(SmsMessage).where(
        SmsMessage.phone == phone, SmsMessage.sent_at > now - timedelta(hours=1)
    ).order_by(SmsMessage.sent_at.desc())))
    if recent and now - recent[0].sent_at < SMS_RESEND_AFTER:
        wait = int((SMS_RESEND_AFTER - (now - recent[0].sent_at)).total_seconds()) + 1
        raise InvalidInput("sms_code", f"验证码发送过于频繁，请{wait}秒后再试")
    if len(recent) >= SMS_PER_HOUR:
        raise InvalidInput("sms_code", "该手机号1小时内获取验证码次数已达上限，请稍后再试")
    code = f"{secrets.randbelow(10**6):06d}"
    message = SmsMessage(phone=phone, purpose=purpose, code=code, sent_at=now,
                         expires_at=now + SMS_TTL, wrong_tries=0,
                         text=f"【{site}】您的验证码为{code}，5分钟内有效，请勿泄露给他人。")
    session.add(message)
    session.commit()
    return message


def check_sms_code(session: Session, clock: Clock, phone: str, code: str,
                   purpose: str) -> SmsMessage:
    """Return the latest code sent to `phone` if `code` is it, else raise InvalidInput.

    The code is not used up here (a form refused for another field keeps it). A check takes
    one of the code's five tries before comparing, atomically, so parallel guesses never get
    more than five; a right code gives its try back, a wrong one keeps it, and the fifth
    wrong one ends the code.
    """
    message = session.scalar(select(SmsMessage).where(
        SmsMessage.phone == phone, SmsMessage.purpose == purpose, SmsMessage.used_at.is_(None)
    ).order_by(SmsMessage.id.desc()).limit(1))
    if message is None:
        raise InvalidInput("sms_code", "请先获取短信验证码")
    if clock.now() > message.expires_at:
        raise InvalidInput("sms_code", "短信验证码已过期，请重新获取")
    tries = session.scalar(update(SmsMessage).where(
        SmsMessage.id == message.id, SmsMessage.wrong_tries < SMS_MAX_TRIES,
    ).values(wrong_tries=SmsMessage.wrong_tries + 1).returning(SmsMessage.wrong_tries))
    session.commit()
    if tries is None:
        raise InvalidInput("sms_code", "短信验证码错误次数过多，已失效，请重新获取")
    if not hmac.compare_digest(normalize_code(code), message.code):
        if tries >= SMS_MAX_TRIES:
            raise InvalidInput("sms_code", "短信验证码错误次数过多，已失效，请重新获取")
        raise InvalidInput("sms_code", f"短信验证码不正确，还可尝试{SMS_MAX_TRIES - tries}次")
    session.execute(update(SmsMessage).where(SmsMessage.id == message.id)
                    .values(wrong_tries=SmsMessage.wrong_tries - 1))
    return message


def sms_inbox(session: Session, phone: str) -> list[SmsMessage]:
    """Return the messages sent to one phone, newest first (control plane)."""
    return list(session.scalars(select(SmsMessage).where(SmsMessage.phone == phone)
                                .order_by(SmsMessage.id.desc())))


@dataclass(frozen=True)
class Registration:
    phone: str
    name: str
    id_number: str
    id_valid_from: date | None  # None = 长期有效
    password: str
    confirm_password: str
    captcha_token: str
    captcha_answer: str
    sms_code: str
    agree: bool


def form_problems(form: Registration, clock: Clock) -> tuple[dict[str, str], dict[str, str]]:
    """Check the fields that need no database; return (normalised values, problems)."""
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for field, check in (("phone", lambda: normalize_phone(form.phone)),
                         ("name", lambda: normalize_name(form.name)),
                         ("id_number", lambda: normalize_id_number(form.id_number,
                                                                   today=clock.today()))):
        try:
            values[field] = check()
        except InvalidInput as exc:
            problems[field] = exc.message
    if form.id_valid_from and form.id_valid_from > clock.today():
        problems["id_valid_from"] = "身份证有效开始时间不能晚于今天"
    if problem := password_problem(form.password or ""):
        problems["password"] = problem
    elif form.password != form.confirm_password:
        problems["confirm_password"] = "两次输入的密码不一致"
    if not form.agree:
        problems["agree"] = "请阅读并同意注册协议"
    return values, problems


def register_account(session: Session, clock: Clock, form: Registration, *,
                     require_captcha: bool = True) -> Account:
    """Check every field and create the account, using up the SMS code.

    The image captcha comes first: a wrong one is the only answer, telling nothing about the
    SMS code or about who is registered. Then the SMS code (a wrong one costs one of its five
    tries), and only for its owner the phone and ID number already registered. A refused form
    keeps a right SMS code valid. The national portal's form has no captcha
    (`require_captcha=False`).
    """
    values, errors = form_problems(form, clock)
    if require_captcha:
        try:
            use_captcha(session, clock, form.captcha_token, form.captcha_answer)
        except InvalidInput as exc:
            session.commit()  # the captcha is spent either way
            raise FieldErrors({**errors, "captcha": exc.message}) from None
    message = None
    if "phone" in values:
        try:
            message = check_sms_code(session, clock, values["phone"], form.sms_code, "register")
        except InvalidInput as exc:
            errors["sms_code"] = exc.message
    if message is not None:
        errors |= _registered(session, values)
    if errors:
        session.commit()
        raise _duplicate_or_fields(errors)
    account = Account(phone=values["phone"], name=values["name"], id_number=values["id_number"],
                      id_valid_from=form.id_valid_from, password_hash=hash_password(form.password),
                      created_at=clock.now(), identity_verified_at=None)
    message.used_at = clock.now()
    session.add(account)
    # Tries counted against these names before the account existed are not its own.
    session.execute(delete(LoginAttempts).where(
        LoginAttempts.login.in_([values["phone"], values["id_number"]])))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise FieldErrors({"phone": "该手机号码或身份证号已注册"}) from None
    return account


def _registered(session: Session, values: dict[str, str]) -> dict[str, str]:
    """Return an error for the phone and the ID number that already have an account."""
    errors = {}
    for field, column in (("phone", Account.phone), ("id_number", Account.id_number)):
        if field in values and session.scalar(select(Account.id).where(column == values[field])):
            errors[field] = "该手机号码已注册" if field == "phone" else "该身份证号已注册"
    return errors


def _duplicate_or_fields(errors: dict[str, str]) -> DomainError:
    error = FieldErrors(errors)
    if set(errors) <= {"phone", "id_number"} and all("已注册" in m for m in errors.values()):
        error.code = "duplicate"
    return error


def authenticate(session: Session, clock: Clock, login: str, password: str) -> Account:
    """Log in by phone or ID number; five wrong passwords lock the name for 30 minutes.

    Each try is counted before the password is checked, in one atomic UPDATE, so parallel
    guesses never get more than five checks. Unknown names are counted and locked the same
    way and answered with the same words: the answers never tell whether an account exists.
    """
    name = normalize_login(login)
    account = session.scalar(select(Account).where(
        (Account.phone == name) | (Account.id_number == name))) if name else None
    key, now = (account.phone if account else name[:32]), clock.now()
    failures = _count_try(session, key, now)
    if failures is None:
        raise _locked(session, key, now)
    if failures > MAX_FAILED_LOGINS:  # tries beyond the allowance, sent while others ran
        raise _lock(session, key, now)
    if account is not None and verify_password(account.password_hash, password or ""):
        _attempts_where(session, key, now, failures=0)
        session.commit()
        return account
    if account is None:
        verify_password(_decoy_hash(), password or "")  # the same time as a wrong password
    if failures == MAX_FAILED_LOGINS:
        raise _lock(session, key, now)
    raise BadCredentials("password", f"用户名或密码错误，还可尝试{MAX_FAILED_LOGINS - failures}次")


def _unlocked(now: datetime):
    return (LoginAttempts.locked_until.is_(None)) | (LoginAttempts.locked_until <= now)


def _count_try(session: Session, key: str, now: datetime) -> int | None:
    """Add one try to the name's count unless it is locked; return the count (None: locked)."""
    if session.get(LoginAttempts, key) is None:
        session.add(LoginAttempts(login=key, failures=0, locked_until=None))
        try:
            session.commit()
        except IntegrityError:  # another request made the row first
            session.rollback()
    failures = session.scalar(update(LoginAttempts).where(
        LoginAttempts.login == key, _unlocked(now),
    ).values(failures=LoginAttempts.failures + 1).returning(LoginAttempts.failures))
    session.commit()
    return failures


def _attempts_where(session: Session, key: str, now: datetime, **values) -> None:
    session.execute(update(LoginAttempts).where(LoginAttempts.login == key, _unlocked(now))
                    .values(**values))


def _lock(session: Session, key: str, now: datetime) -> Locked:
    """Lock the name for LOCKOUT (unless already locked) and return the error to raise."""
    _attempts_where(session, key, now, failures=0, locked_until=now + LOCKOUT)
    session.commit()
    return Locked("login", "密码错误次数过多，账户已锁定30分钟")


def _locked(session: Session, key: str, now: datetime) -> Locked:
    until = session.scalar(select(LoginAttempts.locked_until).where(LoginAttempts.login == key))
    minutes = math.ceil((until - now).total_seconds() / 60) if until else 30
    return Locked("login", f"密码错误次数过多，账户已锁定，请{minutes}分钟后再试")


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def get_account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("account", "账户不存在")
    return account


def start_face_check(session: Session, clock: Clock, account: Account, purpose: str,
                     session_marker: str) -> FaceCheck:
    """Open a face-check ticket for the account in this login session."""
    now = clock.now()
    ticket = FaceCheck(token=secrets.token_hex(16), account_id=account.id, purpose=purpose,
                       state="pending", created_at=now, expires_at=now + FACE_CHECK_TTL,
                       session_marker=session_marker)
    session.add(ticket)
    session.commit()
    return ticket


def face_check_state(ticket: FaceCheck, now: datetime) -> str:
    """pending, passed, failed or expired (a pending ticket past its time)."""
    if ticket.state == "pending" and now > ticket.expires_at:
        return "expired"
    return ticket.state


def get_face_check(session: Session, token: str) -> FaceCheck:
    ticket = session.scalar(select(FaceCheck).where(FaceCheck.token == (token or "")))
    if ticket is None:
        raise NotFound("token", "认证二维码无效")
    return ticket


def decide_face_check(session: Session, clock: Clock, token: str, passed: bool) -> FaceCheck:
    """Record the app's verdict (开始人脸识别 → pass/fail) on a pending ticket."""
    ticket = get_face_check(session, token)
    state = face_check_state(ticket, clock.now())
    if state != "pending":
        raise InvalidInput("token", {"expired": "二维码已过期，请刷新二维码",
                                     "passed": "该二维码已完成认证",
                                     "failed": "该二维码认证未通过，请刷新二维码"}[state])
    ticket.state, ticket.decided_at = ("passed" if passed else "failed"), clock.now()
    if passed and ticket.purpose == "register":
        get_account(session, ticket.account_id).identity_verified_at = clock.now()
    session.commit()
    return ticket


def require_face_check(session: Session, clock: Clock, account: Account, token: str | None,
                       session_marker: str) -> FaceCheck:
    """Raise unless `token` is a passed face check of this account in this login session."""
    ticket = session.scalar(select(FaceCheck).where(FaceCheck.token == (token or "")))
    if ticket is None or ticket.account_id != account.id or ticket.session_marker != session_marker:
        raise IdentityNotVerified("identity", "请先进行实人身份认证")
    state = face_check_state(ticket, clock.now())
    if state == "failed":
        raise IdentityFailed("identity", "实人认证未通过，请重新认证")
    if state != "passed":
        raise IdentityNotVerified("identity", "请先进行实人身份认证")
    return ticket


def account_count(session: Session) -> int:
    return session.scalar(select(func.count(Account.id))) or 0
