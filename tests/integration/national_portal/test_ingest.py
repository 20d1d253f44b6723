"""The national portal's signed ingest endpoint and its fault switch, through the real app."""

from __future__ import annotations

import uuid

import pytest
from test_replica import LICENCE

import national_portal
from national_portal.models import TABLES as NATIONAL_TABLES
from shared.clock import wall_now
from shared.db import create_schema
from shared.wire import sign_request
from sync.transport import CallRefused, TransportFailure, WsgiTransport

SECRET = "ingest-secret"


@pytest.fixture
def national(db_url_factory, clock):
    app = national_portal.create_app({"DATABASE_URL": db_url_factory("national"),
                                      "SIM_ENABLED": True, "SYNC_SECRET": SECRET,
                                      "TESTING": True}, clock=clock)
    create_schema(app.extensions["certsim"].engine, NATIONAL_TABLES)
    yield app
    app.extensions["certsim"].engine.dispose()


def issue_change(key: str = LICENCE["certificate_key"]) -> dict:
    return {"seq": 1, "change_id": uuid.uuid4().hex, "kind": "issued", "certificate_key": key,
            "revision": 1, "payload": {"kind": "issued", "licence": {**LICENCE,
                                                                     "certificate_key": key}}}


def ingest(app, clock, changes, secret=SECRET) -> dict:
    return WsgiTransport({"national": app}, secret).call(
        "national", "POST", "/api/v1/ingest", body={"changes": changes})


def test_a_signed_batch_is_applied_and_the_copy_is_visible_with_its_eligibility(national, clock):
    change = issue_change()
    assert ingest(national, clock, [change]) == {
        "results": [{"change_id": change["change_id"], "outcome": "applied"}]}
    copy = national.test_client().get(f"/_sim/licences/{LICENCE['certificate_key']}").get_json()
    assert copy["licence"]["holder_name"] == "张三" and copy["eligible"] is True
    assert copy["revision"] == 1
    assert national.test_client().get("/_sim/licences/20249999999999").status_code == 404


def test_an_unsigned_a_forged_or_a_replayed_call_is_refused(national, clock):
    client = national.test_client()
    assert client.post("/api/v1/ingest", json={"changes": []}).status_code == 401
    with pytest.raises(CallRefused, match="401"):
        ingest(national, clock, [issue_change()], secret="guess")
    transport = WsgiTransport({"national": national}, SECRET)
    headers = sign_request(SECRET, "POST", "/api/v1/ingest", b'{"changes":[]}', now=wall_now(),
                           nonce="0123456789abcdef")
    first = client.post("/api/v1/ingest", data=b'{"changes":[]}', headers=headers,
                        content_type="application/json")
    again = client.post("/api/v1/ingest", data=b'{"changes":[]}', headers=headers,
                        content_type="application/json")
    assert (first.status_code, again.status_code) == (200, 401)
    assert "replayed" in again.get_json()["message"]
    assert transport.call("national", "POST", "/api/v1/ingest", body={"changes": []}) == {
        "results": []}


@pytest.mark.parametrize("mode, status", [("down", 503), ("error", 500)])
def test_the_fault_switch_fails_the_next_n_calls_then_recovers(national, clock, mode, status):
    switch = national.test_client().post("/_sim/faults", json={"mode": mode, "calls": 2})
    assert switch.get_json()["mode"] == mode
    for _ in range(2):
        with pytest.raises(TransportFailure) as failed:
            ingest(national, clock, [issue_change()])
        assert failed.value.status == status and not isinstance(failed.value, CallRefused)
    assert ingest(national, clock, [issue_change()])["results"][0]["outcome"] == "applied"
    assert national.test_client().get("/_sim/faults").get_json() == {
        "mode": "up", "calls": None, "delay": 2.0, "failed_calls": 2}


def test_a_fault_without_a_count_lasts_until_switched_up(national, clock):
    client = national.test_client()
    client.post("/_sim/faults", json={"mode": "down"})
    for _ in range(3):
        with pytest.raises(TransportFailure):
            ingest(national, clock, [])
    client.post("/_sim/faults", json={"mode": "up"})
    assert ingest(national, clock, []) == {"results": []}


@pytest.mark.parametrize("switch, field", [({"mode": "sideways"}, "mode"),
                                           ({"mode": "down", "calls": 0}, "calls"),
                                           ({"mode": "slow", "delay": 999}, "delay")])
def test_a_bad_fault_setting_is_refused_naming_the_field(national, switch, field):
    answer = national.test_client().post("/_sim/faults", json=switch)
    assert answer.status_code == 400 and answer.get_json()["field"] == field


def test_a_malformed_batch_is_refused_with_400_and_nothing_applied(national, clock):
    with pytest.raises(CallRefused, match="400"):
        ingest(national, clock, "not a list")
    assert national.test_client().get(
        f"/_sim/licences/{LICENCE['certificate_key']}").status_code == 404
