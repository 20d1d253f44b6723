"""Expectations: what makes a step pass, and the "expected …, got …" lines when it does not."""

from __future__ import annotations

from datetime import datetime

import pytest

from scenarios.context import Outcome
from scenarios.expectations import compare
from scenarios.model import Step
from scenarios.timing import after
from shared.clock import SHANGHAI
from shared.workdays import WorkingCalendar


def step(expect: dict) -> Step:
    return Step(number=3, action="national.bind", params={"person": "zhang"}, expect=expect,
                at=None, note=None, line=12, column=5)


def test_a_step_without_expect_passes_only_when_it_succeeds():
    assert compare(step({}), Outcome()) == []
    assert compare(step({}), Outcome(error="not_found", message="未查询到")) == [
        "expected success, got error not_found: 未查询到"]


def test_an_expected_error_must_be_that_error():
    assert compare(step({"error": "not_found"}), Outcome(error="not_found")) == []
    assert compare(step({"error": "not_found"}), Outcome(facts={"bound": ["c1"]})) == [
        "expected error not_found, got success"]
    assert compare(step({"error": "locked"}), Outcome(error="bad_credentials", message="x")) == [
        "expected error locked, got error bad_credentials: x"]


def test_an_expected_field_must_be_among_the_fields_at_fault():
    outcome = Outcome(error="invalid_input", fields={"password": "密码…", "agree": "请阅读…"},
                      message="密码…")
    assert compare(step({"error": "invalid_input", "field": "agree"}), outcome) == []
    assert compare(step({"error": "invalid_input", "field": "phone"}), outcome) == [
        "expected error invalid_input on field phone, got it on password, agree: 密码…"]


REFUSED = Outcome(error="invalid_input", message="密码长度8-20位",
                  fields={"password": "密码长度8-20位", "confirm_password": "两次输入的密码不一致"})


def test_expected_fields_as_a_list_must_be_exactly_the_fields_at_fault_in_any_order():
    wanted = {"error": "invalid_input", "fields": ["confirm_password", "password"]}
    assert compare(step(wanted), REFUSED) == []
    assert compare(step({"error": "invalid_input", "fields": ["password"]}), REFUSED) == [
        "expected errors on [password], got them on [password, confirm_password]: "
        "password 密码长度8-20位；confirm_password 两次输入的密码不一致"]
    assert compare(step({"error": "invalid_input", "fields": ["agree"]}),
                   Outcome(error="invalid_input")) == [
        "expected errors on [agree], got them on []"]


def test_expected_fields_as_a_mapping_check_each_fields_message():
    wanted = {"password": "8-20位", "confirm_password": "不一致"}
    assert compare(step({"error": "invalid_input", "fields": wanted}), REFUSED) == []
    wanted = {"password": "8-20位", "confirm_password": "不正确"}
    assert compare(step({"error": "invalid_input", "fields": wanted}), REFUSED) == [
        "expected the error on confirm_password to say 不正确, got: 两次输入的密码不一致"]


def test_expected_fields_are_not_compared_when_the_error_itself_is_wrong():
    assert compare(step({"error": "duplicate", "fields": ["phone"]}), REFUSED) == [
        "expected error duplicate, got error invalid_input: 密码长度8-20位"]


def test_guidance_needs_every_substring_in_the_faq_and_says_when_there_is_none():
    outcome = Outcome(facts={"guidance": "原因一：仅支持新版\n原因二：数据存在延迟", "text": "{}"})
    assert compare(step({"guidance": ["原因一", "数据存在延迟"]}), outcome) == []
    assert compare(step({"guidance": "原因三"}), outcome) == [
        "expected guidance [原因三], not found in: 原因一：仅支持新版\n原因二：数据存在延迟"]
    assert compare(step({"guidance": "原因一"}), Outcome(facts={"guidance": ""})) == [
        "expected guidance [原因一], but this step's answer said none"]
    assert compare(step({"guidance": "原因一"}), Outcome(facts={"text": "原因一"})) == [
        "expected guidance, but this step reported none"]


def test_bound_compares_the_aliases_in_any_order():
    outcome = Outcome(facts={"bound": ["c2", "c1"], "count": 2})
    assert compare(step({"bound": ["c1", "c2"], "count": 2}), outcome) == []
    assert compare(step({"bound": ["c1"]}), outcome) == ["expected bound [c1], got [c1, c2]"]


def test_includes_and_excludes_name_what_was_missing_or_extra():
    outcome = Outcome(facts={"listed": ["c1", "c3"]})
    assert compare(step({"includes": ["c1"], "excludes": ["c2"]}), outcome) == []
    assert compare(step({"includes": ["c2"], "excludes": ["c3"]}), outcome) == [
        "expected c2 listed, got [c1, c3]", "expected c3 not listed, got [c1, c3]"]


def test_text_needs_every_substring_and_quotes_what_it_searched():
    outcome = Outcome(facts={"text": "数据存在延迟，请等待3个工作日"})
    assert compare(step({"text": ["数据存在延迟", "3个工作日"]}), outcome) == []
    assert compare(step({"text": "旧版"}), outcome) == [
        "expected text [旧版], not found in: 数据存在延迟，请等待3个工作日"]


def test_an_expectation_the_action_did_not_report_is_a_failure_not_a_pass():
    assert compare(step({"replicated": True}), Outcome()) == [
        "expected replicated, but this step reported none"]


def test_check_facts_compare_exactly_including_null_visible_from():
    outcome = Outcome(facts={"replicated": False, "visible_from": None, "status": "valid"})
    assert compare(step({"replicated": False, "visible_from": None}), outcome) == []
    assert compare(step({"visible_from": "2024-10-08"}), outcome) == [
        "expected visible_from 2024-10-08, got null"]


@pytest.mark.parametrize(("start", "duration", "end"), [
    ("2024-09-27T17:00", "3wd", "2024-10-08T17:00"),   # 调休 Sunday 29 Sep, then National Day
    ("2024-09-28T10:00", "1wd", "2024-09-29T10:00"),   # from a rest day: the 调休 Sunday 29
    ("2024-10-19T10:00", "1wd", "2024-10-21T10:00"),   # Saturday: Monday, as the console does
    ("2024-02-08T15:00", "2wd", "2024-02-18T15:00"),   # Spring Festival: 9 Feb, then Sunday 18
    ("2024-05-06T09:00", "90s", "2024-05-06T09:01:30"),
    ("2024-05-06T09:00", "2h", "2024-05-06T11:00"),
    ("2024-05-06T09:00", "3d", "2024-05-09T09:00"),
])
def test_waiting_moves_by_durations_and_working_days(start, duration, end):
    def at(text):
        return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)

    assert after(at(start), duration, WorkingCalendar()) == at(end)
