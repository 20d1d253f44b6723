"""Accounts on either portal: register, log in, log out, 实人认证 (face check).

Captcha answers, SMS codes and face-check verdicts come from the control plane, as a tester in
a test environment gets them.
"""

from __future__ import annotations

from datetime import datetime

from scenarios.actions import action
from scenarios.actions.sms import code_in_hand, note_refusal
from scenarios.context import Context, HeldCode, Outcome
from scenarios.model import Person, Step
from scenarios.portals import ApiError, Portal
from scenarios.reporting.days import local_time
from shared.clock import SHANGHAI

FACE_CHECK_PURPOSE = {"mem": "licences", "national": "bind"}


def portal_of(step: Step) -> str:
    return step.action.split(".", 1)[0]


@action("mem.register", "national.register")
def register(ctx: Context, step: Step) -> Outcome:
    """Walk the whole registration (the ministry's includes its 实人认证 step, which passes),
    typing the SMS code in hand, or a new one when it is no good any more."""
    name, person = portal_of(step), ctx.person(step)
    portal = ctx.portal(name)
    form = registration_form(person, step.params)
    if name == "mem":
        form.update(_captcha(portal, step.params))
    held, fresh = code_in_hand(ctx, name, form["phone"])
    form["sms_code"] = step.params.get("sms_code", held.code)
    try:
        answer = portal.ok("POST", "/api/v1/register", form)
    except ApiError as error:
        note_refusal(held, form["sms_code"], error)
        raise
    ticket = answer.get("face_check")
    if ticket:
        portal.ok("POST", f"/_sim/face-checks/{ticket['token']}", {"outcome": "pass"})
        portal.ok("POST", "/api/v1/register/complete", {"token": ticket["token"]})
    return Outcome(summary=f"账户 {answer['account_id']} 注册完成（{_code_said(held, fresh)}）")


def registration_form(person: Person, params: dict) -> dict:
    """Fill the form from the person, with the step's overrides; defaults: 长期有效, agreed."""
    valid_from = person.id_valid_from.isoformat() if person.id_valid_from else None
    password = params.get("password", person.password)
    return {"phone": params.get("phone", person.phone), "name": params.get("name", person.name),
            "id_number": params.get("id_number", person.id_number),
            "id_valid_from": params.get("id_valid_from", valid_from), "password": password,
            "confirm_password": params.get("confirm_password", password),
            "agree": params.get("agree", True)}


def _code_said(held: HeldCode, fresh: bool) -> str:
    if fresh or not held.sent_at:
        return "短信验证码刚获取"
    sent = datetime.fromisoformat(held.sent_at).astimezone(SHANGHAI)
    return f"沿用 {sent:%H:%M} 收到的短信验证码"


def _captcha(portal: Portal, params: dict) -> dict:
    """A new image captcha (one use: each try shows a fresh one) and its answer, read from
    the control plane unless the step types another."""
    captcha = portal.ok("GET", "/api/v1/captcha")
    answer = portal.ok("GET", f"/_sim/captcha/{captcha['token']}")["answer"]
    return {"captcha_token": captcha["token"],
            "captcha_answer": params.get("captcha_answer", answer)}


@action("mem.login", "national.login")
def login(ctx: Context, step: Step) -> Outcome:
    """Log in by phone (or ID number); an account already logged in simply logs in again."""
    name, person = portal_of(step), ctx.person(step)
    login_name = person.id_number if step.params.get("with") == "id_number" else person.phone
    answer = ctx.portal(name).ok("POST", "/api/v1/login", {
        "login": login_name, "password": step.params.get("password", person.password)})
    ctx.tokens[(name, step.person)] = answer["token"]
    expires = answer.get("expires_at")
    until = local_time(datetime.fromisoformat(expires)) if expires else "?"
    return Outcome(summary=f"已登录，至 {until} 有效")


@action("mem.logout", "national.logout")
def logout(ctx: Context, step: Step) -> Outcome:
    """退出系统."""
    name = portal_of(step)
    ctx.portal(name).ok("POST", "/api/v1/logout", {}, token=ctx.token(name, step))
    ctx.tokens.pop((name, step.person), None)
    return Outcome(summary="已退出")


@action("mem.verify_identity", "national.verify_identity")
def verify_identity(ctx: Context, step: Step) -> Outcome:
    """Open the login's face check, let the app decide it, and read its final state."""
    name = portal_of(step)
    portal, token = ctx.portal(name), ctx.token(name, step)
    ticket = portal.ok("POST", "/api/v1/face-checks", {"purpose": FACE_CHECK_PURPOSE[name]},
                       token=token)
    outcome = step.params.get("outcome", "pass")
    portal.ok("POST", f"/_sim/face-checks/{ticket['token']}", {"outcome": outcome})
    state = portal.ok("GET", f"/api/v1/face-checks/{ticket['token']}", token=token)["state"]
    if state == "failed":
        return Outcome(error="identity_failed", message="实人认证未通过", summary="人脸识别未通过")
    if state != "passed":
        return Outcome(error="identity_not_verified", message=f"实人认证状态: {state}")
    return Outcome(summary="实人认证通过")
