"""自然人用户注册 / 个人注册: the form, its checks and the account it creates.

Both portals read the same fields (a page form or JSON); the ministry's form also has an image
captcha. Every field error is reported at once; nothing is written for a refused form but the
captcha's use and a wrong SMS code's try.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Row, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.accounts.codes import SMS_PURPOSE, USE_CODE, check_sms_code, use_captcha
from shared.accounts.models import Account, LoginAttempts
from shared.accounts.passwords import PRODUCTION, hash_password, password_problem
from shared.clock import Clock
from shared.errors import DomainError, FieldErrors, InvalidInput
from shared.identity import normalize_id_number, normalize_name, normalize_phone

CHECKED = ("1", "on", "true")
ACCOUNTS, TRIES = Account.__table__, LoginAttempts.__table__
# Built once, as every registration runs them: who has the phone or the ID number already,
# and the tries counted against both names.
HOLDING = select(ACCOUNTS.c.phone, ACCOUNTS.c.id_number).where(
    (ACCOUNTS.c.phone == bindparam("phone")) | (ACCOUNTS.c.id_number == bindparam("id_number")))
FORGET_TRIES = delete(TRIES).where(TRIES.c.login.in_([bindparam("phone"), bindparam("id_number")]))
NEW_ACCOUNT = insert(ACCOUNTS).returning(*ACCOUNTS.c)  # a statement costs half an ORM flush


@dataclass(frozen=True)
class Registration:
    """What a registration form says, as typed (checked by `form_problems`)."""

    phone: str
    name: str
    id_number: str
    id_valid_from: str          # YYYY-MM-DD, or "" with id_long_term
    id_long_term: bool          # 长期有效
    password: str
    confirm_password: str
    sms_code: str
    agree: bool
    captcha_token: str = ""
    captcha_answer: str = ""


TEXT_FIELDS = ("phone", "name", "id_number", "password", "confirm_password", "sms_code",
               "captcha_token", "captcha_answer")


def registration_from_form(form: Mapping[str, str]) -> Registration:
    """Read a registration page's form (a date input with a 长期有效 checkbox)."""
    return Registration(**{name: _text(form, name) for name in TEXT_FIELDS},
                        id_valid_from=_text(form, "id_valid_from"),
                        id_long_term=form.get("id_long_term") in CHECKED,
                        agree=form.get("agree") in CHECKED)


def registration_from_json(data: Mapping) -> Registration:
    """Read POST /api/v1/register: `id_valid_from` must be given, null meaning 长期有效."""
    valid_from = data.get("id_valid_from", "")
    return Registration(**{name: _text(data, name) for name in TEXT_FIELDS},
                        id_valid_from=valid_from if isinstance(valid_from, str) else "",
                        id_long_term="id_valid_from" in data and valid_from is None,
                        agree=data.get("agree") is True)


def _text(data: Mapping, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _valid_from(form: Registration, today: date) -> date | None:
    """Return the 身份证有效开始时间 (None for 长期有效), or raise InvalidInput."""
    if form.id_long_term:
        return None
    if not form.id_valid_from.strip():
        raise InvalidInput("id_valid_from", "请选择身份证有效开始时间，或勾选长期有效")
    try:
        day = date.fromisoformat(form.id_valid_from.strip())
    except ValueError:
        raise InvalidInput("id_valid_from", "身份证有效开始时间格式应为YYYY-MM-DD") from None
    if day > today:
        raise InvalidInput("id_valid_from", "身份证有效开始时间不能晚于今天")
    return day


def form_problems(form: Registration, clock: Clock) -> tuple[dict, dict[str, str]]:
    """Check the fields that need no database; return (normalised values, problems)."""
    values: dict = {}
    problems: dict[str, str] = {}
    for field, check in (("phone", lambda: normalize_phone(form.phone)),
                         ("name", lambda: normalize_name(form.name)),
                         ("id_number", lambda: normalize_id_number(form.id_number,
                                                                   today=clock.today())),
                         ("id_valid_from", lambda: _valid_from(form, clock.today()))):
        try:
            values[field] = check()
        except InvalidInput as exc:
            problems[field] = exc.message
    if problem := password_problem(form.password or ""):
        problems["password"] = problem
    if form.password != form.confirm_password:  # said even when the password is refused too
        problems["confirm_password"] = "两次输入的密码不一致"
    if not form.agree:
        problems["agree"] = "请阅读并同意注册协议"
    return values, problems


def register_account(session: Session, clock: Clock, form: Registration, *,
                     require_captcha: bool = True, password_cost: str = PRODUCTION) -> Row:
    """Check every field and create the account (its row), using up the SMS code.

    The image captcha comes first: a wrong one is the only answer, telling nothing about the
    SMS code or about who is registered. Then the SMS code (a wrong one costs one of its five
    tries), and only for its owner the phone and ID number already registered. A refused form
    keeps a right SMS code valid. The national portal's form has no captcha
    (`require_captcha=False`). The password is hashed at the portal's `password_cost`.
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
            message = check_sms_code(session, clock, values["phone"], form.sms_code,
                                     SMS_PURPOSE)
        except InvalidInput as exc:
            errors["sms_code"] = exc.message
    if message is not None:
        errors |= _registered(session, values)
    if errors:
        session.commit()
        raise _duplicate_or_fields(errors)
    password_hash = hash_password(form.password, password_cost)
    session.execute(USE_CODE, {"message": message.id, "now": clock.now()})
    # Tries counted against these names before the account existed are not its own.
    session.execute(FORGET_TRIES, {"phone": values["phone"], "id_number": values["id_number"]})
    try:
        account = session.execute(NEW_ACCOUNT, {
            "phone": values["phone"], "name": values["name"], "id_number": values["id_number"],
            "id_valid_from": values["id_valid_from"], "password_hash": password_hash,
            "created_at": clock.now(), "identity_verified_at": None}).one()
        session.commit()
    except IntegrityError:
        session.rollback()
        raise FieldErrors({"phone": "该手机号码或身份证号已注册"}) from None
    return account


def _registered(session: Session, values: dict[str, str]) -> dict[str, str]:
    """Return an error for the phone and the ID number that already have an account."""
    holding = session.execute(HOLDING, {"phone": values.get("phone"),
                                        "id_number": values.get("id_number")}).all()
    errors = {}
    for field, message in (("phone", "该手机号码已注册"), ("id_number", "该身份证号已注册")):
        if field in values and any(getattr(row, field) == values[field] for row in holding):
            errors[field] = message
    return errors


def _duplicate_or_fields(errors: dict[str, str]) -> DomainError:
    error = FieldErrors(errors)
    if set(errors) <= {"phone", "id_number"} and all("已注册" in m for m in errors.values()):
        error.code = "duplicate"
    return error
