"""What the console says about the simulated day (the portal moves the clock itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.clock import SHANGHAI, require_aware
from shared.workdays import WEEKDAY_NAMES, WorkingCalendar, day_kind


@dataclass
class DayFacts:
    calendar: WorkingCalendar

    @staticmethod
    def parse(text: str) -> datetime:
        return require_aware(datetime.fromisoformat(text), "clock time")

    def describe(self, now: datetime) -> dict:
        """Say which day `now` is in Beijing, what kind of day, and whether it is worked."""
        day = now.astimezone(SHANGHAI).date()
        kind = day_kind(day, self.calendar)
        return {"date": day.isoformat(), "weekday": f"星期{WEEKDAY_NAMES[day.weekday()]}",
                "working": kind.working, "label": kind.label, "holiday": kind.holiday}
