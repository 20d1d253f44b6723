"""The national portal's control plane (/_sim) and the wiring of the signed ingest endpoint."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from support.national import ZHANG, Api, Ministry, make_app

from shared.clock import wall_now
from shared.wire import sign_request


@pytest.fixture
def app(db_url_factory, clock):
    return make_app(db_url_factory("national"), clock, SYNC_SECRET="s3cret")


def test_the_control_plane_is_absent_unless_enabled(db_url_factory, clock):
    app = make_app(db_url_factory("national"), clock, SIM_ENABLED=False)
    client = app.test_client()
    for path in ("/_sim/clock", "/_sim/sms?phone=13800138000", "/_sim/faults"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json["error"] == "not_found"


def test_clock_shows_the_portals_simulated_time(app, clock):
    assert app.test_client().get("/_sim/clock").json == {
        "now": clock.now().isoformat(), "local": clock.now().isoformat(), "simulated": True,
        "frozen": True}


def test_sms_inbox_lists_the_codes_sent_to_a_phone(app):
    api = Api(app)
    api.post("/api/v1/sms-codes", {"phone": ZHANG.phone, "purpose": "register"})
    [message] = app.test_client().get(f"/_sim/sms?phone={ZHANG.phone}").json["messages"]
    assert message["text"].startswith("【国家政务服务平台】您的验证码为" + message["code"])
    assert message["used"] is False


def test_sms_inbox_of_a_malformed_phone_names_the_phone(app):
    response = app.test_client().get("/_sim/sms?phone=1")
    assert (response.status_code, response.json["field"]) == (400, "phone")


def test_face_check_outcome_must_be_pass_or_fail(app):
    api = Api(app)
    api.register()
    api.login()
    token = api.face_check(outcome=None)
    response = api.client.post(f"/_sim/face-checks/{token}", json={"outcome": "maybe"})
    assert (response.status_code, response.json["field"]) == (400, "outcome")
    assert api.client.post("/_sim/face-checks/unknown", json={"outcome": "pass"}).status_code == 404


def test_an_expired_face_check_can_no_longer_be_decided(app, clock):
    api = Api(app)
    api.register()
    api.login()
    token = api.face_check(outcome=None)
    clock.advance(timedelta(minutes=4))
    response = api.client.post(f"/_sim/face-checks/{token}", json={"outcome": "pass"})
    assert response.status_code == 400
    assert response.json["message"] == "二维码已过期，请刷新二维码"
    assert api.get(f"/api/v1/face-checks/{token}").json["state"] == "expired"


def test_reset_empties_the_portal(app, db_url_factory, clock):
    ministry = Ministry(db_url_factory("mem"), clock)
    ministry.issue()
    ministry.deliver(app)
    Api(app).signed_up().bind()
    client = app.test_client()
    info = client.get("/_sim/info").json
    assert (info["counts"]["accounts"], info["counts"]["licences"], info["open_bindings"]) == (
        1, 1, 1)
    assert client.post("/_sim/reset", json={"empty": True}).json == {"reset": True, "demo": []}
    counts = client.get("/_sim/info").json["counts"]
    assert (counts["accounts"], counts["licences"], counts["licence_bindings"],
            counts["applied_changes"]) == (
        0, 0, 0, 0)


def test_a_licence_delivered_through_the_signed_ingest_endpoint_can_be_bound(app, db_url_factory,
                                                                             clock):
    ministry = Ministry(db_url_factory("mem"), clock)
    key = ministry.issue()
    body = json.dumps({"changes": ministry.pending_changes()}).encode()
    headers = sign_request("s3cret", "POST", "/api/v1/ingest", body, now=wall_now())
    client = app.test_client()
    response = client.post("/api/v1/ingest", data=body, headers=headers,
                           content_type="application/json")
    assert [r["outcome"] for r in response.json["results"]] == ["applied"]
    assert client.get(f"/_sim/licences/{key}").json["eligible"] is True
    assert Api(app).signed_up().bind().json["bound"] == [key]


def test_an_unsigned_ingest_call_changes_nothing(app, db_url_factory, clock):
    ministry = Ministry(db_url_factory("mem"), clock)
    ministry.issue()
    client = app.test_client()
    response = client.post("/api/v1/ingest", json={"changes": ministry.pending_changes()})
    assert response.status_code == 401
    assert client.get("/_sim/info").json["counts"]["licences"] == 0
