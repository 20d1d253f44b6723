"""The replication guarantees, each shown as a count of lost and duplicated licences (both 0)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select
from test_replication_harness import at, open_portals

from national_portal.models import TABLES as NATIONAL_TABLES
from national_portal.models import AppliedChange
from shared.clock import wall_now
from sync.runner import run_due


@pytest.fixture
def portals(db_url_factory, clock):
    yield from open_portals(db_url_factory, clock)


class Killed(BaseException):
    """The replicator process dies here (not an error it could catch)."""


class DiesBeforeAck:
    """A transport whose process is killed when it is about to acknowledge."""

    def __init__(self, inner):
        self.inner = inner

    def call(self, service, method, path, **kwargs):
        if path.endswith("/ack"):
            raise Killed(path)
        return self.inner.call(service, method, path, **kwargs)


class BatchRecorder:
    """A transport that notes the size of every ingest call it forwards."""

    def __init__(self, inner):
        self.inner, self.sizes = inner, []

    def call(self, service, method, path, **kwargs):
        if path.endswith("/ingest"):
            self.sizes.append(len(kwargs["body"]["changes"]))
        return self.inner.call(service, method, path, **kwargs)


def applied_in_order(portals) -> bool:
    """Say whether the national portal applied each licence's revisions in increasing order."""
    with portals.sessions(portals.national)() as session:
        rows = session.execute(select(AppliedChange.certificate_key, AppliedChange.revision)
                               .where(AppliedChange.outcome == "applied")
                               .order_by(AppliedChange.id)).all()
    last: dict[str, int] = {}
    for key, revision in rows:
        if revision != last.get(key, 0) + 1:
            return False
        last[key] = revision
    return True


def test_a_replicator_killed_between_apply_and_ack_loses_and_duplicates_nothing(portals):
    keys = portals.issue(30, lag="0")
    doomed = portals.replicator(DiesBeforeAck(portals.transport()), batch_size=10)
    with pytest.raises(Killed):
        doomed.replicate_due(portals.clock.now())
    assert len(portals.national_licences()) == 10            # applied, never acknowledged
    assert portals.outbox_states() == {"pending": 30}
    successor = portals.replicator(holder="replicator-2", batch_size=10)
    with freeze_time(wall_now(), tick=False) as wall:
        assert successor.replicate_due(portals.clock.now()).outcome == "lease_held"
        wall.tick(61)  # the dead holder's lease runs out on the wall clock (SYNC_LEASE_TTL)
        reports = portals.stepper(successor).advance_to(portals.clock.now() + timedelta(minutes=5))
    assert sum(r.results.get("duplicate", 0) for r in reports) == 10
    assert portals.lost_and_duplicated(keys) == (0, 0)
    assert portals.outbox_states() == {"delivered": 30}


def test_the_national_portal_down_for_two_working_days_gets_the_backlog_in_order(portals):
    portals.clock.set(at("2024-10-14T09:00"))                 # a Monday
    keys = portals.issue(20, lag="0")
    portals.set_faults(mode="down")
    stepper = portals.stepper(portals.replicator(backoff_max=1800))
    stepper.advance_to(at("2024-10-15T10:00"))
    keys += portals.issue(10, start=20, lag="0")
    stepper.advance_to(at("2024-10-16T08:59"))
    status = portals.mem.test_client().get("/_sim/replication").get_json()
    assert (status["due_not_applied"], status["blocked"]) == (30, 0)
    assert status["oldest_due_age_seconds"] > 47 * 3600
    assert portals.national_licences() == {}
    assert portals.set_faults(mode="up")["failed_calls"] > 50     # retried, with backoff
    stepper.advance_to(at("2024-10-16T10:00"))
    assert portals.lost_and_duplicated(keys) == (0, 0)
    assert portals.outbox_states() == {"delivered": 30}
    with portals.sessions(portals.national)() as session:
        seqs = list(session.scalars(select(AppliedChange.seq).order_by(AppliedChange.id)))
    assert seqs == sorted(seqs)


def test_two_replicators_started_at_once_never_both_deliver(portals):
    keys = portals.issue(60, lag="0")
    reports = {"replicator-1": [], "replicator-2": []}

    def replicate(holder: str) -> None:
        replicator = portals.replicator(holder=holder, batch_size=10)
        for _ in range(10):
            reports[holder].append(replicator.replicate_due(portals.clock.now()))

    threads = [threading.Thread(target=replicate, args=(h,)) for h in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    delivering = {h for h, runs in reports.items() if any(r.batches for r in runs)}
    assert len(delivering) == 1
    other = (set(reports) - delivering).pop()
    assert {r.outcome for r in reports[other]} <= {"lease_held", "idle"}
    duplicates = sum(r.results.get("duplicate", 0) for runs in reports.values() for r in runs)
    assert duplicates == 0
    assert portals.lost_and_duplicated(keys) == (0, 0)


def test_a_clock_jump_of_six_months_is_caught_up_in_bounded_batches(portals):
    keys = portals.issue(120)                                # 3wd: due 2024-10-08
    recorder = BatchRecorder(portals.transport())
    replicator = portals.replicator(recorder, batch_size=25, max_batches=2)
    portals.clock.set(at("2025-03-27T17:00"))
    reports = run_due(replicator, portals.clock)             # the real-time job, after the jump
    assert max(recorder.sizes) <= 25 and all(r.batches <= 2 for r in reports)
    assert len(reports) == 3 and reports[-1].more is False
    assert portals.lost_and_duplicated(keys) == (0, 0)


def test_a_revoke_written_before_the_issue_was_visible_ends_revoked_and_stays_revoked(portals):
    [key] = portals.issue(1)                                 # Fri 17:00, visible 2024-10-08
    portals.clock.set(at("2024-09-28T10:00"))
    portals.revoke(key, lag="0")                             # a later policy: visible at once
    stepper = portals.stepper()
    stepper.advance_to(at("2024-10-07T23:59"))
    assert portals.national_licences() == {}                 # the revoke waits for its issue
    stepper.advance_to(at("2024-10-08T00:00"))
    assert portals.national_licences()[key].status == "revoked"
    portals.mem.test_client().post("/_sim/replication/replay", json={"after": 0})
    reports = stepper.advance_to(at("2024-10-09T00:00"))
    assert sum(r.results.get("duplicate", 0) for r in reports) == 2
    assert portals.national_licences()[key].status == "revoked"
    assert portals.lost_and_duplicated([key]) == (0, 0) and applied_in_order(portals)


def test_per_licence_order_holds_under_a_random_lag(portals):
    keys = portals.issue(40, lag="uniform:0wd..3wd")
    portals.clock.set(at("2024-09-27T18:00"))
    for key in keys[::2]:
        portals.revoke(key, lag="0")
    reports = portals.stepper().advance_to(at("2024-10-12T00:00"))
    assert not any(r.results.get("rejected") for r in reports)
    national = portals.national_licences()
    assert {k for k, lic in national.items() if lic.status == "revoked"} == set(keys[::2])
    assert portals.lost_and_duplicated(keys) == (0, 0) and applied_in_order(portals)


def test_replay_from_sequence_zero_rebuilds_a_fresh_national_portal_identically(
        portals, db_url_factory):
    keys = portals.issue(15, lag="0")
    for key in keys[:5]:
        portals.revoke(key, lag="0")
    portals.stepper().drain()
    before = {k: (lic.revision, lic.status) for k, lic in portals.national_licences().items()}
    import national_portal
    from shared.db import create_schema

    url = db_url_factory("national_rebuilt")
    portals.national = national_portal.create_app(
        {"SIM_ENABLED": True, "SYNC_SECRET": "test-replication-secret", "DATABASE_URL": url},
        clock=portals.clock)
    create_schema(portals.national.extensions["certsim"].engine, NATIONAL_TABLES)
    portals.mem.test_client().post("/_sim/replication/replay", json={"after": 0})
    reports = portals.stepper().drain()
    assert sum(r.results.get("applied", 0) for r in reports) == 20
    after = {k: (lic.revision, lic.status) for k, lic in portals.national_licences().items()}
    assert after == before
    assert portals.lost_and_duplicated(keys) == (0, 0) and applied_in_order(portals)
