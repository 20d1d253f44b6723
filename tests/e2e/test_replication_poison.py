"""A change the national portal cannot take is parked as blocked; an outage never is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_replication_harness import open_portals

import national_portal.replication


@pytest.fixture
def portals(db_url_factory, clock):
    pair = next(gen := open_portals(db_url_factory, clock))
    pair.national.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)  # a crash is a 500
    yield pair
    gen.close()


def poison(monkeypatch, key: str) -> None:
    """Make the national ingest crash on any batch that carries licence `key`."""
    real = national_portal.replication.apply_body

    def apply(session, clock, body: bytes):
        if f'"certificate_key":"{key}"'.encode() in body:
            raise RuntimeError("cannot store this licence")
        return real(session, clock, body)

    monkeypatch.setattr(national_portal.replication, "apply_body", apply)


def test_a_change_that_keeps_crashing_the_national_portal_is_blocked_and_the_rest_arrive(
        portals, clock, monkeypatch):
    keys = portals.issue(6, lag="0")
    poison(monkeypatch, keys[2])
    stepper = portals.stepper(portals.replicator(max_attempts=3))
    stepper.advance_to(clock.now() + timedelta(hours=2))
    assert portals.outbox_states() == {"delivered": 5, "blocked": 1}
    lost, duplicated = portals.lost_and_duplicated(keys[:2] + keys[3:])
    assert (lost, duplicated) == (0, 0)
    assert keys[2] not in portals.national_licences()


def test_a_blocked_change_arrives_once_retried_after_the_fault_is_fixed(
        portals, clock, monkeypatch):
    keys = portals.issue(3, lag="0")
    poison(monkeypatch, keys[1])
    stepper = portals.stepper(portals.replicator(max_attempts=2))
    stepper.advance_to(clock.now() + timedelta(hours=1))
    assert portals.outbox_states()["blocked"] == 1
    monkeypatch.undo()
    assert portals.mem.test_client().post("/_sim/replication/retry", json={}).status_code == 200
    stepper.advance_to(clock.now() + timedelta(hours=1))
    assert portals.outbox_states() == {"delivered": 3}
    assert portals.lost_and_duplicated(keys) == (0, 0)


def test_a_portal_answering_errors_to_everything_blocks_nothing(portals, clock):
    keys = portals.issue(4, lag="0")
    portals.set_faults(mode="error")
    stepper = portals.stepper(portals.replicator(max_attempts=2))
    stepper.advance_to(clock.now() + timedelta(hours=6))
    assert portals.outbox_states() == {"pending": 4}
    portals.set_faults(mode="up")
    stepper.advance_to(clock.now() + timedelta(hours=1))
    assert portals.outbox_states() == {"delivered": 4}
    assert portals.lost_and_duplicated(keys) == (0, 0)
