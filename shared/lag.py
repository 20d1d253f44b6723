"""The replication lag policy: when a change written now becomes visible nationally.

Syntax (SYNC_LAG, scenario `replication.lag`):

- `0`                      visible at once
- `<n>wd`, n = 0..3        n working days (rule in `WorkingCalendar.visible_from`)
- `<n>s`, `<n>m`, `<n>h`   a plain duration under one day (demos)
- `uniform:<a>wd..<b>wd`   a working-day lag drawn per licence, reproducibly; `,seed=<n>` optional
- `manual`                 no `visible_at`: the change waits until released

The policy lives in `shared` because the ministry computes `visible_at` in the transaction that
writes the change; the replicator only reads it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.errors import InvalidInput
from shared.workdays import WorkingCalendar

DEFAULT_LAG = "3wd"  # the guide: up to 3 working days
MAX_WORKING_DAYS = 3
_WD = re.compile(r"^(\d+)wd$")
_DURATION = re.compile(r"^(\d+)([smh])$")
_UNIFORM = re.compile(r"^uniform:(\d+)wd\.\.(\d+)wd(?:,seed=(-?\d+))?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}


@dataclass(frozen=True)
class LagPolicy:
    """A parsed lag policy; `visible_at` applies it to one change."""

    spec: str
    kind: str  # immediate, working_days, duration, uniform, manual
    low: int = 0
    high: int = 0
    duration: timedelta = timedelta(0)
    seed: int = 0

    def visible_at(self, moment: datetime, key: str, calendar: WorkingCalendar) -> datetime | None:
        """Return when a change written at `moment` for licence `key` becomes visible."""
        if self.kind == "manual":
            return None
        if self.kind == "immediate":
            return moment
        if self.kind == "duration":
            return moment + self.duration
        days = self.low if self.kind == "working_days" else self.draw(key)
        return calendar.visible_from(moment, days)[0]

    def draw(self, key: str) -> int:
        """Pick the working-day lag of one licence: the same key and seed give the same lag."""
        digest = hashlib.sha256(f"{self.seed}:{key}".encode()).digest()
        return self.low + int.from_bytes(digest[:8], "big") % (self.high - self.low + 1)


def parse_lag(spec: str, *, field: str = "SYNC_LAG", seed: int = 0) -> LagPolicy:
    """Parse a lag specification or raise InvalidInput saying what is allowed."""
    text = str(spec).strip()
    if text == "0":
        return LagPolicy(text, "immediate")
    if text == "manual":
        return LagPolicy(text, "manual")
    if match := _WD.match(text):
        return LagPolicy(text, "working_days", low=_working_days(int(match[1]), text, field))
    if match := _DURATION.match(text):
        duration = timedelta(**{_UNITS[match[2]]: int(match[1])})
        if duration >= timedelta(days=1):
            raise InvalidInput(field, f"{text!r}: a plain duration must be under one day; "
                                      "use working days (1wd..3wd) for longer lags")
        return LagPolicy(text, "duration", duration=duration)
    if match := _UNIFORM.match(text):
        low, high = (_working_days(int(match[i]), text, field) for i in (1, 2))
        if low > high:
            raise InvalidInput(field, f"{text!r}: the range must go from low to high")
        return LagPolicy(text, "uniform", low=low, high=high,
                         seed=int(match[3]) if match[3] is not None else seed)
    raise InvalidInput(field, f"{text!r} is not a lag: use 0, <n>wd (n<=3), <n>s|m|h under a "
                              "day, uniform:<a>wd..<b>wd[,seed=<n>] or manual")


def _working_days(n: int, text: str, field: str) -> int:
    if n > MAX_WORKING_DAYS:
        raise InvalidInput(field, f"{text!r}: the lag is at most {MAX_WORKING_DAYS} working days")
    return n
