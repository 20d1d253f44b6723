"""The journal of a recording becomes scenario steps: who, when, and what they saw."""

from __future__ import annotations

from scenarios.loader import load_text
from scenarios.recorder import translate
from shared.recording import Recording

START = "2024-09-10T01:00:00+00:00"  # 09:00 in Beijing
ZHANG = {"name": "张三", "id_number": "110101199003070011", "phone": "13800138000"}
CERT = {"key": "K1", "name": "张三", "id_number": "110101199003070011", "category": "电工作业",
        "item": "低压电工作业"}


def recording(snapshot: str | None = None) -> Recording:
    return Recording("unit", START, "3wd", 0, snapshot)


def ev(action, at="2024-09-10T01:00:05+00:00", source="national", **parts) -> dict:
    return {"at": at, "source": source, "action": action,
            "request": {"method": "POST", "path": "/x"}, **parts}


def login(source="national", password="Abc12345!", **parts) -> dict:
    return ev("login", source=source, holder=ZHANG,
              typed={"login": ZHANG["phone"], "password": password}, **parts)


def steps(events, snapshot=None) -> list[dict]:
    return translate(recording(snapshot), events).document["steps"]


def test_each_step_carries_its_time_in_beijing_never_going_backwards():
    done = steps([login(), ev("logout", at="2024-09-10T01:00:04+00:00", holder=ZHANG)])
    assert [s["at"] for s in done] == ["2024-09-10T09:00:05+08:00"] * 2


def test_the_people_keep_the_password_of_their_first_successful_login():
    recorded = translate(recording(), [login(password="Bad1", error="bad_credentials"),
                                       login(password="Good@2024")])
    assert recorded.document["people"]["张三"]["password"] == "Good@2024"
    first, second = recorded.document["steps"]
    assert first["password"] == "Bad1" and first["expect"] == {"error": "bad_credentials"}
    assert "password" not in second and "expect" not in second


def test_a_login_by_id_number_says_so():
    typed = {"login": ZHANG["id_number"], "password": "Abc12345!"}
    [step] = steps([ev("login", holder=ZHANG, typed=typed)])
    assert step["with"] == "id_number"


def test_a_refused_registration_keeps_the_typed_fields_that_differ_and_expects_its_errors():
    form = {**ZHANG, "password": "short", "confirm_password": "other", "agree": True,
            "id_valid_from": None, "sms_code": "123456", "captcha_answer": ""}
    refused = ev("register", typed=form, error="invalid_input",
                 fields={"password": "…", "confirm_password": "…"})
    accepted = ev("register", typed={**form, "password": "Abc12345!",
                                     "confirm_password": "Abc12345!"}, holder=ZHANG)
    first, second = steps([refused, accepted])
    assert first["password"] == "short" and first["confirm_password"] == "other"
    assert first["expect"] == {"error": "invalid_input",
                               "fields": ["confirm_password", "password"]}
    assert second == {"at": second["at"], "do": "national.register", "person": "张三"}


def test_a_bind_expects_what_was_bound_and_listed_with_the_all_bound_message():
    issued = ev("issue", source="mem", facts={"certificate": CERT, "version": "new"})
    bound = ev("bind", holder=ZHANG, facts={"bound": [], "listed": [CERT], "message": "均已绑定",
                                            "guidance": [{"reason": "数据存在延迟", "remedy": "等待"}]})
    checked = ev("verify_identity", holder=ZHANG, facts={"outcome": "pass", "purpose": "bind"})
    *_, step = steps([issued, login(), checked, bound])
    assert step["expect"] == {"bound": [], "count": 1, "text": "均已绑定",
                              "guidance": ["原因一：数据存在延迟 解决方法：等待"]}


def test_the_registrations_own_face_check_is_part_of_the_registration_step():
    check = ev("verify_identity", source="mem", holder=ZHANG,
               facts={"outcome": "pass", "purpose": "register"})
    assert steps([check]) == [{"do": "wait", "for": "1m", "note": "nothing was recorded"}]


def test_a_failed_face_check_expects_identity_failed():
    check = ev("verify_identity", holder=ZHANG, facts={"outcome": "fail", "purpose": "bind"})
    step = steps([login(), check])[-1]
    assert step["outcome"] == "fail" and step["expect"] == {"error": "identity_failed"}


def test_a_clock_move_waits_until_the_new_time_and_a_pause_adds_nothing():
    moved = ev("clock", source="mem", facts={"to": "2024-09-13T01:00:00+00:00"})
    paused = ev("clock", at="2024-09-13T01:00:00+00:00", source="mem",
                facts={"to": "2024-09-13T01:00:00+00:00", "frozen": True})
    assert steps([moved, paused]) == [{"do": "wait", "until": "2024-09-13T09:00:00+08:00"}]


def test_a_licence_from_the_snapshot_is_named_under_certificates():
    recorded = translate(recording("demo"), [login(source="mem"), ev(
        "my_licences", source="mem", holder=ZHANG, facts={"listed": [CERT], "guidance": []})])
    assert recorded.document["start"] == {"snapshot": "demo"}
    assert recorded.document["certificates"] == {"c1": {"person": "张三", "item": "低压电工作业"}}
    assert recorded.document["steps"][-1]["expect"] == {"count": 1, "includes": ["c1"]}


def test_acting_in_a_login_begun_before_the_recording_is_reported_not_written():
    recorded = translate(recording(), [ev("bind", holder=ZHANG, facts={"bound": []})])
    [item] = recorded.unexpressed
    assert "acted in a login begun before the recording" in item.why
    assert item.line().startswith("2024-09-10 09:00:05 POST /x: ")


def test_a_request_without_an_action_is_reported_with_its_method_path_and_time():
    recorded = translate(recording(), [login(), ev(None, request={"method": "PUT",
                                                                   "path": "/_sim/lag"})])
    assert [u.line() for u in recorded.unexpressed] == [
        "2024-09-10 09:00:05 PUT /_sim/lag: the scenario format has no step for this request"]
    assert [s["do"] for s in recorded.document["steps"]] == ["national.login"]


def test_a_review_dated_another_day_is_reported():
    issued = ev("issue", source="mem", facts={"certificate": CERT})
    review = ev("review", source="cli", facts={"certificate": CERT, "result": "pass",
                                               "dated": "2024-01-01"})
    recorded = translate(recording(), [issued, review])
    assert "dated 2024-01-01" in recorded.unexpressed[0].why


def test_the_file_loads_as_a_valid_scenario():
    issued = ev("issue", source="mem", facts={"certificate": CERT, "version": "old_ic",
                                              "issued_on": "2024-09-01"})
    recorded = translate(recording(), [issued, login(), ev("fault", source="national",
                                                           facts={"mode": "down", "calls": 2})])
    scenario = load_text(recorded.to_yaml(), "recorded.yaml")
    assert [s.action for s in scenario.steps] == ["issue", "national.login", "fault"]
    assert recorded.document["steps"][0]["version"] == "old"
