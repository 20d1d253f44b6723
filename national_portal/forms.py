"""Turn submitted registration input (form or JSON) into the account service's command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from shared.accounts.services import Registration

TEXT_FIELDS = ("phone", "name", "id_number", "password", "confirm_password", "sms_code")


@dataclass(frozen=True)
class RegistrationInput:
    """The registration command, plus what was wrong with the validity date if anything."""

    registration: Registration
    date_error: str | None = None


def _valid_from(raw, long_term: bool) -> tuple[date | None, str | None]:
    """Read the ID card's validity start (None means 长期有效) or say what is wrong with it."""
    if long_term:
        return None, None
    if not raw:
        return None, "请选择身份证有效期开始时间或勾选长期有效"
    try:
        return date.fromisoformat(str(raw)), None
    except ValueError:
        return None, "身份证有效期开始时间格式应为YYYY-MM-DD"


def _registration(values: Mapping, valid_from: tuple[date | None, str | None],
                  agree: bool) -> RegistrationInput:
    text = {name: str(values.get(name) or "") for name in TEXT_FIELDS}
    return RegistrationInput(Registration(id_valid_from=valid_from[0], captcha_token="",
                                          captcha_answer="", agree=agree, **text), valid_from[1])


def registration_from_form(form: Mapping) -> RegistrationInput:
    """Read the 个人注册 page's fields (a date input plus a 长期有效 checkbox)."""
    valid_from = _valid_from(form.get("id_valid_from"), form.get("long_term") == "1")
    return _registration(form, valid_from, form.get("agree") == "1")


def registration_from_json(data: Mapping) -> RegistrationInput:
    """Read the API's fields: `id_valid_from` is a date or null (长期有效) and must be given."""
    if "id_valid_from" not in data:
        valid_from = (None, "请给出身份证有效期开始时间（长期有效时为 null）")
    else:
        valid_from = _valid_from(data["id_valid_from"], data["id_valid_from"] is None)
    return _registration(data, valid_from, data.get("agree") is True)
