"""The national portal's control plane (`/_sim`, only when SIM_ENABLED), beyond what both
portals have (shared.web.control: time, info, SMS inbox, face-check verdicts, reset): the
ingest's fault switch and the replicated copy of a licence.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import jsonify
from sqlalchemy import func, select

from national_portal.models import DATA_TABLES, TABLES, LicenceBinding
from national_portal.services.faults import set_faults
from national_portal.services.replica import licence_of, replicated_licence
from shared.errors import NotFound
from shared.rules import e_licence_eligibility
from shared.web.bodies import json_body
from shared.web.control import control_blueprint
from shared.web.recording import note
from shared.web.resources import get_clock, get_session, get_world


def open_bindings() -> dict:
    """The figure /_sim/info adds: licences bound now."""
    return {"open_bindings": get_session().scalar(select(func.count()).select_from(
        LicenceBinding).where(LicenceBinding.unbound_at.is_(None))) or 0}


bp = control_blueprint(__name__, TABLES, DATA_TABLES, figures=open_bindings)


@bp.get("/faults")
def show_faults():
    """Show the fault switch."""
    return jsonify(asdict(get_world().read().faults))


@bp.post("/faults")
def switch_faults():
    """Set the fault switch: {mode: up|down|error|slow, calls: N, delay: seconds}."""
    body = json_body()
    faults = set_faults(get_world(), str(body.get("mode", "up")), body.get("calls"),
                        body.get("delay"))
    note("fault", mode=faults.mode, calls=body.get("calls"), delay=body.get("delay"))
    return jsonify(asdict(faults))


@bp.get("/licences/<key>")
def replicated(key: str):
    """Show the replicated copy of a licence, with its eligibility now, or 404."""
    licence = replicated_licence(get_session(), key)
    if licence is None:
        raise NotFound("key", f"国家政务服务平台尚无该证照: {key}")
    verdict = e_licence_eligibility(licence, get_clock().now())
    return jsonify({"licence": licence_of(licence), "revision": licence.revision,
                    "status": licence.status, "arrived_at": licence.arrived_at.isoformat(),
                    "updated_at": licence.updated_at.isoformat(),
                    "eligible": verdict.eligible, "reason": verdict.reason})
