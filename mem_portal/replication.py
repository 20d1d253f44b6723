"""The ministry's side of the replication wire (`/api/v1/changes…`): every call signed.

The replicator reads the change feed, acknowledges what the national portal answered for,
reports rejections and holds the delivery lease here. The wire format is in
docs/replication.md; the replication control plane is in control.py.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, jsonify, request

from shared import outbox
from shared.errors import InvalidInput
from shared.web.bodies import body_int, body_text, json_body, query_int
from shared.web.resources import get_clock, get_session, resources
from shared.web.signed import require_signed_call

bp = Blueprint("replication", __name__, url_prefix="/api/v1")


@bp.before_request
def check_signature() -> None:
    """Refuse any feed call that is not signed with the replication secret."""
    require_signed_call(current_app.config["SYNC_SECRET"], resources().engine)


def moment_arg(name: str) -> datetime | None:
    """Read an optional ISO instant with its offset."""
    return _moment(request.args.get(name), name)


def _moment(text, name: str) -> datetime | None:
    """Parse an optional ISO instant with its offset (None or "" when absent)."""
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise InvalidInput(name, f"{name} must be an ISO instant")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(name, f"{name} must be an ISO instant") from None
    if moment.tzinfo is None:
        raise InvalidInput(name, f"{name} must carry a UTC offset")
    return moment


@bp.get("/changes")
def changes():
    """Return the changes due for delivery after a sequence number."""
    page = outbox.read_feed_json(get_session(), get_clock(), after=query_int("after", 0),
                                 limit=query_int("limit", 100), until=moment_arg("until"))
    return current_app.response_class(page, mimetype="application/json")


@bp.post("/changes")
def pull():
    """Take or renew the lease and return the next page of due changes, in one call."""
    data = json_body()
    after = _present(data, "after")
    page = outbox.pull(get_session(), get_clock(), body_text(data, "holder"), _ttl(data),
                       after=None if after is None else body_int(data, "after", 0),
                       limit=body_int(data, "limit", 100, minimum=1),
                       until=_moment(_present(data, "until"), "until"))
    return current_app.response_class(page, mimetype="application/json")


def _present(data: dict, name: str):
    """Return a body field that may be absent but, when given, is not empty or null."""
    value = data.get(name)
    if name in data and value in (None, ""):
        raise InvalidInput(name, f"{name} must be given or left out")
    return value


def _ttl(data: dict) -> float:
    ttl = data.get("ttl", 60)
    if isinstance(ttl, bool) or not isinstance(ttl, int | float):
        raise InvalidInput("ttl", "ttl must be a number of seconds")
    return float(ttl)


@bp.post("/changes/ack")
def ack():
    """Record that the national portal answered for these changes."""
    data = json_body()
    for name in ("change_ids", "seqs"):
        if name in data and data[name] is None:  # absent is fine; null is no list
            raise InvalidInput(name, f"{name} must be a list")
    return jsonify(outbox.acknowledge(get_session(), get_clock(), data.get("change_ids"),
                                      seqs=data.get("seqs")))


@bp.post("/changes/nack")
def nack():
    """Count a failed attempt on changes the national portal rejected."""
    data = json_body()
    return jsonify(outbox.record_failures(get_session(), get_clock(), data.get("failures"),
                                          body_int(data, "max_attempts", 5, minimum=1)))


@bp.post("/changes/lease")
def lease():
    """Grant, renew or release the delivery lease (and record the last run's report)."""
    data = json_body()
    report = data.get("report")
    if "report" in data and not isinstance(report, dict):
        raise InvalidInput("report", "report must be an object")
    return jsonify(outbox.take_lease(get_session(), get_clock(), body_text(data, "holder"),
                                     _ttl(data), report))


@bp.get("/changes/lease")
def lease_state():
    """Show the lease, checkpoint and last tick request (the replicator polls this)."""
    return jsonify(outbox.lease_state(get_session()))
