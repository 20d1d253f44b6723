"""Citizen ID numbers (GB 11643-1999), mobile numbers and masking for display."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from shared.errors import InvalidInput

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_SHAPE = re.compile(r"^[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"
                      r"[0-9]{3}[0-9X]$")
PHONE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$")
CODE_SHAPE = re.compile(r"^[0-9A-Z]{1,16}$")
NAME_SHAPE = re.compile(r"^[\u4e00-\u9fff·]{2,16}$")


def ascii_text(raw: str | None) -> str:
    """Return typed text with full-width forms folded to ASCII (NFKC), trimmed.

    "１３８００１３８０００" becomes "13800138000": what is stored and compared is what the
    holder meant, never a second spelling of the same number. Other scripts' digits stay as
    they are, and the shape checks (ASCII only) refuse them.
    """
    return unicodedata.normalize("NFKC", raw or "").strip()


def normalize_code(raw: str | None) -> str:
    """Return a typed verification code (SMS or captcha) in ASCII upper case, or "" if malformed."""
    value = ascii_text(raw).upper()
    return value if CODE_SHAPE.fullmatch(value) else ""


def normalize_login(raw: str | None) -> str:
    """Return a login name (phone or ID number) as it is stored: ASCII, upper case."""
    return ascii_text(raw).upper()


def id_check_char(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(raw: str, *, today: date, field: str = "id_number") -> str:
    """Return the ID number upper-cased, or raise InvalidInput naming the reason."""
    value = ascii_text(raw).upper()
    if len(value) != 18:
        raise InvalidInput(field, "身份证号应为18位")
    if not ID_SHAPE.fullmatch(value):
        raise InvalidInput(field, "身份证号格式不正确")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidInput(field, "身份证号中的出生日期不存在") from None
    if born > today:
        raise InvalidInput(field, "身份证号中的出生日期晚于今天")
    if id_check_char(value[:17]) != value[17]:
        raise InvalidInput(field, "身份证号校验位不正确")
    return value


@dataclass(frozen=True)
class IdFacts:
    birth_date: date
    sex: str  # 男 / 女


def id_facts(id_number: str) -> IdFacts:
    """Derive birth date and sex (odd sequence digit = 男) from a valid ID number."""
    born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return IdFacts(born, "男" if int(id_number[16]) % 2 else "女")


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """Return an 11-digit mainland mobile number, or raise InvalidInput."""
    value = ascii_text(raw)
    if not PHONE_SHAPE.fullmatch(value):
        raise InvalidInput(field, "请输入正确的11位手机号码")
    return value


def normalize_name(raw: str, *, field: str = "name") -> str:
    """Return a holder name of 2-16 Chinese characters (· allowed), or raise InvalidInput."""
    value = (raw or "").strip()
    if not NAME_SHAPE.fullmatch(value):
        raise InvalidInput(field, "真实姓名应为2至16个汉字")
    return value


def mask_id_number(id_number: str) -> str:
    """110101199003070011 -> 110101********0011."""
    return id_number[:6] + "*" * 8 + id_number[14:]


def mask_phone(phone: str) -> str:
    """13800138000 -> 138****8000."""
    return phone[:3] + "****" + phone[7:]


def mask_name(name: str) -> str:
    """张三 -> *三, 欧阳娜娜 -> ***娜: keep the last character only."""
    return "*" * (len(name) - 1) + name[-1:]
