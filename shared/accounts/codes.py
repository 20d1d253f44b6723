"""Verification codes of registration: the image captcha (one use) and the SMS code.

Every function takes the session and the clock; those that change state commit once.
"""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import timedelta

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from shared.accounts.models import Account, Captcha, SmsMessage
from shared.clock import Clock
from shared.errors import Duplicate, InvalidInput, NotFound
from shared.identity import normalize_code, normalize_phone

CAPTCHA_TTL = timedelta(minutes=5)
CAPTCHA_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SMS_TTL = timedelta(minutes=5)
SMS_RESEND_AFTER = timedelta(seconds=60)
SMS_PER_HOUR = 5
SMS_MAX_TRIES = 5
SMS_PURPOSE = "register"  # codes are only sent for registration

CAPTCHAS, MESSAGES = Captcha.__table__, SmsMessage.__table__
# Built once, as every registration and its codes run them; rows, not ORM objects, where only
# columns are read.
CAPTCHA = select(*CAPTCHAS.c).where(CAPTCHAS.c.token == bindparam("token"))
NEW_CAPTCHA = insert(CAPTCHAS).returning(*CAPTCHAS.c)  # a statement costs half an ORM flush
# One statement spends a captcha and reads what the answer is checked against: a second use
# finds it spent.
SPEND_CAPTCHA = (update(CAPTCHAS)
                 .where(CAPTCHAS.c.token == bindparam("spent"), CAPTCHAS.c.used_at.is_(None))
                 .values(used_at=bindparam("now"))
                 .returning(CAPTCHAS.c.answer, CAPTCHAS.c.expires_at))
PHONE_TAKEN = select(Account.__table__.c.id).where(Account.__table__.c.phone == bindparam("phone"))
SENT_SINCE = (select(MESSAGES.c.sent_at)
              .where(MESSAGES.c.phone == bindparam("phone"),
                     MESSAGES.c.sent_at > bindparam("since"))
              .order_by(MESSAGES.c.sent_at.desc()))
LATEST_CODE = (select(MESSAGES.c.id, MESSAGES.c.code, MESSAGES.c.expires_at)
               .where(MESSAGES.c.phone == bindparam("phone"),
                      MESSAGES.c.purpose == bindparam("purpose"), MESSAGES.c.used_at.is_(None))
               .order_by(MESSAGES.c.id.desc()).limit(1))
TAKE_TRY = (update(MESSAGES)
            .where(MESSAGES.c.id == bindparam("message"), MESSAGES.c.wrong_tries < SMS_MAX_TRIES)
            .values(wrong_tries=MESSAGES.c.wrong_tries + 1).returning(MESSAGES.c.wrong_tries))
GIVE_TRY_BACK = (update(MESSAGES).where(MESSAGES.c.id == bindparam("message"))
                 .values(wrong_tries=MESSAGES.c.wrong_tries - 1))
USE_CODE = (update(MESSAGES).where(MESSAGES.c.id == bindparam("message"))
            .values(used_at=bindparam("now")))
INBOX = (select(*MESSAGES.c).where(MESSAGES.c.phone == bindparam("phone"))
         .order_by(MESSAGES.c.id.desc()))
NEW_MESSAGE = insert(MESSAGES).returning(*MESSAGES.c)  # as NEW_CAPTCHA: no ORM flush


def new_captcha(session: Session, clock: Clock) -> Row:
    """Create a one-use captcha (its row); the portal renders its answer as an image."""
    now = clock.now()
    captcha = session.execute(NEW_CAPTCHA, {
        "token": secrets.token_hex(16),
        "answer": "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(4)),
        "created_at": now, "expires_at": now + CAPTCHA_TTL, "used_at": None}).one()
    session.commit()
    return captcha


def find_captcha(session: Session, token: str) -> Row:
    """Return the captcha with this token (to draw it, or for the control plane)."""
    captcha = session.execute(CAPTCHA, {"token": token or ""}).first()
    if captcha is None:
        raise NotFound("captcha", "图片验证码不存在")
    return captcha


def current_captchas(session: Session, clock: Clock, limit: int = 5) -> list[Captcha]:
    """Return the captchas still good for a try, newest first (the console shows them)."""
    return list(session.scalars(select(Captcha).where(
        Captcha.used_at.is_(None), Captcha.expires_at >= clock.now(),
    ).order_by(Captcha.id.desc()).limit(limit)))


def use_captcha(session: Session, clock: Clock, token: str, answer: str) -> None:
    """Consume a captcha (even on a wrong answer) or raise InvalidInput on field captcha."""
    now = clock.now()
    captcha = session.execute(SPEND_CAPTCHA, {"spent": token or "", "now": now}).first()
    if captcha is None:
        raise InvalidInput("captcha", "图片验证码已失效，请刷新后重新输入")
    if now > captcha.expires_at:
        raise InvalidInput("captcha", "图片验证码已过期，请刷新后重新输入")
    if not hmac.compare_digest(normalize_code(answer), captcha.answer):
        raise InvalidInput("captcha", "图片验证码不正确")


def send_registration_code(session: Session, clock: Clock, phone: str, purpose: str,
                           site: str):
    """获取验证码: send a registration code, unless the phone already has an account."""
    if purpose != SMS_PURPOSE:
        raise InvalidInput("purpose", "短信验证码用途应为 register")
    phone = normalize_phone(phone)
    if session.scalar(PHONE_TAKEN, {"phone": phone}):
        raise Duplicate("phone", "该手机号码已注册")
    return send_sms_code(session, clock, phone, purpose, site)


def send_sms_code(session: Session, clock: Clock, phone: str, purpose: str,
                  site: str) -> Row:
    """Send a 6-digit code to the simulated inbox, limited to one a minute and five an hour."""
    phone = normalize_phone(phone)
    now = clock.now()
    recent = list(session.scalars(SENT_SINCE, {"phone": phone, "since": now - timedelta(hours=1)}))
    if recent and now - recent[0] < SMS_RESEND_AFTER:
        wait = math.ceil((SMS_RESEND_AFTER - (now - recent[0])).total_seconds())  # 60 at once
        raise InvalidInput("sms_code", f"验证码发送过于频繁，请{wait}秒后再试")
    if len(recent) >= SMS_PER_HOUR:
        raise InvalidInput("sms_code", "该手机号1小时内获取验证码次数已达上限，请稍后再试")
    code = f"{secrets.randbelow(10**6):06d}"
    message = session.execute(NEW_MESSAGE, {
        "phone": phone, "purpose": purpose, "code": code, "sent_at": now,
        "expires_at": now + SMS_TTL, "used_at": None, "wrong_tries": 0,
        "text": f"【{site}】您的验证码为{code}，5分钟内有效，请勿泄露给他人。"}).one()
    session.commit()
    return message


def check_sms_code(session: Session, clock: Clock, phone: str, code: str,
                   purpose: str) -> Row:
    """Return the latest code sent to `phone` (its id, code and expiry) if `code` is it, else
    raise InvalidInput.

    The code is not used up here (a form refused for another field keeps it). A check takes
    one of the code's five tries before comparing, atomically, so parallel guesses never get
    more than five; a right code gives its try back, a wrong one keeps it, and the fifth
    wrong one ends the code.
    """
    message = session.execute(LATEST_CODE, {"phone": phone, "purpose": purpose}).first()
    if message is None:
        raise InvalidInput("sms_code", "请先获取短信验证码")
    if clock.now() > message.expires_at:
        raise InvalidInput("sms_code", "短信验证码已过期，请重新获取")
    tries = session.scalar(TAKE_TRY, {"message": message.id})
    session.commit()
    if tries is None:
        raise InvalidInput("sms_code", "短信验证码错误次数过多，已失效，请重新获取")
    if not hmac.compare_digest(normalize_code(code), message.code):
        if tries >= SMS_MAX_TRIES:
            raise InvalidInput("sms_code", "短信验证码错误次数过多，已失效，请重新获取")
        raise InvalidInput("sms_code", f"短信验证码不正确，还可尝试{SMS_MAX_TRIES - tries}次")
    session.execute(GIVE_TRY_BACK, {"message": message.id})
    return message


def sms_inbox(session: Session, phone: str) -> list[Row]:
    """Return the messages sent to one phone, newest first (control plane)."""
    return list(session.execute(INBOX, {"phone": phone}))
