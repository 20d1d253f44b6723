"""Control plane `/_sim` (only when SIM_ENABLED): clock, SMS inbox, face checks, reset, info.

The replication helpers (`/_sim/faults`, `/_sim/licences/<key>`) live in `ingest.py`.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from national_portal.api import body, domain_error
from national_portal.context import get_clock, get_session
from national_portal.housekeeping import portal_counts, reset_portal
from shared.accounts.services import decide_face_check, face_check_state, sms_inbox
from shared.clock import SimulatedClock
from shared.errors import DomainError, InvalidInput
from shared.identity import normalize_phone

bp = Blueprint("sim", __name__)
bp.register_error_handler(DomainError, domain_error)


@bp.get("/clock")
def clock():
    """The portal's time (the ministry's control plane moves it)."""
    clock = get_clock()
    return jsonify({"now": clock.now().isoformat(), "simulated": isinstance(clock, SimulatedClock),
                    "frozen": bool(getattr(clock, "frozen", False))})


@bp.get("/sms")
def sms():
    """The simulated SMS inbox of one phone, newest first."""
    phone = normalize_phone(request.args.get("phone", ""))
    return jsonify({"phone": phone, "messages": [
        {"code": m.code, "text": m.text, "purpose": m.purpose, "sent_at": m.sent_at.isoformat(),
         "expires_at": m.expires_at.isoformat(), "used": m.used_at is not None}
        for m in sms_inbox(get_session(), phone)]})


@bp.post("/face-checks/<token>")
def decide(token: str):
    """Play the app's verdict on a face check: {outcome: pass|fail}."""
    outcome = body().get("outcome")
    if outcome not in ("pass", "fail"):
        raise InvalidInput("outcome", "outcome 应为 pass 或 fail")
    ticket = decide_face_check(get_session(), get_clock(), token, outcome == "pass")
    return jsonify({"token": ticket.token, "state": face_check_state(ticket, get_clock().now())})


@bp.get("/info")
def info():
    """What this portal holds, at the portal's time."""
    return jsonify({"portal": "national", "now": get_clock().now().isoformat(),
                    "sim_enabled": True, **portal_counts(get_session())})


@bp.post("/reset")
def reset():
    """Empty the national database (accounts, licences, bindings, applied changes)."""
    reset_portal(get_session())
    return jsonify({"reset": True})
