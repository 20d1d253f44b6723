"""Where the console's clock buttons take the simulated time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.clock import SHANGHAI, require_aware
from shared.errors import InvalidInput
from shared.workdays import WorkingCalendar


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
