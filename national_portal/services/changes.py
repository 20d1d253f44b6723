"""Checking a change from the wire before it is applied: the header every change has, and
every field of the licence it carries against the column that will hold it.

A bad header refuses the whole batch (InvalidInput); a bad licence field rejects that change
(BadChange), naming the field. The checks are built once from the columns. They read the
batches the typed reader (`incoming.read_body`, the path replication takes) refuses, and say
why a field cannot be stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from operator import itemgetter

from national_portal.models import AppliedChange, Licence
from shared.certificates import FACE_FIELDS
from shared.errors import InvalidInput

FACE_VALUES = itemgetter(*FACE_FIELDS)
LICENCES = Licence.__table__


class BadChange(Exception):
    """A change whose content cannot be applied."""


def face_values(licence: dict) -> tuple:
    """Turn the wire form of a licence into its column values in FACE_FIELDS order, or raise
    BadChange naming the first field at fault (the checks below, in field order)."""
    try:
        wire = FACE_VALUES(licence)
    except KeyError as exc:
        raise BadChange(f"licence field {exc.args[0]} is missing") from None
    return tuple(check(value) for check, value in zip(FACE_CHECKS, wire, strict=True))


def _got(value) -> str:
    return repr(value)[:40] if isinstance(value, str) else type(value).__name__


def _text(name: str, length: int, nullable: bool) -> Callable:
    """Accept a str of at most `length` characters (the column's String(length))."""
    def check(value):
        if value.__class__ is str and len(value) <= length:
            return value
        if value is None and nullable:
            return None
        raise BadChange(f"licence field {name}: expected text of at most {length} characters, "
                        f"got {_got(value)}")
    return check


def _integer(name: str, nullable: bool) -> Callable:
    """Accept an int the column can hold; a bool is not one."""
    def check(value):
        if value.__class__ is int and value in INTEGERS:
            return value
        if value is None and nullable:
            return None
        raise BadChange(f"licence field {name}: expected an integer, got {_got(value)}")
    return check


def _day(name: str, nullable: bool) -> Callable:
    """Accept an ISO day, ASCII YYYY-MM-DD (fromisoformat alone takes 20240102 and weeks), and
    keep it as that text: it is what SQLite stores (replica._encoders turns it into a date
    where the driver wants one)."""
    def check(value):
        if value.__class__ is str and len(value) == 10 and value[4] == value[7] == "-" \
                and value.isascii():
            try:
                date.fromisoformat(value)
                return value
            except ValueError:
                pass
        elif value is None and nullable:
            return None
        raise BadChange(f"licence field {name}: expected a date YYYY-MM-DD, got {_got(value)}")
    return check


def _field_check(column) -> Callable:
    """Return the check of one face field, made once from what its column holds."""
    kind = column.type.python_type
    if kind is str:
        return _text(column.name, column.type.length, column.nullable)
    if kind is int:
        return _integer(column.name, column.nullable)
    if kind is date:
        return _day(column.name, column.nullable)
    raise TypeError(f"no wire check for licence column {column.name} ({kind.__name__})")


def check_change(change) -> None:
    """Refuse a change without the fields every change has, each of the type its column holds."""
    if not isinstance(change, dict) or not _is_key(change.get("change_id")):
        raise InvalidInput("changes", "each change needs a change_id of at most 32 characters")
    for name, fits in (("seq", _is_count), ("revision", _is_count),
                       ("certificate_key", _is_key), ("payload", _is_dict)):
        if not fits(change.get(name)):
            raise InvalidInput("changes", f"change {change['change_id']}: {name} is missing "
                                          "or malformed")


def _is_count(value) -> bool:
    return value.__class__ is int and 0 < value < INTEGERS.stop  # a bool is not a count


def _is_key(value) -> bool:
    return value.__class__ is str and 0 < len(value) <= KEY_LENGTH


def _is_dict(value) -> bool:
    return isinstance(value, dict)


INTEGERS = range(-2**31, 2**31)  # an SQL INTEGER (PostgreSQL refuses more, SQLite past 2**63)
KEY_LENGTH = AppliedChange.__table__.c.change_id.type.length  # = certificate_key's String(32)
FACE_CHECKS = tuple(_field_check(LICENCES.c[name]) for name in FACE_FIELDS)  # once
FACE_INDEX = {name: n for n, name in enumerate(FACE_FIELDS)}
