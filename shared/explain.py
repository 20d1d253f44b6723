"""Why a change reaches the national portal when it does: the lag rule, day by day.

The lag policy in force when a change was written is not stored, only its result
(`visible_at`); so the explanation counts working days from the dates, with the calendar it is
given, and says so when `visible_at` is not what counting gives (a duration, an immediate
policy, a change held behind an earlier one of the same licence).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from shared.clock import SHANGHAI
from shared.lag import MAX_WORKING_DAYS
from shared.models import ChangeKind, OutboxEntry, OutboxState
from shared.workdays import (
    WEEKDAY_NAMES,
    CalendarYearUnknown,
    DayType,
    WorkingCalendar,
    day_kind,
)

KIND_NAMES = {ChangeKind.ISSUED: "签发", ChangeKind.REVIEWED: "复审", ChangeKind.REISSUED: "换发新版",
              ChangeKind.RENEWED: "延期换证", ChangeKind.REVOKED: "撤销", ChangeKind.CANCELLED: "注销"}


def latest_change(session: Session, certificate_key: str) -> OutboxEntry | None:
    """Return the newest outbox row of a licence, or None if it has none."""
    return session.scalar(select(OutboxEntry).where(OutboxEntry.certificate_key == certificate_key)
                          .order_by(OutboxEntry.seq.desc()).limit(1))


def explain_change(entry: OutboxEntry | Row, calendar: WorkingCalendar) -> list[str]:
    """Return the lines saying when `entry` becomes visible nationally, and why."""
    visible = entry.visible_at
    return [iso(visible) if visible else "manual",
            f"变更：{KIND_NAMES.get(entry.kind, entry.kind)}，写入于 {iso(entry.created_at)}",
            *_visibility(entry.created_at, visible, calendar), _state(entry)]


def iso(moment: datetime) -> str:
    """Return an instant in ISO 8601 with its Asia/Shanghai offset."""
    return moment.astimezone(SHANGHAI).isoformat()


@lru_cache(maxsize=4096)  # the scenario runner asks for every named change after each step
def _visibility(written: datetime, visible: datetime | None,
                calendar: WorkingCalendar) -> tuple[str, ...]:
    return tuple(_count_visibility(written, visible, calendar))


def _count_visibility(written: datetime, visible: datetime | None,
                      calendar: WorkingCalendar) -> list[str]:
    if visible is None:
        return ["手动放行（manual）：经控制面放行后才在国家平台可见"]
    d = written.astimezone(SHANGHAI).date()
    try:  # the lag rule itself, for every lag it allows: which one gives `visible`?
        rule = [calendar.visible_from(written, n) for n in range(MAX_WORKING_DAYS + 1)]
    except CalendarYearUnknown as exc:
        return [f"无法计算工作日：{exc.message}"]
    d0 = rule[0][1][0]
    lines = [f"D  = {d.isoformat()} {_day_text(d, calendar)}",
             "D0 = D（当天是工作日）" if d0 == d else
             f"D0 = {d0.isoformat()} {_day_text(d0, calendar)}，跳过 "
             + "；".join(_skipped(d, d0, calendar, d.year))]
    if visible == written or visible == rule[0][0]:
        return [*lines, f"不计工作日（延迟 0 或 0wd）：自 {iso(visible)} 起可见"]
    for n, (instant, counted) in enumerate(rule[1:], 1):
        if visible == instant:
            return [*lines, *_counting(d0, counted, calendar, d.year),
                    f"自第 {n} 个工作日 00:00 起可见：{iso(visible)}"]
    return [*lines, f"于 {iso(visible)} 可见，并非自 D0 起第 N 个工作日的 00:00：",
            "写入时的延迟策略（如 2h 这样的时长、手动放行）或同一证照更早的变更使其在该时刻可见，"
            "未按工作日计算"]


def _counting(d0: date, counted: list[date], calendar: WorkingCalendar, year: int) -> list[str]:
    """Return a line per working day counted and per run of days skipped between them."""
    lines, since = [], d0 + timedelta(days=1)
    for number, day in enumerate(counted, 1):
        lines += [f"跳过 {text}" for text in _skipped(since, day, calendar, year)]
        lines.append(f"第 {number} 个工作日：{_short(day, year)} {_day_text(day, calendar)}")
        since = day + timedelta(days=1)
    return lines


def _skipped(first: date, end: date, calendar: WorkingCalendar, year: int) -> list[str]:
    """Describe the days from `first` up to (not including) `end`, a run of alike days a line."""
    runs: list[list[date]] = []
    for n in range((end - first).days):
        day = first + timedelta(days=n)
        if runs and _reason(runs[-1][-1], calendar) == _reason(day, calendar):
            runs[-1].append(day)
        else:
            runs.append([day])
    return [_run_text(run, calendar, year) for run in runs]


def _reason(day: date, calendar: WorkingCalendar) -> tuple:
    kind = day_kind(day, calendar)
    return kind.kind, kind.holiday


def _run_text(run: list[date], calendar: WorkingCalendar, year: int) -> str:
    kind = day_kind(run[0], calendar)
    span = _short(run[0], year) + (f"–{_short(run[-1], year)}" if len(run) > 1 else "")
    if kind.kind == DayType.HOLIDAY:  # the holiday's name says why, whatever the weekdays
        return f"{span} {kind.holiday or kind.label}"
    ends = [run[0]] if len(run) == 1 else [run[0], run[-1]]
    weekdays = "–".join(f"周{WEEKDAY_NAMES[day.weekday()]}" for day in ends)
    return f"{span} {weekdays} {kind.label}"


def _day_text(day: date, calendar: WorkingCalendar) -> str:
    kind = day_kind(day, calendar)
    return " ".join(filter(None, (f"周{WEEKDAY_NAMES[day.weekday()]}", kind.label, kind.holiday)))


def _short(day: date, year: int) -> str:
    """Return "10/8", or "2025/1/2" when the year is not that of the change."""
    return (f"{day.year}/" if day.year != year else "") + f"{day.month}/{day.day}"


def _state(entry: OutboxEntry | Row) -> str:
    if entry.state == OutboxState.DELIVERED:
        return "状态：已送达" + (f" {iso(entry.delivered_at)}" if entry.delivered_at else "")
    failures = f"，失败 {entry.attempts} 次，最近错误：{entry.last_error}" \
        if entry.attempts else ""
    if entry.state == OutboxState.BLOCKED:
        return f"状态：已阻塞（可经控制面重试）{failures}"
    return f"状态：待同步（尚未送达）{failures}"
