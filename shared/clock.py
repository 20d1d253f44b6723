"""The one module that reads the wall clock.

Everything else receives a `Clock` and asks it for `now()`. Three kinds:

- `SystemClock`: real time.
- `SimulatedClock`: in memory; set, advanced, frozen or left running from an anchor.
  Replay and tests use it frozen, so nothing moves unless a step moves it.
- `shared.world.WorldClock`: the simulated clock of the world every process shares.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """Tell the time."""

    def now(self) -> datetime:
        raise NotImplementedError

    def today(self):
        """Return today's date in Asia/Shanghai."""
        return self.now().astimezone(SHANGHAI).date()

    def refresh(self) -> None:
        """See the latest time another process set (a shared clock caches what it read)."""


class SystemClock(Clock):
    """Real time, as an aware UTC datetime."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def wall_now() -> datetime:
    """Return the wall-clock time (for measuring durations, never for rules)."""
    return datetime.now(UTC)


def require_aware(moment: datetime, what: str = "time") -> datetime:
    """Refuse naive datetimes: every instant in certsim carries its offset."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must carry a UTC offset, got {moment.isoformat()}")
    return moment


def parse_instant(raw: object, field: str = "set") -> datetime:
    """Read an ISO 8601 instant that carries its offset (what a clock may be set to)."""
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput(field, f"时间格式应为带时区的 ISO 8601，如 2024-09-27T17:00:00+08:00: {raw!r}")
    if moment.tzinfo is None:
        raise InvalidInput(field, f"时间应带时区（例如 +08:00）: {raw!r}")
    try:
        moment.astimezone(UTC).astimezone(SHANGHAI)
    except OverflowError:
        raise InvalidInput(field, f"年份超出范围: {raw!r}") from None
    return moment


@dataclass(frozen=True)
class ClockState:
    """Simulated time: `at` when frozen, else `at` plus the wall time elapsed since `anchor`."""

    at: datetime
    anchor: datetime | None = None

    @property
    def frozen(self) -> bool:
        return self.anchor is None

    def now(self) -> datetime:
        if self.anchor is None:
            return self.at
        return self.at + (wall_now() - self.anchor)

    def to_json(self) -> dict:
        return {"at": self.at.isoformat(), "anchor": self.anchor.isoformat() if self.anchor else None}

    @classmethod
    def from_json(cls, data: dict) -> ClockState:
        anchor = data.get("anchor")
        return cls(
            at=require_aware(datetime.fromisoformat(data["at"])),
            anchor=datetime.fromisoformat(anchor) if anchor else None,
        )


class SimulatedClock(Clock):
    """A clock that moves only when told to (or runs from an anchor once resumed)."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = True):
        start = require_aware(start, "start") if start else wall_now()
        self._lock = threading.Lock()
        self._state = ClockState(start, None if frozen else wall_now())

    def _load(self) -> ClockState:
        return self._state

    def _store(self, state: ClockState) -> None:
        self._state = state

    @property
    def frozen(self) -> bool:
        return self._load().frozen

    def now(self) -> datetime:
        return self._load().now()

    def set(self, moment: datetime) -> datetime:
        """Move to `moment` (forwards or backwards), keeping frozen/running as it was."""
        require_aware(moment, "clock time")
        with self._lock:
            state = self._load()
            self._store(ClockState(moment, None if state.frozen else wall_now()))
        return moment

    def advance(self, delta: timedelta) -> datetime:
        """Move forwards by `delta`."""
        if delta < timedelta(0):
            raise ValueError("the clock only advances; use set() to go back")
        with self._lock:
            state = self._load()
            moment = state.now() + delta
            self._store(ClockState(moment, None if state.frozen else wall_now()))
        return moment

    def freeze(self) -> datetime:
        """Stop the clock where it is."""
        with self._lock:
            moment = self._load().now()
            self._store(ClockState(moment))
        return moment

    def resume(self) -> datetime:
        """Let the clock run with real time from where it is."""
        with self._lock:
            moment = self._load().now()
            self._store(ClockState(moment, wall_now()))
        return moment
