"""Turn submitted registration input (a page form or JSON) into the service's Registration."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from shared.accounts.passwords import password_problem
from shared.accounts.services import Registration
from shared.errors import FieldErrors, InvalidInput
from shared.identity import normalize_id_number, normalize_name, normalize_phone

LONG_TERM = "长期有效"


def parse_valid_from(raw: str | None, long_term: bool) -> date | None:
    """Return the 身份证有效开始时间, None for 长期有效, or raise InvalidInput."""
    if long_term:
        return None
    if not (raw or "").strip():
        raise InvalidInput("id_valid_from", "请选择身份证有效开始时间，或勾选长期有效")
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("id_valid_from", "身份证有效开始时间格式应为YYYY-MM-DD") from None


def registration_from_form(form: Mapping[str, str]) -> Registration:
    """Read the 自然人用户注册 page form."""
    long_term = form.get("id_long_term") in ("1", "on", "true")
    return _registration(form, lambda: parse_valid_from(form.get("id_valid_from"), long_term),
                         agree=form.get("agree") in ("1", "on", "true"))


def registration_from_json(data: Mapping) -> Registration:
    """Read POST /api/v1/register; a missing or null id_valid_from means 长期有效."""
    raw = data.get("id_valid_from")
    return _registration(data, lambda: parse_valid_from(raw, raw is None),
                         agree=data.get("agree") is True)


def _registration(data: Mapping, valid_from: Callable[[], date | None], *,
                  agree: bool) -> Registration:
    """Build the Registration; a bad date is reported together with the other field errors."""
    try:
        id_valid_from = valid_from()
    except InvalidInput as exc:
        raise FieldErrors({**_obvious_errors(data, agree), exc.field: exc.message}) from None
    return Registration(
        phone=_text(data, "phone"), name=_text(data, "name"), id_number=_text(data, "id_number"),
        id_valid_from=id_valid_from, password=_text(data, "password"),
        confirm_password=_text(data, "confirm_password"),
        captcha_token=_text(data, "captcha_token"), captcha_answer=_text(data, "captcha_answer"),
        sms_code=_text(data, "sms_code"), agree=agree)


def _obvious_errors(data: Mapping, agree: bool) -> dict[str, str]:
    """Check the fields that need no database, so one answer lists every mistake."""
    errors: dict[str, str] = {}
    for field, check in (("phone", normalize_phone), ("name", normalize_name),
                         ("id_number", lambda v: normalize_id_number(v, today=date.max))):
        try:
            check(_text(data, field))
        except InvalidInput as exc:
            errors[field] = exc.message
    if problem := password_problem(_text(data, "password")):
        errors["password"] = problem
    elif _text(data, "password") != _text(data, "confirm_password"):
        errors["confirm_password"] = "两次输入的密码不一致"
    if not agree:
        errors["agree"] = "请阅读并同意注册协议"
    return errors


def _text(data: Mapping, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""
