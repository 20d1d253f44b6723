"""How a simulated time reads in reports: Shanghai time, weekday, rest day or 调休 working day."""

from __future__ import annotations

from datetime import date, datetime

from shared.clock import SHANGHAI
from shared.workdays import WEEKDAY_NAMES, DayType, WorkingCalendar, day_kind

# how the report shades a day: holidays and ordinary weekends look alike (grey)
SHADES = {DayType.WORK: "work", DayType.REST: "rest", DayType.HOLIDAY: "rest",
          DayType.SHIFT: "shift", DayType.UNKNOWN: "unknown"}


def day_shade(day: date, calendar: WorkingCalendar) -> str:
    """Return "work", "rest" (weekend or holiday), "shift" (调休上班) or "unknown"."""
    return SHADES[day_kind(day, calendar).kind]


def day_label(day: date, calendar: WorkingCalendar) -> str:
    """Return e.g. "周日 调休上班" or "周二 休" or "周三"."""
    extra = {"shift": " 调休上班", "rest": " 休"}.get(day_shade(day, calendar), "")
    return f"周{WEEKDAY_NAMES[day.weekday()]}{extra}"


def local_time(moment: datetime) -> str:
    """Return "2024-09-30 09:00" in Asia/Shanghai (seconds shown only when not zero)."""
    local = moment.astimezone(SHANGHAI)
    return local.strftime("%Y-%m-%d %H:%M" + (":%S" if local.second else ""))


def span_text(seconds: float) -> str:
    """Return a simulated span like "10 d 4 h" or "35 min"."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {rest // 60} min" if rest // 60 else f"{hours} h"
    return f"{rest // 60} min" if rest >= 60 else f"{rest} s"
