"""Registration as a person does it: the SMS code in hand is typed again until it is no good,
and every field error of a refused form is checked at once."""

from __future__ import annotations

import pytest

from scenarios.loader import load_text
from scenarios.runner import run_scenario
from scenarios.world import InProcessWorlds

HEADER = """version: 1
name: registration
start: "2024-03-04T17:00:00+08:00"
people:
  li: {name: 李梅, id_number: "110102198505120025", phone: "13800138001"}
steps:
"""


def replay(steps: str):
    """Replay the steps; return the result and the two portals' SMS inboxes of 李梅's phone."""
    pool = InProcessWorlds()
    try:
        result = run_scenario(load_text(HEADER + steps, "registration.yaml"), pool)
        inboxes = {name: portal.ok("GET", "/_sim/sms?phone=13800138001")["messages"]
                   for name, portal in (("mem", pool.world.mem),
                                        ("national", pool.world.national))}
    finally:
        pool.discard()
    return result, inboxes


def test_registrations_retried_at_one_instant_type_the_one_code_received_on_both_portals():
    result, inboxes = replay("".join(f"""  - do: {portal}.register
    person: li
    confirm_password: "Abc12345?"
    expect: {{error: invalid_input, fields: [confirm_password]}}
  - do: {portal}.register
    person: li
    agree: false
    expect: {{error: invalid_input, fields: {{agree: 注册协议}}}}
  - do: {portal}.register
    person: li
""" for portal in ("mem", "national")))
    assert result.passed, result.failure_text()
    assert [s.summary for s in result.steps if "注册完成" in s.summary] == [
        "账户 1 注册完成（沿用 17:00 收到的短信验证码）"] * 2
    assert [len(inbox) for inbox in inboxes.values()] == [1, 1]
    assert all(inbox[0]["used"] for inbox in inboxes.values())


def test_five_wrong_codes_spend_the_code_and_the_next_try_asks_for_a_new_one():
    wrong = "".join(f"""  - do: national.register
    person: li
    sms_code: "00000{n}"
    expect: {{error: invalid_input, fields: [sms_code]}}
""" for n in range(5))
    result, inboxes = replay(wrong + """  - do: national.register
    person: li
    expect: {error: invalid_input, fields: {sms_code: 验证码发送过于频繁}}
  - do: wait
    for: 1m
  - do: national.register
    person: li
""")
    assert result.passed, result.failure_text()
    assert result.steps[-1].summary == "账户 1 注册完成（短信验证码刚获取）"
    assert len(inboxes["national"]) == 2


@pytest.mark.parametrize(("later", "code"), [
    ("5m", "沿用 17:00 收到的短信验证码"),   # still good at its last instant
    ("301s", "短信验证码刚获取"),           # expired: a new one
])
def test_a_code_is_typed_again_until_it_expires_five_minutes_after_it_was_sent(later, code):
    result, inboxes = replay(f"""  - do: mem.register
    person: li
    agree: false
    expect: {{error: invalid_input, fields: [agree]}}
  - do: wait
    for: {later}
  - do: mem.register
    person: li
""")
    assert result.passed, result.failure_text()
    assert result.steps[-1].summary == f"账户 1 注册完成（{code}）"
    assert len(inboxes["mem"]) == (1 if code.startswith("沿用") else 2)


def test_a_code_used_by_a_registration_is_not_typed_again():
    result, inboxes = replay("""  - do: national.register
    person: li
  - do: national.register
    person: li
    note: 获取验证码 is refused for a registered phone
    expect: {error: duplicate, fields: {phone: 该手机号码已注册}}
""")
    assert result.passed, result.failure_text()
    assert len(inboxes["national"]) == 1


def test_every_field_error_of_one_submit_is_checked_and_a_missing_one_is_named():
    steps = """  - do: national.register
    person: li
    password: "abcdefgh"
    confirm_password: "abcdefgx"
    agree: false
    expect:
      error: invalid_input
      fields: {password: 两种以上组成, confirm_password: 不一致, agree: 注册协议}
  - do: national.register
    person: li
    password: "abcdefgh"
    agree: false
    expect: {error: invalid_input, fields: [password]}
"""
    result, _ = replay(steps)
    assert [s.passed for s in result.steps] == [True, False]
    assert result.steps[1].failures == [
        "expected errors on [password], got them on [password, agree]: "
        "password 密码长度8-20位，由数字、字母或符号(`~!_@#$%*)两种以上组成；agree 请阅读并同意注册协议"]
    assert result.steps[0].summary == (
        "invalid_input: 密码长度8-20位，由数字、字母或符号(`~!_@#$%*)两种以上组成；请阅读并同意注册协议；"
        "两次输入的密码不一致")  # the field the portal names first, then the others

