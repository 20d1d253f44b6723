"""The national portal's signed ingest endpoint (`api`) and its replication fault switch (`sim`).

`api` lives under /api/v1; `sim` under /_sim, registered only when SIM_ENABLED. The fault switch
makes the ingest endpoint behave as if the portal were down (503), broken (500) or slow, for
good or for the next N calls, so the replicator's retries can be shown.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import orjson
from flask import Blueprint, current_app, jsonify, request

from national_portal.context import get_clock, get_session, resources
from shared.errors import DomainError, InvalidInput, NotFound
from shared.replica import apply_changes, replicated_licence
from shared.rules import e_licence_eligibility
from shared.web.signed import require_signed_call

api = Blueprint("ingest", __name__)
sim = Blueprint("ingest_sim", __name__)
STATUS = {"invalid_input": 400, "bad_signature": 401, "not_found": 404}
FAULTS = "certsim.faults"
MODES = ("up", "down", "error", "slow")
MAX_BODY = 8 * 1024 * 1024  # a full batch of 5000 changes is ~6 MB of JSON


@dataclass
class FaultSwitch:
    """How the ingest endpoint misbehaves: mode, for how many more calls, and the delay."""

    mode: str = "up"
    calls: int | None = None      # None: until switched back up
    delay: float = 2.0            # seconds, for "slow"
    failed_calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, mode: str, calls: int | None, delay: float | None) -> None:
        """Switch to `mode` for `calls` calls (None = until changed)."""
        if mode not in MODES:
            raise InvalidInput("mode", f"mode must be one of {', '.join(MODES)}")
        if calls is not None and (not isinstance(calls, int) or calls < 1):
            raise InvalidInput("calls", "calls must be a positive integer")
        if delay is not None and not (isinstance(delay, int | float) and 0 <= delay <= 120):
            raise InvalidInput("delay", "delay must be 0..120 seconds")
        with self._lock:
            self.mode, self.calls = mode, calls if mode != "up" else None
            self.delay = self.delay if delay is None else float(delay)

    def take(self) -> str:
        """Return the mode of this call and count it down."""
        with self._lock:
            mode = self.mode
            if mode != "up":
                self.failed_calls += 1
                if self.calls is not None:
                    self.calls -= 1
                    if self.calls <= 0:
                        self.mode, self.calls = "up", None
            return mode

    def to_json(self) -> dict:
        """Return the switch as the control plane shows it."""
        return {"mode": self.mode, "calls": self.calls, "delay": self.delay,
                "failed_calls": self.failed_calls}


def faults(app=None) -> FaultSwitch:
    """Return the app's fault switch (created on first use)."""
    return (app or current_app).extensions.setdefault(FAULTS, FaultSwitch())


@api.errorhandler(DomainError)
@sim.errorhandler(DomainError)
def domain_error(exc: DomainError):
    """Answer a refused call with the error code, the field and the reason."""
    return jsonify(exc.to_json()), STATUS.get(exc.code, 400)


@api.post("/ingest")
def ingest():
    """Apply a signed batch of changes and answer one outcome per change."""
    mode = faults().take()
    if mode == "down":
        return jsonify({"error": "unavailable", "message": "服务暂不可用"}), 503
    if mode == "error":
        return jsonify({"error": "internal_error", "message": "系统繁忙，请稍后再试"}), 500
    if mode == "slow":
        threading.Event().wait(faults().delay)  # a slow server; the caller's timeout decides
    app, clock = current_app, get_clock()
    body = require_signed_call(app.config["SYNC_SECRET"], resources().sessions)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise InvalidInput("body", "a JSON object is expected")
    outcomes = apply_changes(get_session(), clock, data.get("changes"))
    return app.response_class(orjson.dumps({"results": [o.to_json() for o in outcomes]}),
                              mimetype="application/json")


@sim.get("/faults")
def show_faults():
    """Show the fault switch."""
    return jsonify(faults().to_json())


@sim.post("/faults")
def set_faults():
    """Set the fault switch: {mode: up|down|error|slow, calls: N, delay: seconds}."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("body", "a JSON object is expected")
    faults().set(str(data.get("mode", "up")), data.get("calls"), data.get("delay"))
    return jsonify(faults().to_json())


@sim.get("/licences/<key>")
def replicated(key: str):
    """Show the replicated copy of a licence, with its eligibility now, or 404."""
    licence = replicated_licence(get_session(), key)
    if licence is None:
        raise NotFound("key", f"国家政务服务平台尚无该证照: {key}")
    verdict = e_licence_eligibility(licence, get_clock().now())
    return jsonify({"licence": licence.payload["licence"], "revision": licence.revision,
                    "status": licence.status, "arrived_at": licence.arrived_at.isoformat(),
                    "updated_at": licence.updated_at.isoformat(),
                    "eligible": verdict.eligible, "reason": verdict.reason})
