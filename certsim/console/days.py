"""What the console says about the simulated day (the portal moves the clock itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.clock import SHANGHAI, require_aware
from shared.errors import DomainError
from shared.workdays import WorkingCalendar

WEEKDAYS = "一二三四五六日"
# (working day?, Saturday or Sunday?) -> what the day is
DAY_LABELS = {(True, False): "工作日", (True, True): "调休工作日",
              (False, False): "法定节假日", (False, True): "休息日"}


@dataclass
class DayFacts:
    calendar: WorkingCalendar

    @staticmethod
    def parse(text: str) -> datetime:
        return require_aware(datetime.fromisoformat(text), "clock time")

    def describe(self, now: datetime) -> dict:
        """Say which day `now` is in Beijing and whether it counts as a working day."""
        day = now.astimezone(SHANGHAI).date()
        facts = {"date": day.isoformat(), "weekday": f"星期{WEEKDAYS[day.weekday()]}"}
        try:
            working = self.calendar.is_working_day(day)
        except DomainError:
            return {**facts, "working": None, "label": f"{day.year}年工作日历未知"}
        return {**facts, "working": working, "label": DAY_LABELS[working, day.weekday() >= 5]}
