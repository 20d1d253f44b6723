"""The ministry's control plane (`/_sim`): clock, SMS inbox, captcha answers, face-check
verdicts, the back office's certificate services, reset and info; off unless enabled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from support.mem import ApiDriver, make_test_app

from mem_portal import create_app
from shared.clock import SHANGHAI, SystemClock

HOLDER = {"name": "张三", "id_number": "110101199003070011", "category": "电工作业",
          "item": "低压电工作业"}


@pytest.fixture
def app(db_url_factory, clock):
    return make_test_app(db_url_factory("mem"), clock)


@pytest.fixture
def api(app) -> ApiDriver:
    return ApiDriver(app.test_client())


def test_the_control_plane_is_absent_unless_enabled(tmp_path, clock):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'mem.sqlite3'}"}, clock=clock)
    status, body = ApiDriver(app.test_client()).call("GET", "/_sim/clock")
    assert (status, body["error"]) == (404, "not_found")


def test_the_clock_is_set_advanced_by_durations_and_working_days_and_frozen(api, clock):
    assert api.ok("GET", "/_sim/clock")["local"] == "2024-09-27T17:00:00+08:00"
    assert api.ok("POST", "/_sim/clock", {"advance": "90s"})["local"] == "2024-09-27T17:01:30+08:00"
    # Friday before National Day: Sunday 29 September is a 调休 working day, then Monday 30,
    # then the holiday until Tuesday 8 October
    assert api.ok("POST", "/_sim/clock", {"advance": "1wd"})["local"] == "2024-09-29T17:01:30+08:00"
    assert api.ok("POST", "/_sim/clock", {"advance": "2wd"})["local"] == "2024-10-08T17:01:30+08:00"
    moved = api.ok("POST", "/_sim/clock", {"set": "2025-01-02T09:00:00+08:00", "freeze": True})
    assert (moved["local"], moved["frozen"], moved["simulated"]) == ("2025-01-02T09:00:00+08:00",
                                                                     True, True)
    assert clock.now() == datetime(2025, 1, 2, 9, 0, tzinfo=SHANGHAI)


def test_a_bad_clock_step_names_the_field(api):
    status, body = api.call("POST", "/_sim/clock", {"advance": "soon"})
    assert (status, body["field"]) == (400, "advance")
    status, body = api.call("POST", "/_sim/clock", {"set": "2025-13-40"})
    assert (status, body["field"]) == (400, "set")


def test_a_portal_on_the_system_clock_refuses_to_move_it(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'mem.sqlite3'}", SystemClock())
    api = ApiDriver(app.test_client())
    assert api.ok("GET", "/_sim/clock")["simulated"] is False
    assert api.call("POST", "/_sim/clock", {"advance": "1h"})[0] == 403


def test_the_sms_inbox_and_captcha_answers_are_readable(api):
    api.ok("POST", "/api/v1/sms-codes", {"phone": "13912345678"})
    inbox = api.ok("GET", "/_sim/sms?phone=13912345678")["messages"]
    assert len(inbox) == 1 and inbox[0]["code"] in inbox[0]["text"]
    assert inbox[0]["text"].startswith("【应急管理部政务服务平台】您的验证码为")
    token = api.ok("GET", "/api/v1/captcha")["token"]
    assert len(api.ok("GET", f"/_sim/captcha/{token}")["answer"]) == 4
    assert api.call("GET", "/_sim/captcha/unknown")[0] == 404


def test_a_face_check_outcome_must_be_pass_or_fail(api):
    status, body = api.call("POST", "/_sim/face-checks/whatever", {"outcome": "maybe"})
    assert (status, body["field"]) == (400, "outcome")
    assert api.call("POST", "/_sim/face-checks/whatever", {"outcome": "pass"})[0] == 404


def test_the_back_office_issues_reviews_and_revokes_with_status_at_the_clocks_now(api):
    issued = api.issue(**HOLDER, issued_on="2023-03-15")
    key = issued["certificate_key"]
    assert (issued["status"], issued["eligible"], issued["licence_id"].endswith(".001." +
            issued["licence_id"][-1])) == ("valid", True, True)
    api.ok("POST", "/_sim/clock", {"set": "2026-03-16T09:00:00+08:00"})
    late = api.ok("GET", f"/_sim/certificates/{key}")
    assert (late["status"], late["stored_status"], late["eligible"]) == ("invalid", "valid", False)
    api.ok("POST", "/_sim/clock", {"set": "2026-02-01T09:00:00+08:00"})
    reviewed = api.ok("POST", f"/_sim/certificates/{key}/review", {"result": "pass"})
    assert (reviewed["review_passed_on"], reviewed["revision"]) == ("2026-02-01", 2)
    revoked = api.ok("POST", f"/_sim/certificates/{key}/revoke", {"reason": "提供虚假材料"})
    assert (revoked["status"], revoked["status_label"]) == ("revoked", "已撤销")
    status, body = api.call("POST", f"/_sim/certificates/{key}/revoke", {})
    assert (status, body["error"]) == (409, "not_eligible")


def test_the_back_office_refuses_bad_input_naming_the_field(api):
    for changes, field in (({"item": "高压电工"}, "item"), ({"version": "v3"}, "version"),
                           ({"issued_on": "2023-02-30"}, "issued_on"),
                           ({"id_number": "110101199003070012"}, "id_number")):
        status, body = api.call("POST", "/_sim/certificates", {**HOLDER, **changes})
        assert (status, body["field"]) == (400, field)
    assert api.call("POST", "/_sim/certificates/1/promote", {})[1]["field"] == "action"
    api.issue(**HOLDER)
    assert api.call("POST", "/_sim/certificates", HOLDER)[1]["error"] == "duplicate"


def test_the_lag_policy_in_force_fixes_visible_at_when_a_change_is_written(api):
    api.issue(**HOLDER)
    rows = api.ok("GET", "/_sim/outbox")["changes"]
    visible_at = datetime.fromisoformat(rows[0]["visible_at"]).astimezone(SHANGHAI)
    assert visible_at == datetime(2024, 10, 8, 0, 0, tzinfo=SHANGHAI)


def test_the_outbox_explains_on_request_which_days_the_lag_counted(api):
    api.issue(**HOLDER)
    [row] = api.ok("GET", "/_sim/outbox")["changes"]
    assert "explanation" not in row
    [row] = api.ok("GET", "/_sim/outbox?explain=1")["changes"]
    lines = row["explanation"]
    assert lines[0] == "2024-10-08T00:00:00+08:00"
    assert any("9/29" in line and "调休上班" in line for line in lines)
    assert any("10/1–10/7 国庆节" in line for line in lines)


def test_the_outbox_lists_the_changes_of_every_licence_named_by_a_repeated_key(api):
    first = api.issue(**HOLDER)["certificate_key"]
    second = api.issue(**{**HOLDER, "item": "高压电工作业"})["certificate_key"]
    api.issue(**{**HOLDER, "item": "防爆电气作业"})
    both = api.ok("GET", f"/_sim/outbox?key={first}&key={second}")["changes"]
    assert [row["certificate_key"] for row in both] == [first, second]
    assert len(api.ok("GET", f"/_sim/outbox?key={second}")["changes"]) == 1
    assert len(api.ok("GET", "/_sim/outbox")["changes"]) == 3


def test_the_replication_figures_count_held_due_and_waiting_changes_and_their_times(api, clock):
    for lag, item in (("manual", "低压电工作业"), ("3wd", "高压电工作业"), ("0", "防爆电气作业")):
        api.ok("PUT", "/_sim/lag", {"lag": lag})
        api.issue(**{**HOLDER, "item": item})
    clock.advance(timedelta(hours=1))
    figures = api.ok("GET", "/_sim/replication")
    assert {k: figures[k] for k in ("pending", "due_not_applied", "held_for_release", "blocked",
                                    "delivered", "oldest_pending_age_seconds",
                                    "oldest_due_age_seconds")} == {
        "pending": 3, "due_not_applied": 1, "held_for_release": 1, "blocked": 0,
        "delivered": 0, "oldest_pending_age_seconds": 3600, "oldest_due_age_seconds": 3600}
    assert datetime.fromisoformat(figures["next_due_at"]) == datetime(2024, 10, 8,
                                                                      tzinfo=SHANGHAI)


def test_reset_loads_the_demo_or_empties_the_database(api):
    api.issue(**HOLDER)
    demo = api.ok("POST", "/_sim/reset")
    assert len(demo["demo"]) == 6
    assert api.login("13800138000", "Demo@2026")["account"]["name"] == "张三"
    api.ok("POST", "/_sim/reset", {"empty": True})
    assert all(count == 0 for count in api.ok("GET", "/_sim/info")["counts"].values())


def test_info_says_which_portal_answers(api):
    info = api.ok("GET", "/_sim/info")
    assert (info["portal"], info["name"], info["public_url"], info["lag"]) == (
        "mem", "应急管理部政务服务平台", "http://mem.test", "3wd")


def test_open_captchas_are_listed_with_answers_and_used_or_expired_ones_are_not(api, clock):
    stale = api.ok("GET", "/api/v1/captcha")["token"]
    clock.advance(timedelta(minutes=6))
    used, fresh = (api.ok("GET", "/api/v1/captcha")["token"] for _ in range(2))
    api.call("POST", "/api/v1/register", {"captcha_token": used, "captcha_answer": "0000"})
    listed = api.ok("GET", "/_sim/captchas")["captchas"]
    assert [c["token"] for c in listed] == [fresh] and stale != fresh
    assert listed[0]["answer"] == api.ok("GET", f"/_sim/captcha/{fresh}")["answer"]
