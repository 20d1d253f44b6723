"""Scenario times and durations: parsing, and moving a time forwards by `for`."""

from __future__ import annotations

import re
from datetime import date, datetime

from shared.clock import SHANGHAI
from shared.workdays import WorkingCalendar, advance_by

DURATION = re.compile(r"^([1-9]\d*)(s|m|h|d|wd)$")


def parse_time(text: str) -> datetime:
    """Read an ISO 8601 time that carries its offset; raise ValueError otherwise."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (add one, e.g. +08:00)")
    return moment


def parse_date(text: str) -> date:
    """Read an ISO date (YYYY-MM-DD); raise ValueError otherwise."""
    return date.fromisoformat(text)


def after(moment: datetime, duration: str, calendar: WorkingCalendar) -> datetime:
    """Return `moment` moved forwards by `duration` ("90s", "2h", "3d", "3wd"), as the console
    and `certsim clock advance` move it (`shared.workdays.advance_by`): working days keep the
    time of day, on the N-th working day after the current date, even from a rest day."""
    if DURATION.match(duration) is None:
        raise ValueError(f"{duration!r} is not a duration (e.g. 90s, 2h, 3d, 3wd)")
    return advance_by(moment, duration, calendar)


def shanghai_date(moment: datetime) -> date:
    """Return the calendar date of `moment` in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI).date()
