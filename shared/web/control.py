"""The control plane both portals share (`/_sim`, registered only when SIM_ENABLED).

Modelled on LocalStack's `/_localstack/…`: JSON in, JSON out, errors as in the API. Each
portal adds its own routes to the blueprint this returns (the ministry: the clock, the back
office and replication; the national portal: the fault switch and the replicated copies).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import Table

from shared.accounts.codes import current_captchas, sms_inbox
from shared.accounts.faces import decide_face_check, face_check_state
from shared.accounts.logins import get_account
from shared.clock import SHANGHAI, SimulatedClock
from shared.db import count_rows, empty_tables, latest_instant
from shared.errors import InvalidInput
from shared.identity import normalize_phone
from shared.web.bodies import body_flag, json_body
from shared.web.recording import note
from shared.web.resources import get_clock, get_session, get_world

DEMO = "certsim.demo"  # app.extensions key: fills an emptied database with the demo (optional)


def clock_json() -> dict:
    """The portal's time: UTC, Asia/Shanghai, simulated or not, frozen or running."""
    clock = get_clock()
    now = clock.now()
    simulated = isinstance(clock, SimulatedClock)
    return {"now": now.isoformat(), "local": now.astimezone(SHANGHAI).isoformat(),
            "simulated": simulated, "frozen": simulated and clock.frozen}


def control_blueprint(import_name: str, tables: Sequence[Table], data_tables: Sequence[Table],
                      figures: Callable[[], dict] = dict) -> Blueprint:
    """Return the /_sim blueprint with what both portals answer; `figures` adds to /info.

    `data_tables` hold the world's data (not codes and bookkeeping): the latest instant written
    there is how far back the clock may be set.
    """
    bp = Blueprint("control", import_name, url_prefix="/_sim")

    @bp.get("/clock")
    def clock():
        """Tell the portal's time."""
        return jsonify(clock_json())

    @bp.get("/info")
    def info():
        """Say what this portal is, its time and how much it holds."""
        return jsonify(portal=current_app.name.removesuffix("_portal"),
                       name=current_app.config["SITE_NAME"], clock=clock_json(),
                       public_url=current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/"),
                       counts=count_rows(get_session(), tables), world=get_world().where,
                       database=get_session().get_bind().url.render_as_string(hide_password=True),
                       latest_written_at=_iso(latest_instant(get_session(), data_tables)),
                       **figures())

    @bp.get("/sms")
    def sms():
        """Read the simulated SMS inbox of one phone, newest first."""
        phone, now = normalize_phone(request.args.get("phone", "")), get_clock().now()
        return jsonify(phone=phone, messages=[
            {"code": m.code, "text": m.text, "purpose": m.purpose,
             "sent_at": m.sent_at.isoformat(), "expires_at": m.expires_at.isoformat(),
             "used": m.used_at is not None, "expired": now > m.expires_at}
            for m in sms_inbox(get_session(), phone)])

    @bp.get("/captchas")
    def captchas():
        """The image captchas still good for a try, newest first, with their answers (the
        national portal's forms have none: an empty list)."""
        return jsonify(captchas=[
            {"token": c.token, "answer": c.answer, "created_at": c.created_at.isoformat(),
             "expires_at": c.expires_at.isoformat()}
            for c in current_captchas(get_session(), get_clock())])

    @bp.post("/face-checks/<token>")
    def decide(token: str):
        """Complete (pass) or fail a face-check ticket, as the phone app would."""
        outcome = json_body().get("outcome")
        if outcome not in ("pass", "fail"):
            raise InvalidInput("outcome", "认证结果应为 pass 或 fail")
        ticket = decide_face_check(get_session(), get_clock(), token, outcome == "pass")
        note("verify_identity", lambda: get_account(get_session(), ticket.account_id),
             outcome=outcome, purpose=ticket.purpose)
        return jsonify(token=ticket.token, purpose=ticket.purpose,
                       state=face_check_state(ticket, get_clock().now()))

    @bp.post("/reset")
    def reset():
        """Empty the portal's database; then load the demo unless {"empty": true}."""
        session, demo = get_session(), current_app.extensions.get(DEMO)
        empty_tables(session, tables)
        lines = demo(session) if demo and not body_flag(json_body(), "empty") else []
        return jsonify(reset=True, demo=lines)

    return bp


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
