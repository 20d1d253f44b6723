"""Scenario times and durations: parsing, and moving a time forwards by `for`."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from shared.clock import SHANGHAI
from shared.workdays import WorkingCalendar, advance_working_days

DURATION = re.compile(r"^([1-9]\d*)(s|m|h|d|wd)$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


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
    """Return `moment` moved forwards by `duration` ("90s", "2h", "3d", "3wd").

    Working days are advanced as the console advances them (`advance_working_days`): the same
    time of day on the N-th working day after the current date, even from a rest day.
    """
    match = DURATION.match(duration)
    if match is None:
        raise ValueError(f"{duration!r} is not a duration (e.g. 90s, 2h, 3d, 3wd)")
    count, unit = int(match[1]), match[2]
    if unit != "wd":
        return moment + timedelta(**{UNITS[unit]: count})
    return advance_working_days(moment, count, calendar)


def shanghai_date(moment: datetime) -> date:
    """Return the calendar date of `moment` in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI).date()
