"""Real time: an APScheduler interval job calling `replicate_due(clock.now())`, in this process only.

`max_instances=1` and `coalesce=True`: a slow run is never overlapped by the next, and runs missed
while one was busy collapse into one. A second, cheap job polls the ministry for a "tick now"
request from the control plane and pulls the next run forward.
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from shared.clock import Clock, wall_now
from sync.config import SyncConfig
from sync.replicator import Replicator, RunReport
from sync.transport import TransportFailure

log = logging.getLogger("sync")
JOB_ID = "replicate_due"
MAX_RUNS_PER_JOB = 1000


def run_due(replicator: Replicator, clock: Clock) -> list[RunReport]:
    """Run replicate_due at the clock's now until no backlog is left for this moment."""
    reports = [replicator.replicate_due(clock.now())]
    while reports[-1].more and len(reports) < MAX_RUNS_PER_JOB:
        reports.append(replicator.replicate_due(clock.now()))
    return reports


class TickWatcher:
    """Pull the replication job forward when someone asked for a tick since the last look."""

    def __init__(self, replicator: Replicator, scheduler):
        self.replicator, self.scheduler = replicator, scheduler
        self.seen: int | None = None
        self.started = False

    def __call__(self) -> None:
        """Poll the ministry's lease state once."""
        try:
            state = self.replicator.transport.call("mem", "GET", "/api/v1/changes/lease")
        except TransportFailure:
            return
        ticks = state.get("ticks", 0)
        if self.started and ticks != self.seen:
            log.info("tick requested at %s: running now", state.get("tick_requested_at"))
            self.replicator.retry_now()
            self.scheduler.modify_job(JOB_ID, next_run_time=wall_now())
        self.seen, self.started = ticks, True


def build_scheduler(replicator: Replicator, clock: Clock, config: SyncConfig, *,
                    blocking: bool = True):
    """Return a scheduler (not started) with the replication job and the tick watcher."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=UTC)
    scheduler.add_job(run_due, "interval", args=(replicator, clock), id=JOB_ID,
                      seconds=config.interval, max_instances=1, coalesce=True,
                      next_run_time=wall_now())
    if config.tick_poll:
        scheduler.add_job(TickWatcher(replicator, scheduler), "interval", id="tick_watcher",
                          seconds=config.tick_poll, max_instances=1, coalesce=True)
    return scheduler
