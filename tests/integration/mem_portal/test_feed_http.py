"""The same replicator over real HTTP: both portals served by waitress on loopback ports."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from support.served import LiveServer
from test_feed import SECRET, Ministry, open_mem

import national_portal
from national_portal.models import TABLES as NATIONAL_TABLES
from shared.db import create_schema
from sync import HttpTransport, Replicator, SyncConfig, TransportFailure


def serve(app):
    """Serve `app` as `make run` does on a free loopback port; return its URL and a stop
    function."""
    server = LiveServer(app)
    return server.url, server.stop


@pytest.fixture
def mem(db_url_factory, clock):
    yield from open_mem(db_url_factory, clock)


def wait_until(condition, seconds: float = 5.0) -> bool:
    """Wait (bounded) for another thread, here the slow server finishing its request."""
    pause = threading.Event()
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        pause.wait(0.05)
    return condition()


@pytest.fixture
def live(mem, db_url_factory, clock):
    national = national_portal.create_app({"DATABASE_URL": db_url_factory("national"),
                                           "SIM_ENABLED": True, "SYNC_SECRET": SECRET},
                                          clock=clock)
    create_schema(national.extensions["certsim"].engine, NATIONAL_TABLES)
    (mem_url, stop_mem), (national_url, stop_national) = serve(mem), serve(national)
    yield Ministry(mem, clock), national, {"mem": mem_url, "national": national_url}
    stop_mem(), stop_national()
    national.extensions["certsim"].engine.dispose()


def replicator(urls, clock, timeout=5.0) -> Replicator:
    config = SyncConfig(mem_url=urls["mem"], national_url=urls["national"], secret=SECRET,
                        batch_size=7, timeout=timeout, holder="http-replicator")
    return Replicator(HttpTransport(urls, SECRET, timeout=timeout), config)


def test_the_replicator_delivers_over_signed_http_in_batches(live, clock):
    ministry, national, urls = live
    keys = [ministry.issue(n) for n in range(20)]
    report = replicator(urls, clock).replicate_due(clock.now())
    assert (report.outcome, report.batches, report.results) == ("delivered", 3, {"applied": 20})
    client = national.test_client()
    assert all(client.get(f"/_sim/licences/{k}").status_code == 200 for k in keys)
    assert ministry.sim.get("/_sim/replication").get_json()["checkpoint"] == 20


def test_a_slow_national_portal_times_out_and_the_retry_is_answered_as_a_duplicate(live, clock):
    ministry, national, urls = live
    [key] = [ministry.issue(1)]
    # margins for a loaded machine: the ministry's calls must fit in the timeout, the slow
    # ingest must not
    national.test_client().post("/_sim/faults", json={"mode": "slow", "delay": 1.5, "calls": 1})
    impatient = replicator(urls, clock, timeout=0.75)
    first = impatient.replicate_due(clock.now())
    assert first.outcome == "failed" and "national: no answer within 0.75s" in first.error, first
    clock.advance(timedelta(seconds=1))
    assert wait_until(lambda: national.test_client().get(f"/_sim/licences/{key}").status_code
                      == 200)           # the slow server applied it after the caller gave up
    impatient.transport.timeout = 10  # patient now: a loaded machine must not fail the retry
    second = impatient.replicate_due(clock.now())
    assert second.results == {"duplicate": 1}
    assert ministry.sim.get("/_sim/replication").get_json()["delivered"] == 1


def test_an_unreachable_national_portal_is_a_retryable_failure(live, clock):
    ministry, _, urls = live
    ministry.issue(1)
    broken = dict(urls, national="http://127.0.0.1:9")
    report = replicator(broken, clock).replicate_due(clock.now())
    assert report.outcome == "failed" and "unreachable" in report.error
    assert ministry.sim.get("/_sim/replication").get_json()["due_not_applied"] == 1


class Meddling:
    """An HTTP transport (so the replicator pipelines) that interferes with chosen ingest calls."""

    concurrent = True

    def __init__(self, inner: HttpTransport, meddle):
        self.inner, self.meddle, self.calls = inner, meddle, []

    def call(self, service, method, path, **kwargs):
        self.calls.append(path)
        if path.endswith("/ingest"):
            kwargs["body"] = self.meddle(self.calls.count(path), kwargs["body"])
        return self.inner.call(service, method, path, **kwargs)


def pipelined(urls, clock, meddle) -> tuple[Replicator, Meddling]:
    transport = Meddling(HttpTransport(urls, SECRET, timeout=5), meddle)
    config = SyncConfig(mem_url=urls["mem"], national_url=urls["national"], secret=SECRET,
                        batch_size=7, timeout=5, holder="http-replicator")
    return Replicator(transport, config), transport


def states(ministry) -> dict:
    figures = ministry.sim.get("/_sim/replication").get_json()
    return {name: figures[name] for name in ("delivered", "pending", "checkpoint")}


def test_a_pipelined_run_stops_at_a_failed_batch_and_acknowledges_only_what_was_answered(
        live, clock):
    ministry, national, urls = live
    keys = [ministry.issue(n) for n in range(20)]

    def network_breaks_on_the_second_batch(number, body):
        if number == 2:
            raise TransportFailure("national", "unreachable: ConnectionError")
        return body

    first, transport = pipelined(urls, clock, network_breaks_on_the_second_batch)
    report = first.replicate_due(clock.now())
    assert (report.outcome, report.batches, report.acknowledged) == ("failed", 1, 7)
    assert transport.calls.count("/api/v1/ingest") == 2
    assert transport.calls.count("/api/v1/changes") == 3      # page 3 was read ahead, not sent
    assert states(ministry) == {"delivered": 7, "pending": 13, "checkpoint": 7}
    clock.advance(timedelta(seconds=1))
    again = replicator(urls, clock).replicate_due(clock.now())
    assert (again.outcome, again.results) == ("delivered", {"applied": 13})
    client = national.test_client()
    assert all(client.get(f"/_sim/licences/{k}").status_code == 200 for k in keys)
    assert states(ministry) == {"delivered": 20, "pending": 0, "checkpoint": 20}


def test_a_rejection_stops_a_pipelined_run_before_the_page_read_ahead_is_sent(live, clock):
    ministry, national, urls = live
    keys = [ministry.issue(n) for n in range(20)]

    def corrupt_the_third_change_of_the_first_batch(number, body):
        if number == 1:
            body = {"changes": [dict(c) for c in body["changes"]]}
            body["changes"][2]["revision"] = 2          # disagrees with its licence: rejected
        return body

    first, transport = pipelined(urls, clock, corrupt_the_third_change_of_the_first_batch)
    report = first.replicate_due(clock.now())
    assert "1 change(s) rejected" in report.error
    assert (report.batches, report.results) == (1, {"applied": 6, "rejected": 1})
    assert transport.calls.count("/api/v1/ingest") == 1
    assert states(ministry) == {"delivered": 6, "pending": 14, "checkpoint": 2}
    [rejected] = ministry.sim.get("/_sim/outbox?state=pending&limit=1").get_json()["changes"]
    assert (rejected["certificate_key"], rejected["attempts"]) == (keys[2], 1)
    clock.advance(timedelta(minutes=1))
    again = replicator(urls, clock).replicate_due(clock.now())
    assert again.results == {"applied": 14} and states(ministry)["delivered"] == 20
