"""Simulated time: move a clock to T, running `replicate_due` at every moment something is due.

No scheduler thread and no sleeping: the stepper asks the replicator when it next has work (the
next `visible_at`, a retry time, or more backlog now), sets the clock there, runs it, and
repeats until that moment lies beyond T. The national portal therefore receives each change at
exactly its `visible_at`, as the real-time runner would (to within its interval).
"""

from __future__ import annotations

from datetime import datetime

from shared.clock import SimulatedClock, require_aware
from sync.replicator import Replicator, RunReport

MAX_RUNS_PER_STEP = 100_000


class SimulatedStepper:
    """Drive one replicator on a simulated clock."""

    def __init__(self, replicator: Replicator, clock: SimulatedClock):
        self.replicator, self.clock = replicator, clock

    def run_now(self) -> RunReport:
        """Run once at the clock's current time (the control plane's "tick now")."""
        return self.replicator.replicate_due(self.clock.now())

    def advance_to(self, target: datetime) -> list[RunReport]:
        """Advance the clock to `target`: run now, then at every due moment on the way, in
        order; the clock ends at `target`.

        No run is made at `target` when nothing falls due there: it would find nothing (the
        replicator knows the next due moment from its last read of the feed, and nothing else
        writes while the stepper runs), so the last run reported is the last that had work.
        """
        require_aware(target, "target")
        if target < self.clock.now():
            raise ValueError(f"cannot step back from {self.clock.now()} to {target}")
        reports = [self.run_now()]
        for _ in range(MAX_RUNS_PER_STEP):
            now = self.clock.now()
            wake = self.replicator.next_wakeup(now)
            due_on_the_way = wake is not None and now < wake <= target
            more_now = wake is not None and wake <= now and reports[-1].more
            if not (due_on_the_way or more_now):
                self.clock.set(target)
                return reports
            self.clock.set(max(wake, now))
            reports.append(self.run_now())
        raise RuntimeError(f"more than {MAX_RUNS_PER_STEP} runs before {target}")

    def drain(self) -> list[RunReport]:
        """Run at the current time until nothing due is left (bounded batches, several runs)."""
        return self.advance_to(self.clock.now())
