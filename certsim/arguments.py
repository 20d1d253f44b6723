"""Dates and instants typed on the command line: ASCII only, one line naming the argument if not."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from shared.clock import SHANGHAI
from shared.errors import InvalidInput

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_day(text: str, field: str) -> date:
    """Read a date typed as YYYY-MM-DD in ASCII digits, else raise InvalidInput naming `field`.

    fromisoformat alone also takes 20240102 and week dates (2024-W01-2).
    """
    try:
        if ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(field, f"not a date YYYY-MM-DD (ASCII digits): {text!r}")


def parse_moment(text: str, field: str = "datetime") -> datetime:
    """Read a YYYY-MM-DD date or an ISO datetime; a date or a naive time is in Asia/Shanghai."""
    if len(text) == 10:
        moment = datetime.combine(parse_day(text, field), time(), SHANGHAI)
    else:
        moment = _iso_datetime(text, field)
    if not 1 < moment.year < 9999:  # near year 1 or 9999 another time zone can overflow
        raise InvalidInput(field, f"year {moment.year} is out of range: {text!r}")
    return moment


def _iso_datetime(text: str, field: str) -> datetime:
    try:
        if text.isascii() and ISO_DAY.match(text):
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
    except ValueError:
        pass
    raise InvalidInput(field, f"not an ISO date or datetime (ASCII digits): {text!r}")
