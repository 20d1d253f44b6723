"""Scenario times and durations: parsing, and moving a time forwards by `for`."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from shared.clock import SHANGHAI
from shared.workdays import WorkingCalendar

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

    Working days are counted as the lag rule counts them: from the current day (from the next
    working day when the current day is a rest day), keeping the time of day in Asia/Shanghai.
    """
    match = DURATION.match(duration)
    if match is None:
        raise ValueError(f"{duration!r} is not a duration (e.g. 90s, 2h, 3d, 3wd)")
    count, unit = int(match[1]), match[2]
    if unit != "wd":
        return moment + timedelta(**{UNITS[unit]: count})
    local = moment.astimezone(SHANGHAI)
    first = calendar.next_working_day(local.date())
    day = calendar.working_days_after(first, count)[-1]
    return datetime.combine(day, local.timetz())


def shanghai_date(moment: datetime) -> date:
    """Return the calendar date of `moment` in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI).date()
