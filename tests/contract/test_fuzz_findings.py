"""What schemathesis found in both portals, each fixed and held here: a refusal names the
field, an error answer keeps its headers, a number no row can have is not a crash."""

from __future__ import annotations

import pytest
from support.mem import ApiDriver, make_test_app
from support.national import Api, make_app
from werkzeug.test import Client


@pytest.fixture
def mem(tmp_path, clock):
    return make_test_app(f"sqlite:///{tmp_path / 'mem.sqlite3'}", clock)


@pytest.fixture
def national(tmp_path, clock):
    return make_app(f"sqlite:///{tmp_path / 'national.sqlite3'}", clock)


def refused(client, method: str, path: str, body=None, **kwargs) -> dict:
    answer = client.open(path, method=method, json=body, **kwargs)
    assert answer.status_code == 400, (path, answer.status_code, answer.get_data(as_text=True))
    return answer.get_json()


def test_a_method_a_route_does_not_take_is_answered_with_the_methods_it_does(mem):
    client = mem.test_client()
    for path in ("/api/v1/account", "/_sim/clock", "/login"):
        answer = client.open(path, method="TRACE")
        assert answer.status_code == 405
        assert "GET" in answer.headers["Allow"], path


def test_a_text_field_sent_as_another_type_is_refused_naming_it(mem):
    client = mem.test_client()
    assert refused(client, "POST", "/api/v1/sms-codes",
                   {"phone": "13900139000", "purpose": {}})["field"] == "purpose"
    assert refused(client, "POST", "/api/v1/login", {"login": 13800138000, "password": "x"}
                   )["field"] == "login"


def test_an_empty_or_null_purpose_is_refused_rather_than_taken_for_the_default(national):
    api = Api(national)
    api.register()
    api.login()
    for purpose in ("", None):
        answer = api.post("/api/v1/face-checks", {"purpose": purpose})
        assert (answer.status_code, answer.get_json()["field"]) == (400, "purpose")
    assert api.post("/api/v1/face-checks", {}).status_code == 201


def test_an_unknown_status_filter_of_my_licences_is_refused_naming_it(national):
    api = Api(national)
    api.register()
    api.login()
    answer = api.get("/api/v1/licences?status=AAA")
    assert (answer.status_code, answer.get_json()["field"]) == (400, "status")
    assert api.get("/api/v1/licences?status=other").status_code == 200


def test_control_plane_switches_must_be_true_or_false(mem, national):
    for app in (mem, national):
        assert refused(app.test_client(), "POST", "/_sim/reset", {"empty": {}})["field"] == "empty"
    assert refused(mem.test_client(), "POST", "/_sim/clock", {"pause": "yes"})["field"] == "pause"


def test_an_outbox_sequence_no_row_can_have_is_not_found(mem):
    answer = mem.test_client().get("/_sim/outbox/" + "9" * 40)
    assert (answer.status_code, answer.get_json()["error"]) == (404, "not_found")
    assert refused(mem.test_client(), "GET", "/_sim/outbox?after=" + "9" * 40)["field"] == "after"


def test_outbox_flags_and_states_outside_the_list_are_refused_naming_them(mem):
    client = mem.test_client()
    assert refused(client, "GET", "/_sim/outbox?payload=AAA")["field"] == "payload"
    assert refused(client, "GET", "/_sim/outbox?state=")["field"] == "state"
    assert client.get("/_sim/outbox?payload=1&explain=0").status_code == 200


def test_replay_takes_only_a_whole_sequence_number(mem):
    client = mem.test_client()
    for after in (False, 2.5, 10**30, -1):
        assert refused(client, "POST", "/_sim/replication/replay", {"after": after}
                       )["field"] == "after"


def test_release_and_retry_refuse_what_is_not_a_list_of_change_ids_or_a_key(mem):
    client = mem.test_client()
    assert refused(client, "POST", "/_sim/replication/retry", {"change_ids": None}
                   )["field"] == "change_ids"
    assert refused(client, "POST", "/_sim/replication/release", {"certificate_key": 7}
                   )["field"] == "certificate_key"


def test_the_lag_policy_and_its_seed_must_be_of_their_types(mem):
    client = mem.test_client()
    assert refused(client, "PUT", "/_sim/lag", {"lag": "3wd", "seed": False})["field"] == "seed"
    assert refused(client, "PUT", "/_sim/lag", {"lag": 0})["field"] == "lag"


def test_the_fault_switch_refuses_a_delay_that_is_true_or_false(national):
    answer = refused(national.test_client(), "POST", "/_sim/faults",
                     {"mode": "slow", "delay": False})
    assert answer["field"] == "delay"


def test_a_crash_under_the_api_is_answered_in_the_error_shape(mem):
    mem.config["PROPAGATE_EXCEPTIONS"] = False

    @mem.get("/api/v1/crash")
    def crash():
        raise RuntimeError("boom")

    answer = Client(mem).get("/api/v1/crash",  # a route no contract names: no answer check
                             environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert answer.status_code == 500
    assert answer.json == {"error": "internal_error", "field": None,
                                 "message": "系统繁忙，请稍后再试"}


def test_a_calendar_year_unknown_is_a_documented_refusal_of_the_clock(mem):
    driver = ApiDriver(mem.test_client())
    status, answer = driver.call("POST", "/_sim/clock", {"set": "2031-01-06T09:00:00+08:00"})
    assert (status, answer["error"]) == (400, "calendar_year_unknown")
