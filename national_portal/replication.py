"""The national portal's side of the replication wire: the signed ingest (`/api/v1/ingest`).

A batch of changes is applied idempotently and in order per licence (services/replica.py);
the answer carries one outcome per change. The control plane's fault switch can make the
endpoint fail or stall first (services/faults.py).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
from flask import Blueprint, current_app, jsonify

from national_portal.services.faults import take_fault
from national_portal.services.replica import apply_body
from shared.web.resources import get_clock, get_session, get_world, resources
from shared.web.signed import require_signed_call

bp = Blueprint("replication", __name__, url_prefix="/api/v1")
INGEST_PATH = "/api/v1/ingest"
MAX_BODY = 8 * 1024 * 1024  # a full batch of 5000 changes is ~6 MB of JSON


@bp.post("/ingest")
def ingest():
    """Apply a signed batch of changes and answer one outcome per change."""
    faults = take_fault(get_world())
    if faults.mode == "down":
        return jsonify({"error": "unavailable", "message": "服务暂不可用"}), 503
    if faults.mode == "error":
        return jsonify({"error": "internal_error", "message": "系统繁忙，请稍后再试"}), 500
    if faults.mode == "slow":
        threading.Event().wait(faults.delay)  # a slow server; the caller's timeout decides
    body = require_signed_call(current_app.config["SYNC_SECRET"], resources().engine)
    with collector_paused():
        answer = _apply_body(body)  # the parsed batch is freed before the collector resumes
    return current_app.response_class(answer, mimetype="application/json")


def _apply_body(body: bytes) -> bytes:
    """Apply a batch and return the answer's JSON."""
    outcomes = apply_body(get_session(), get_clock(), body)
    return orjson.dumps({"results": [o.to_json() for o in outcomes]})


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is parsed and applied.

    A batch of 2500 changes is some 100 000 new dicts and lists: the collector ran every few
    hundred of them, and its older generations walked every object the process holds — about
    a quarter of the apply's CPU (measured in-process: 48 -> 35 µs per licence). A parsed batch
    holds no reference cycle, so reference counting frees it as the block ends, before the
    collector is on again (were it still held, the first allocation after would make the
    collector walk all of it: ~5 % of the national process's CPU in a 100 000-licence run).
    It is process-wide: a request served meanwhile by another thread only has its own cycles
    collected a little later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
