"""立即同步 ("tick now") reaches the real-time replicator, whatever the simulated clock does."""

from datetime import datetime

from shared.clock import SHANGHAI
from sync.runner import JOB_ID, TickWatcher

FROZEN = datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI)


class Ministry:
    """The ministry's lease state as the watcher polls it."""

    def __init__(self):
        self.ticks = 0

    def call(self, service, method, path, **_):
        assert (service, method, path) == ("mem", "GET", "/api/v1/changes/lease")
        return {"ticks": self.ticks, "tick_requested_at": FROZEN.isoformat()}


class Replicator:
    def __init__(self, transport):
        self.transport, self.retry_at = transport, FROZEN

    def retry_now(self):
        self.retry_at = None


class Scheduler:
    def __init__(self):
        self.pulled = 0

    def modify_job(self, job_id, **_):
        assert job_id == JOB_ID
        self.pulled += 1


def test_two_requests_at_the_same_frozen_instant_both_run_the_job():
    ministry, scheduler = Ministry(), Scheduler()
    watcher = TickWatcher(Replicator(ministry), scheduler)
    watcher()  # the first look only learns the count
    for expected in (1, 2):
        ministry.ticks += 1
        watcher()
        assert scheduler.pulled == expected
    watcher()
    assert scheduler.pulled == 2


def test_a_request_clears_the_back_off_left_by_an_outage():
    ministry, scheduler = Ministry(), Scheduler()
    replicator = Replicator(ministry)
    watcher = TickWatcher(replicator, scheduler)
    watcher()
    assert replicator.retry_at == FROZEN
    ministry.ticks += 1
    watcher()
    assert replicator.retry_at is None
