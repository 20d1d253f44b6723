"""What the runner reads from a portal's answer: the fields at fault and the guide's FAQ."""

from __future__ import annotations

import json

from scenarios.guidance import answer_facts, faq_text
from scenarios.portals import ApiError, Reply

NATIONAL_GUIDANCE = [
    {"reason": "仅支持新版特种作业操作证。", "remedy": "经复审合格换发新版后再查看。"},
    {"reason": "数据存在延迟现象。", "remedy": "或等待3个工作日后再查看。"},
]


def reply(body: dict, status: int = 400) -> Reply:
    return Reply(status, "application/json", json.dumps(body, ensure_ascii=False).encode())


def test_a_refusal_names_every_field_at_fault_with_its_own_message():
    error = ApiError.from_reply(reply({
        "error": "invalid_input", "field": "password", "message": "密码长度8-20位",
        "errors": {"password": "密码长度8-20位", "confirm_password": "两次输入的密码不一致"}}),
        "mem POST /api/v1/register")
    assert error.fields == {"password": "密码长度8-20位", "confirm_password": "两次输入的密码不一致"}
    assert error.said == "密码长度8-20位；两次输入的密码不一致"


def test_a_refusal_of_one_field_without_an_errors_map_names_that_field():
    error = ApiError.from_reply(reply({"error": "invalid_input", "field": "phone",
                                       "message": "请输入正确的11位手机号码"}), "call")
    assert error.fields == {"phone": "请输入正确的11位手机号码"}
    assert error.said == "请输入正确的11位手机号码"


def test_the_faq_is_numbered_as_the_page_numbers_it_with_each_remedy():
    assert faq_text(NATIONAL_GUIDANCE) == (
        "原因一：仅支持新版特种作业操作证。 解决方法：经复审合格换发新版后再查看。\n"
        "原因二：数据存在延迟现象。 解决方法：或等待3个工作日后再查看。")


def test_an_answer_reports_its_faq_only_when_it_carries_one():
    assert answer_facts(reply({"bound": [], "guidance": NATIONAL_GUIDANCE}, 200))[
        "guidance"].startswith("原因一：仅支持新版")
    assert answer_facts(reply({"guidance": []}, 200))["guidance"] == ""
    facts = answer_facts(reply({"bound": ["k"]}, 200))
    assert "guidance" not in facts and facts["text"] == '{"bound": ["k"]}'
