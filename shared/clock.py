"""The one module that reads the wall clock.

Everything else receives a `Clock` and asks it for `now()`. Three kinds:

- `SystemClock`: real time.
- `SimulatedClock`: in memory; set, advanced, frozen or left running from an anchor.
  Replay and tests use it frozen, so nothing moves unless a step moves it.
- `SharedClock`: a simulated clock whose state lives in a small JSON file, so separate
  processes (both portals and the replicator under `make run`) read the same simulated time.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """Tell the time."""

    def now(self) -> datetime:
        raise NotImplementedError

    def today(self):
        """Return today's date in Asia/Shanghai."""
        return self.now().astimezone(SHANGHAI).date()


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


class SharedClock(SimulatedClock):
    """A simulated clock kept in a JSON file that several processes read and write.

    A missing file means "real time": the first write starts simulating from there.
    Reads are cached on the file's identity and modification time: `now()` costs one `stat`.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cache: tuple[tuple, ClockState] | None = None

    def _load(self) -> ClockState:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            now = wall_now()
            return ClockState(now, now)
        # Every write replaces the file, so the inode changes even within one mtime tick.
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self._cache is None or self._cache[0] != version:
            self._cache = (version, ClockState.from_json(json.loads(self.path.read_text("utf-8"))))
        return self._cache[1]

    def _store(self, state: ClockState) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".clock-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state.to_json(), handle)
        os.replace(tmp, self.path)
        self._cache = None


def clock_from_config(spec: str | None) -> Clock:
    """Build the clock named by config: empty/"system" for real time, else a shared state file path."""
    if not spec or spec == "system":
        return SystemClock()
    return SharedClock(spec)
