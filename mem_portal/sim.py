"""The ministry's control plane (`/_sim`, only when SIM_ENABLED): clock, SMS inbox, captcha
answers, face-check verdicts, the back office's certificate services, reset and info.

Modelled on LocalStack's `/_localstack/…`: JSON in, JSON out, errors as in the API.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import delete, func, select

from mem_portal.context import get_clock, get_issuance, get_session, resources
from mem_portal.logins import find_captcha
from mem_portal.web import body_text, json_body
from shared.accounts.services import decide_face_check, face_check_state, sms_inbox
from shared.certificates import (
    IssueCertificate,
    cancel_certificate,
    get_certificate,
    issue_certificate,
    licence_snapshot,
    record_review,
    renew_certificate,
    revoke_certificate,
)
from shared.clock import SHANGHAI, SimulatedClock, require_aware
from shared.db import tables_for
from shared.demo import seed_demo, seed_demo_accounts
from shared.errors import Forbidden, InvalidInput
from shared.identity import normalize_phone
from shared.models import Certificate
from shared.rules import STATUS_LABELS, e_licence_eligibility, effective_status

bp = Blueprint("sim", __name__, url_prefix="/_sim")
STEP = re.compile(r"^(\d+)(s|m|h|d|wd)$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
VERSIONS = {"new": "new", "old": "old_ic", "old_ic": "old_ic"}


@bp.get("/clock")
def clock():
    """Tell the portal's time."""
    return jsonify(_clock_json())


@bp.post("/clock")
def move_clock():
    """Set, advance ("90s", "2h", "3d", "1wd"), freeze or resume the simulated clock."""
    sim_clock, body = _simulated_clock(), json_body()
    if "set" in body:
        sim_clock.set(require_aware(_moment(body["set"]), "set"))
    if "advance" in body:
        sim_clock.set(advanced(sim_clock.now(), str(body["advance"])))
    if body.get("freeze"):
        sim_clock.freeze()
    if body.get("resume"):
        sim_clock.resume()
    return jsonify(_clock_json())


def advanced(now: datetime, step: str) -> datetime:
    """Return `now` moved forward by a step; "Nwd" keeps the time of day, N working days on."""
    match = STEP.match(step.strip())
    if not match:
        raise InvalidInput("advance", f"时钟步长应形如 90s、2h、3d 或 1wd: {step!r}")
    amount, unit = int(match[1]), match[2]
    if unit != "wd":
        return now + timedelta(**{UNITS[unit]: amount})
    if amount == 0:
        return now
    local = now.astimezone(SHANGHAI)
    day = resources().calendar.working_days_after(local.date(), amount)[-1]
    return datetime.combine(day, local.timetz())


@bp.get("/info")
def info():
    """Say what this portal is, its time and how much it holds."""
    session = get_session()
    counts = {table.name: session.scalar(select(func.count()).select_from(table))
              for table in tables_for("mem")}
    return jsonify(portal="mem", name="应急管理部政务服务平台", clock=_clock_json(),
                   public_url=current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/"),
                   lag=str(current_app.config["SYNC_LAG"]), counts=counts)


@bp.get("/sms")
def sms():
    """Read the simulated SMS inbox of one phone, newest first."""
    phone = normalize_phone(request.args.get("phone", ""))
    now = get_clock().now()
    return jsonify(phone=phone, messages=[
        {"code": m.code, "text": m.text, "purpose": m.purpose, "sent_at": m.sent_at.isoformat(),
         "expires_at": m.expires_at.isoformat(), "used": m.used_at is not None,
         "expired": now > m.expires_at} for m in sms_inbox(get_session(), phone)])


@bp.get("/captcha/<token>")
def captcha_answer(token: str):
    """Read the answer of a captcha (tests and scenarios cannot read the picture)."""
    captcha = find_captcha(get_session(), token)
    return jsonify(token=captcha.token, answer=captcha.answer,
                   expires_at=captcha.expires_at.isoformat(), used=captcha.used_at is not None)


@bp.post("/face-checks/<token>")
def decide(token: str):
    """Complete (pass) or fail a face-check ticket, as the phone app would."""
    outcome = json_body().get("outcome")
    if outcome not in ("pass", "fail"):
        raise InvalidInput("outcome", "认证结果应为 pass 或 fail")
    ticket = decide_face_check(get_session(), get_clock(), token, outcome == "pass")
    return jsonify(token=ticket.token, purpose=ticket.purpose,
                   state=face_check_state(ticket, get_clock().now()))


@bp.post("/certificates")
def issue():
    """Back office: issue a certificate (the outbox row is written in the same transaction)."""
    body = json_body()
    version = VERSIONS.get(str(body.get("version") or "new"))
    if version is None:
        raise InvalidInput("version", "证书版本应为 new 或 old_ic")
    cert = issue_certificate(get_session(), get_issuance(), IssueCertificate(
        name=body_text(body, "name"), id_number=body_text(body, "id_number"),
        category=body_text(body, "category"), item=body_text(body, "item"), card_version=version,
        issued_on=_date(body, "issued_on"), authority=body.get("authority") or None))
    return jsonify(_certificate_json(cert)), 201


@bp.get("/certificates/<key>")
def certificate(key: str):
    """Back office: a certificate with its status and e-licence eligibility at the clock's now."""
    return jsonify(_certificate_json(get_certificate(get_session(), key)))


@bp.post("/certificates/<key>/<action>")
def change_certificate(key: str, action: str):
    """Back office: review, renew, revoke or cancel a certificate."""
    body, session, ctx = json_body(), get_session(), get_issuance()
    if action == "review":
        cert = record_review(session, ctx, key, body_text(body, "result"),
                             _date(body, "reviewed_on"))
    elif action == "renew":
        cert = renew_certificate(session, ctx, key, _date(body, "renewed_on"))
    elif action == "revoke":
        cert = revoke_certificate(session, ctx, key, body_text(body, "reason"))
    elif action == "cancel":
        cert = cancel_certificate(session, ctx, key, body_text(body, "reason"))
    else:
        raise InvalidInput("action", f"未知的操作 {action!r}: review、renew、revoke 或 cancel")
    return jsonify(_certificate_json(cert))


@bp.post("/reset")
def reset():
    """Empty the ministry's database; then load the demo data unless {"empty": true}."""
    session = get_session()
    for table in reversed(tables_for("mem")):
        session.execute(delete(table))
    session.commit()
    if json_body().get("empty"):
        return jsonify(reset=True, demo=[])
    clock = get_clock()
    lines = seed_demo(session, get_issuance(), at=clock.now())
    seed_demo_accounts(session, clock)
    return jsonify(reset=True, demo=lines)


def _certificate_json(cert: Certificate) -> dict:
    now = get_clock().now()
    status = effective_status(cert, now.astimezone(SHANGHAI).date())
    verdict = e_licence_eligibility(cert, now)
    return {**licence_snapshot(cert), "status": status, "status_label": STATUS_LABELS[status],
            "stored_status": cert.status, "eligible": verdict.eligible,
            "eligibility_reason": verdict.reason}


def _clock_json() -> dict:
    clock_now = get_clock()
    now = clock_now.now()
    simulated = isinstance(clock_now, SimulatedClock)
    return {"now": now.isoformat(), "local": now.astimezone(SHANGHAI).isoformat(),
            "simulated": simulated, "frozen": simulated and clock_now.frozen}


def _simulated_clock() -> SimulatedClock:
    clock_now = get_clock()
    if not isinstance(clock_now, SimulatedClock):
        raise Forbidden("clock", "门户使用系统时间，不能调整时钟（设置 CERTSIM_CLOCK 为时钟文件）")
    return clock_now






def _date(body: dict, key: str) -> date | None:
    raw = body.get(key)
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(key, f"日期格式应为YYYY-MM-DD: {raw!r}") from None


def _moment(raw) -> datetime:
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput("set", f"时间格式应为ISO 8601: {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
