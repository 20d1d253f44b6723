"""The ministry's control plane (`/_sim`, only when SIM_ENABLED), beyond what both portals have
(shared.web.control: time, info, SMS inbox, face-check verdicts, reset): moving the clock,
captcha answers, the back office's certificate services, and replication (its figures, the
outbox, the lag policy, releasing, retrying, replaying and running it now).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from flask import current_app, jsonify, request

from mem_portal.issuer import get_issuer
from mem_portal.models import DATA_TABLES, TABLES
from mem_portal.payloads import certificate_json
from shared import outbox
from shared.accounts.codes import find_captcha
from shared.certificates import (
    IssueCertificate,
    cancel_certificate,
    get_certificate,
    issue_certificate,
    record_review,
    renew_certificate,
    revoke_certificate,
)
from shared.clock import SimulatedClock, parse_instant
from shared.db import latest_instant
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.lag import parse_lag
from shared.models import CardVersion
from shared.recording import licence_ref
from shared.web.bodies import (
    BIGGEST,
    body_flag,
    body_int,
    body_list,
    body_text,
    json_body,
    query_flag,
    query_int,
)
from shared.web.control import clock_json, control_blueprint
from shared.web.recording import note
from shared.web.resources import get_clock, get_session, get_world, resources
from shared.workdays import advance_by, require_known_year


def lag_figure() -> dict:
    """The figure /_sim/info adds: the lag policy applied to the next change."""
    return {"lag": get_world().read().lag}


bp = control_blueprint(__name__, TABLES, DATA_TABLES, figures=lag_figure)
REPLICATION_TICK = "certsim.replication_tick"  # app.extensions key: runs an in-process replicator
VERSIONS = {"new": CardVersion.NEW, "old": CardVersion.OLD_IC, "old_ic": CardVersion.OLD_IC}


@bp.post("/clock")
def move_clock():
    """Set, advance ("90s", "2h", "3d", "1wd"), jump to the next due change, pause or resume.

    The clock is the world's: every process sees the move. It never goes back past data
    already written (restore a snapshot to go back).
    """
    sim_clock, body = _simulated_clock(), json_body()
    if body_flag(body, "freeze") or body_flag(body, "pause"):  # first: {"set": t, "freeze": true} stops at t
        sim_clock.freeze()
    if "set" in body:
        sim_clock.set(allowed_moment(parse_instant(body["set"])))
    if "advance" in body:
        sim_clock.set(advanced(sim_clock.now(), str(body["advance"])))
    if body_flag(body, "next_due"):
        due = outbox.next_due_at(get_session(), sim_clock.now())
        if due is None:
            raise InvalidInput("next_due", "没有待到期的变更")
        sim_clock.set(due)
    if body_flag(body, "resume"):
        sim_clock.resume()
    note("clock", to=sim_clock.now().isoformat(), frozen=sim_clock.frozen)
    return jsonify(clock_json())


def allowed_moment(target: datetime) -> datetime:
    """Return `target` unless it is before data this portal already holds (or in a year the
    calendar lacks)."""
    require_known_year(target, resources().calendar)
    latest = latest_instant(get_session(), DATA_TABLES)
    if latest is not None and target < latest:
        raise InvalidInput("set", f"时间不能倒退到 {target.isoformat()}：已有 {latest.isoformat()} "
                                  "写入的数据；要回到过去，请恢复快照（certsim snapshot restore）")
    return target


def advanced(now: datetime, step: str) -> datetime:
    """Return `now` moved forward by a step; "Nwd" keeps the time of day, N working days on."""
    return advance_by(now, step, resources().calendar)


@bp.get("/captcha/<token>")
def captcha_answer(token: str):
    """Read the answer of a captcha (tests and scenarios cannot read the picture)."""
    captcha = find_captcha(get_session(), token)
    return jsonify(token=captcha.token, answer=captcha.answer,
                   expires_at=captcha.expires_at.isoformat(), used=captcha.used_at is not None)


@bp.post("/certificates")
def issue():
    """Back office: issue a certificate (the outbox row is written in the same transaction)."""
    body = json_body()
    version = VERSIONS.get(str(body.get("version") or "new"))
    if version is None:
        raise InvalidInput("version", "证书版本应为 new 或 old_ic")
    cert = issue_certificate(get_session(), get_issuer(), IssueCertificate(
        name=body_text(body, "name"), id_number=body_text(body, "id_number"),
        category=body_text(body, "category"), item=body_text(body, "item"), card_version=version,
        issued_on=_date(body, "issued_on"), authority=body.get("authority") or None))
    note("issue", certificate=licence_ref(cert), version=body.get("version") or "new",
         issued_on=body.get("issued_on") or None, authority=body.get("authority") or None)
    return jsonify(certificate_json(cert, get_clock().now())), 201


@bp.get("/certificates/<key>")
def certificate(key: str):
    """Back office: a certificate with its status and e-licence eligibility at the clock's now."""
    return jsonify(certificate_json(get_certificate(get_session(), key), get_clock().now()))


@bp.post("/certificates/<key>/<action>")
def change_certificate(key: str, action: str):
    """Back office: review, renew, revoke or cancel a certificate."""
    body, session, issuer = json_body(), get_session(), get_issuer()
    if action == "review":
        cert = record_review(session, issuer, key, body_text(body, "result"),
                             _date(body, "reviewed_on"))
    elif action == "renew":
        cert = renew_certificate(session, issuer, key, _date(body, "renewed_on"))
    elif action == "revoke":
        cert = revoke_certificate(session, issuer, key, body_text(body, "reason"))
    elif action == "cancel":
        cert = cancel_certificate(session, issuer, key, body_text(body, "reason"))
    else:
        raise InvalidInput("action", f"未知的操作 {action!r}: review、renew、revoke 或 cancel")
    dated = body.get("reviewed_on") or body.get("renewed_on") or None
    note(action, certificate=licence_ref(cert), result=body.get("result"),
         reason=body.get("reason"), dated=dated)
    return jsonify(certificate_json(cert, get_clock().now()))


@bp.get("/replication")
def replication():
    """Show the replication figures (pending, due, blocked, ages, last run, checkpoint)."""
    figures = outbox.replication_status(get_session(), get_clock())
    figures["lag"] = get_world().read().lag
    return jsonify(figures)


@bp.get("/outbox")
def peek():
    """List outbox rows without touching them."""
    rows = outbox.peek_outbox(
        get_session(), state=request.args.get("state"), after=query_int("after", 0),
        limit=query_int("limit", 50), keys=[k for k in request.args.getlist("key") if k],
        with_payload=query_flag("payload"),
        explain_with=resources().calendar if query_flag("explain") else None)
    return jsonify({"changes": rows})


@bp.get("/outbox/<int:seq>")
def peek_one(seq: int):
    """Show one outbox row with its payload."""
    rows = outbox.peek_outbox(get_session(), after=seq - 1, limit=1, with_payload=True) \
        if seq <= BIGGEST else []
    if not rows or rows[0]["seq"] != seq:
        raise NotFound("seq", f"no outbox row {seq}")
    return jsonify(rows[0])


@bp.post("/replication/release")
def release():
    """Release changes held by the manual lag: all, some change ids, or one licence."""
    body = json_body()
    return jsonify(outbox.release_held(get_session(), get_clock(),
                                       change_ids=body_list(body, "change_ids"),
                                       key=body_text(body, "certificate_key") or None))


@bp.post("/replication/retry")
def retry():
    """Put blocked changes (all or some change ids) back in the queue."""
    return jsonify(outbox.retry_blocked(get_session(), get_clock(),
                                        change_ids=body_list(json_body(), "change_ids")))


@bp.post("/replication/replay")
def replay():
    """Deliver every change after a sequence number again: {after: 0} replays from the start."""
    after = body_int(json_body(), "after", 0)
    return jsonify(outbox.replay_from(get_session(), get_clock(), after))


@bp.post("/replication/tick")
def tick():
    """Run the replicator now: in-process when one is attached, else ask `python -m sync`."""
    note("sync")
    run = current_app.extensions.get(REPLICATION_TICK)
    if run is not None:
        return jsonify({"ran": True, "report": run()})
    return jsonify({"ran": False, **outbox.request_tick(get_session(), get_clock())}), 202


@bp.get("/lag")
def lag():
    """Show the lag policy applied to the next change written."""
    world = get_world().read()
    return jsonify({"lag": world.lag, "seed": world.lag_seed})


@bp.put("/lag")
def set_lag():
    """Change the lag policy for changes written from now on (earlier ones keep theirs)."""
    body = json_body()
    if "lag" not in body:
        raise InvalidInput("lag", "lag is required")
    seed = body.get("seed", get_world().read().lag_seed)
    if isinstance(seed, bool) or (not isinstance(seed, int)
                                  and not str(seed).lstrip("-").isdigit()):
        raise InvalidInput("seed", "seed must be an integer")
    policy = parse_lag(body_text(body, "lag"), field="lag", seed=int(seed))
    get_world().update(lambda world: replace(world, lag=policy.spec, lag_seed=int(seed)))
    return lag()


def _simulated_clock() -> SimulatedClock:
    clock = get_clock()
    if not isinstance(clock, SimulatedClock):
        raise Forbidden("clock", "门户使用系统时间，不能调整时钟（设置 CERTSIM_CLOCK 为时钟文件）")
    return clock


def _date(body: dict, key: str) -> date | None:
    raw = body.get(key)
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(key, f"日期格式应为YYYY-MM-DD: {raw!r}") from None

