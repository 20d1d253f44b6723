"""Where the console's clock buttons take the simulated time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.clock import SHANGHAI, require_aware
from shared.errors import DomainError, InvalidInput
from shared.workdays import WorkingCalendar

WEEKDAYS = "一二三四五六日"
# (working day?, Saturday or Sunday?) -> what the day is
DAY_LABELS = {(True, False): "工作日", (True, True): "调休工作日",
              (False, False): "法定节假日", (False, True): "休息日"}


@dataclass
class ClockMoves:
    calendar: WorkingCalendar

    @staticmethod
    def parse(text: str) -> datetime:
        return require_aware(datetime.fromisoformat(text), "clock time")

    def target(self, now: datetime, action: str) -> datetime:
        """+1h adds an hour; +Nwd moves to the same time of day N working days later."""
        if action == "+1h":
            return now + timedelta(hours=1)
        if action in ("+1wd", "+3wd"):
            local = now.astimezone(SHANGHAI)
            day = self.calendar.working_days_after(local.date(), int(action[1]))[-1]
            return datetime.combine(day, local.timetz())
        raise InvalidInput("action", f"未知的时钟操作 {action!r}：可用 +1h、+1wd、+3wd")

    def describe(self, now: datetime) -> dict:
        """Say which day `now` is in Beijing and whether it counts as a working day."""
        day = now.astimezone(SHANGHAI).date()
        facts = {"date": day.isoformat(), "weekday": f"星期{WEEKDAYS[day.weekday()]}"}
        try:
            working = self.calendar.is_working_day(day)
        except DomainError:
            return {**facts, "working": None, "label": f"{day.year}年工作日历未知"}
        return {**facts, "working": working, "label": DAY_LABELS[working, day.weekday() >= 5]}
