"""The replicator without portals: backoff on a broken network, wake-up times, the scheduler job."""

from datetime import datetime, timedelta

from shared.clock import SHANGHAI, SimulatedClock
from sync.config import SyncConfig
from sync.replicator import Replicator
from sync.runner import JOB_ID, build_scheduler, run_due
from sync.stepper import SimulatedStepper
from sync.transport import HttpTransport

T0 = datetime(2024, 10, 8, 9, 0, tzinfo=SHANGHAI)
NOWHERE = "http://127.0.0.1:9"   # the discard port: nothing listens, the connection is refused


def unreachable(clock, **overrides) -> Replicator:
    config = SyncConfig(mem_url=NOWHERE, national_url=NOWHERE, secret="s", timeout=2,
                        backoff_base=2, backoff_max=10, holder="r", **overrides)
    transport = HttpTransport({"mem": NOWHERE, "national": NOWHERE}, "s", timeout=2)
    return Replicator(transport, config)


def test_a_broken_network_fails_the_run_and_backs_off_exponentially_up_to_the_cap():
    replicator = unreachable(SimulatedClock(T0))
    delays, now = [], T0
    for _ in range(5):
        report = replicator.replicate_due(now)
        assert report.outcome == "failed" and "unreachable" in report.error
        delays.append((replicator.retry_at - now).total_seconds())
        now = replicator.retry_at
    assert delays == [2, 4, 8, 10, 10]


def test_a_run_before_the_retry_time_does_nothing_and_says_when_to_come_back():
    replicator = unreachable(SimulatedClock(T0))
    replicator.replicate_due(T0)
    early = replicator.replicate_due(T0 + timedelta(seconds=1))
    assert early.outcome == "backoff" and early.batches == 0
    assert replicator.next_wakeup(T0 + timedelta(seconds=1)) == T0 + timedelta(seconds=2)


def test_the_stepper_retries_at_each_backoff_time_without_any_thread():
    clock = SimulatedClock(T0)
    reports = SimulatedStepper(unreachable(clock), clock).advance_to(T0 + timedelta(seconds=40))
    expected = [((T0 + timedelta(seconds=s)).isoformat(), "failed") for s in (0, 2, 6, 14, 24, 34)]
    assert [(r.at, r.outcome) for r in reports] == expected  # the next retry is at 44: no run at 40
    assert clock.now() == T0 + timedelta(seconds=40)


def test_naive_times_are_refused():
    replicator = unreachable(SimulatedClock(T0))
    try:
        replicator.replicate_due(datetime(2024, 10, 8, 9, 0))
    except ValueError as exc:
        assert "UTC offset" in str(exc)
    else:
        raise AssertionError("a naive time was accepted")


def test_the_scheduler_job_never_overlaps_and_coalesces_missed_runs():
    clock = SimulatedClock(T0)
    replicator = unreachable(clock, interval=7, tick_poll=1)
    scheduler = build_scheduler(replicator, clock, replicator.config, blocking=False)
    job = scheduler.get_job(JOB_ID)
    assert (job.max_instances, job.coalesce) == (1, True)
    assert job.trigger.interval == timedelta(seconds=7)
    assert job.func is run_due and job.args == (replicator, clock)
    assert scheduler.get_job("tick_watcher").trigger.interval == timedelta(seconds=1)


def test_the_scheduler_job_runs_replicate_due_at_the_clocks_now():
    clock = SimulatedClock(T0)
    replicator = unreachable(clock)
    [report] = run_due(replicator, clock)
    assert report.at == T0.isoformat() and report.outcome == "failed"
