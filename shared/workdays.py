"""Working days in mainland China: official holidays and 调休 working weekends.

The data comes from the chinese-calendar package. A year it does not cover is never guessed:
it must come from a user-supplied calendar file (TOML, see README) or, only when explicitly
allowed, from a Monday-Friday fallback that warns once per year. Dates are taken in
Asia/Shanghai. Two rules count working days, and every caller uses one of them:

Advancing N working days (`advance_working_days`: the console's +1 个工作日, a scenario's
`for: Nwd`) keeps the time of day and lands on the N-th working day strictly after the current
date, whatever kind of day the current date is.

The lag rule (`WorkingCalendar.visible_from`: when a change reaches the national portal)
counts from D0, the date of the change if it is a working day, else the next working day; the
change is visible from 00:00 of the N-th working day after D0.

They differ when the clock stands on a rest day: from Saturday 2024-10-19 10:00, advancing 1
working day lands on Monday 21st at 10:00, while a change made at that moment with a 1wd lag
is visible from 00:00 on Tuesday 22nd (D0 is Monday 21st, and counting starts after it).

Calendar file format (path in CERTSIM_CALENDAR_FILE)::

    [2027]
    holidays = ["2027-01-01", "2027-02-06..2027-02-12"]
    working_weekends = ["2027-02-14"]
"""

from __future__ import annotations

import re
import tomllib
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

import chinese_calendar

from shared.clock import SHANGHAI, require_aware
from shared.errors import DomainError

WEEKDAY_NAMES = "一二三四五六日"  # 星期一 … 星期日, by date.weekday()


class CalendarYearUnknown(DomainError):
    """The working-day calendar has no data for a year."""

    def __init__(self, year: int):
        super().__init__(
            "date",
            f"no official working-day calendar for {year}: chinese-calendar covers up to "
            f"{_package_last_year()}; supply {year} in a calendar file (CERTSIM_CALENDAR_FILE, "
            f"TOML table [{year}] with holidays and working_weekends), or set "
            f"CERTSIM_CALENDAR_FALLBACK=weekdays to accept a Monday-Friday guess",
            code="calendar_year_unknown",
        )
        self.year = year


def _package_last_year() -> int:
    return max(day.year for day in chinese_calendar.constants.holidays)


def _expand(entries: list[str], where: str) -> set[date]:
    days: set[date] = set()
    for entry in entries:
        try:
            first, _, last = entry.partition("..")
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError as exc:
            raise DomainError("calendar_file", f"{where}: bad date or range {entry!r}") from exc
        if end < start:
            raise DomainError("calendar_file", f"{where}: range {entry!r} ends before it starts")
        days.update(start + timedelta(n) for n in range((end - start).days + 1))
    return days


@dataclass(frozen=True)
class YearData:
    holidays: frozenset[date]
    working_weekends: frozenset[date]


def load_calendar_file(path: str | Path) -> dict[int, YearData]:
    """Read a TOML calendar file: one table per year with holidays and working_weekends."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DomainError("calendar_file", f"{path}: {exc}") from exc
    years: dict[int, YearData] = {}
    for key, table in raw.items():
        if not key.isdigit() or not isinstance(table, dict):
            raise DomainError("calendar_file", f"{path}: [{key}] is not a year table")
        year = int(key)
        holidays = _expand(table.get("holidays", []), f"{path} [{key}] holidays")
        weekends = _expand(table.get("working_weekends", []), f"{path} [{key}] working_weekends")
        for day in holidays | weekends:
            if day.year != year:
                raise DomainError("calendar_file", f"{path}: {day} is listed under [{key}]")
        years[year] = YearData(frozenset(holidays), frozenset(weekends))
    return years


@dataclass(eq=False)
class WorkingCalendar:
    """Answer whether a date is a working day, from official data or user-supplied years.

    Built once from settings and never changed: answers derived from it may be kept per
    calendar (it hashes by identity)."""

    extra_years: dict[int, YearData] = field(default_factory=dict)
    weekday_fallback: bool = False

    def is_working_day(self, day: date) -> bool:
        if day.year in self.extra_years:
            data = self.extra_years[day.year]
            if day in data.holidays:
                return False
            return day.weekday() < 5 or day in data.working_weekends
        try:
            return _official_workday(day)
        except NotImplementedError:
            if not self.weekday_fallback:
                raise CalendarYearUnknown(day.year) from None
            _warn_fallback(day.year)
            return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """Return `day` itself if it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_after(self, day: date, count: int) -> list[date]:
        """Return the `count` working days that follow `day` (not counting `day`)."""
        found: list[date] = []
        while len(found) < count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                found.append(day)
        return found

    def visible_from(self, moment: datetime, lag_days: int) -> tuple[datetime, list[date]]:
        """Apply the working-day lag rule; return the instant and the working days counted.

        D is the date of `moment` in Asia/Shanghai; D0 is D or, if D is not a working day,
        the next working day. With N >= 1 the change is visible from 00:00 of the N-th
        working day after D0; with N = 0 from max(moment, 00:00 of D0).
        """
        require_aware(moment, "moment")
        if not 0 <= lag_days <= 3:
            raise DomainError("lag", f"working-day lag must be 0 to 3, got {lag_days}")
        d0 = self.next_working_day(moment.astimezone(SHANGHAI).date())
        if lag_days == 0:
            return max(moment, start_of_day(d0)), [d0]
        counted = self.working_days_after(d0, lag_days)
        return start_of_day(counted[-1]), counted


def start_of_day(day: date) -> datetime:
    """Return 00:00 Asia/Shanghai on `day`."""
    return datetime.combine(day, time(0), SHANGHAI)


STEP = re.compile(r"([0-9]+)(s|m|h|d|wd)")
STEP_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def require_known_year(moment: datetime, calendar: WorkingCalendar) -> datetime:
    """Return `moment` if the calendar knows its year (else the lag could not be counted)."""
    calendar.is_working_day(moment.astimezone(SHANGHAI).date())
    return moment


def advance_by(moment: datetime, step: str, calendar: WorkingCalendar) -> datetime:
    """Return `moment` moved forward by a step: "90s", "2h", "3d", or "2wd" (working days)."""
    match = STEP.fullmatch((step or "").strip())
    if not match:
        raise DomainError("advance", f"时钟步长应形如 90s、2h、3d 或 2wd（不能为负）: {step!r}")
    amount, unit = int(match[1]), match[2]
    if unit == "wd":
        return advance_working_days(moment, amount, calendar)
    return moment + timedelta(**{STEP_UNITS[unit]: amount})


def advance_working_days(moment: datetime, count: int, calendar: WorkingCalendar) -> datetime:
    """Return the same time of day on the `count`-th working day strictly after `moment`'s date."""
    require_aware(moment, "moment")
    if count < 0:
        raise DomainError("advance", f"working days only move forwards, got {count}")
    if count == 0:
        return moment
    local = moment.astimezone(SHANGHAI)
    day = calendar.working_days_after(local.date(), count)[-1]
    return datetime.combine(day, local.timetz())


class DayType(StrEnum):
    """What a date is in the official calendar."""

    WORK = "work"        # 工作日: Monday to Friday, no holiday
    REST = "rest"        # 休息日: an ordinary Saturday or Sunday
    HOLIDAY = "holiday"  # 法定节假日: a holiday, or a weekend day inside a holiday period
    SHIFT = "shift"      # 调休上班: a Saturday or Sunday worked to make a holiday longer
    UNKNOWN = "unknown"  # the calendar has no data for the year


DAY_LABELS = {DayType.WORK: "工作日", DayType.REST: "休息日", DayType.HOLIDAY: "法定节假日",
              DayType.SHIFT: "调休上班"}
# chinese-calendar names its holidays in English (Holiday enum values)
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass(frozen=True)
class DayKind:
    """A date's kind, its Chinese label, the holiday it belongs to, and whether it is worked.

    `working` is None when the calendar does not know the year.
    """

    kind: DayType
    label: str
    holiday: str | None = None
    working: bool | None = None


def day_kind(day: date, calendar: WorkingCalendar) -> DayKind:
    """Say what kind of day `day` is; a year the calendar lacks is said to be unknown."""
    try:
        working = calendar.is_working_day(day)
    except CalendarYearUnknown:
        return DayKind(DayType.UNKNOWN, f"{day.year}年工作日历未知")
    weekend = day.weekday() >= 5
    if working:
        kind = DayType.SHIFT if weekend else DayType.WORK
        return DayKind(kind, DAY_LABELS[kind], working=True)
    in_holiday, name = _holiday_of(day, calendar)
    kind = DayType.HOLIDAY if in_holiday or not weekend else DayType.REST
    return DayKind(kind, DAY_LABELS[kind], name, working=False)


def _holiday_of(day: date, calendar: WorkingCalendar) -> tuple[bool, str | None]:
    """Return whether a rest day lies in a holiday period, and the holiday's Chinese name."""
    if day.year in calendar.extra_years:
        return day in calendar.extra_years[day.year].holidays, None  # the file has no names
    try:
        _, name = _official_holiday(day)
    except NotImplementedError:  # a Monday-Friday guess knows no holidays
        return False, None
    return name is not None, HOLIDAY_NAMES.get(name, name)


@cache
def _official_workday(day: date) -> bool:
    """chinese-calendar's answer, kept: it scans its whole table's range on every call."""
    return chinese_calendar.is_workday(day)


@cache
def _official_holiday(day: date) -> tuple[bool, str | None]:
    return chinese_calendar.get_holiday_detail(day)


@cache
def _warn_fallback(year: int) -> None:
    warnings.warn(
        f"no official working-day calendar for {year}; using Monday-Friday "
        "(CERTSIM_CALENDAR_FALLBACK=weekdays)",
        stacklevel=3,
    )


def configured_calendar(calendar_file: str | None = None,
                        fallback: str | None = None) -> WorkingCalendar:
    """Build the calendar of CERTSIM_CALENDAR_FILE and CERTSIM_CALENDAR_FALLBACK (as given)."""
    return WorkingCalendar(
        extra_years=load_calendar_file(calendar_file) if calendar_file else {},
        weekday_fallback=fallback == "weekdays",
    )
