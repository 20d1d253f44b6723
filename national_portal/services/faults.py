"""The national ingest's fault switch: behave as if the portal were down (503), broken (500) or
slow, for good or for the next N calls, so the replicator's retries can be shown.

One switch per process, set through the control plane (`/_sim/faults`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import current_app

from shared.errors import InvalidInput

FAULTS = "certsim.faults"
MODES = ("up", "down", "error", "slow")


@dataclass
class FaultSwitch:
    """How the ingest endpoint misbehaves: mode, for how many more calls, and the delay."""

    mode: str = "up"
    calls: int | None = None      # None: until switched back up
    delay: float = 2.0            # seconds, for "slow"
    failed_calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, mode: str, calls: int | None, delay: float | None) -> None:
        """Switch to `mode` for `calls` calls (None = until changed)."""
        if mode not in MODES:
            raise InvalidInput("mode", f"mode must be one of {', '.join(MODES)}")
        if calls is not None and (not isinstance(calls, int) or calls < 1):
            raise InvalidInput("calls", "calls must be a positive integer")
        if delay is not None and not (isinstance(delay, int | float) and 0 <= delay <= 120):
            raise InvalidInput("delay", "delay must be 0..120 seconds")
        with self._lock:
            self.mode, self.calls = mode, calls if mode != "up" else None
            self.delay = self.delay if delay is None else float(delay)

    def take(self) -> str:
        """Return the mode of this call and count it down."""
        with self._lock:
            mode = self.mode
            if mode != "up":
                self.failed_calls += 1
                if self.calls is not None:
                    self.calls -= 1
                    if self.calls <= 0:
                        self.mode, self.calls = "up", None
            return mode

    def to_json(self) -> dict:
        """Return the switch as the control plane shows it."""
        return {"mode": self.mode, "calls": self.calls, "delay": self.delay,
                "failed_calls": self.failed_calls}


def faults(app=None) -> FaultSwitch:
    """Return the app's fault switch (created on first use)."""
    return (app or current_app).extensions.setdefault(FAULTS, FaultSwitch())
