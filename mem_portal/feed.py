"""The ministry's change feed for the replicator (`api`) and its replication control plane (`sim`).

`api` lives under /api/v1 and every call must be signed (shared.wire); `sim` lives under /_sim
and is registered only when SIM_ENABLED. The wire format is in docs/replication.md.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, jsonify, request

from mem_portal.context import get_clock, get_session, resources
from shared import outbox
from shared.errors import DomainError, InvalidInput, NotFound
from shared.lag import parse_lag
from shared.web.signed import require_signed_call

api = Blueprint("feed", __name__)
sim = Blueprint("feed_sim", __name__)
STATUS = {"invalid_input": 400, "bad_signature": 401, "not_found": 404}
TICK_HOOK = "certsim.replication_tick"


@api.errorhandler(DomainError)
@sim.errorhandler(DomainError)
def domain_error(exc: DomainError):
    """Answer a refused call with the error code, the field and the reason."""
    return jsonify(exc.to_json()), STATUS.get(exc.code, 400)


@api.before_request
def check_signature() -> None:
    """Refuse any feed call that is not signed with the replication secret."""
    require_signed_call(current_app.config["SYNC_SECRET"], resources().sessions)


def body() -> dict:
    """Return the JSON object sent with the call, or refuse it."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("body", "a JSON object is expected")
    return data


def int_arg(name: str, default: int) -> int:
    """Read an integer query parameter, naming it when it is not one."""
    try:
        return int(request.args.get(name, default))
    except ValueError:
        raise InvalidInput(name, f"{name} must be an integer") from None


def moment_arg(name: str) -> datetime | None:
    """Read an optional ISO instant with its offset."""
    text = request.args.get(name)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(name, f"{name} must be an ISO instant") from None
    if moment.tzinfo is None:
        raise InvalidInput(name, f"{name} must carry a UTC offset")
    return moment


@api.get("/changes")
def changes():
    """Return the changes due for delivery after a sequence number."""
    page = outbox.read_feed_json(get_session(), get_clock(), after=int_arg("after", 0),
                                 limit=int_arg("limit", 100), until=moment_arg("until"))
    return current_app.response_class(page, mimetype="application/json")


@api.post("/changes/ack")
def ack():
    """Record that the national portal answered for these changes."""
    return jsonify(outbox.acknowledge(get_session(), get_clock(), body().get("change_ids")))


@api.post("/changes/nack")
def nack():
    """Count a failed attempt on changes the national portal rejected."""
    data = body()
    return jsonify(outbox.record_failures(get_session(), get_clock(), data.get("failures"),
                                          int(data.get("max_attempts", 5))))


@api.post("/changes/lease")
def lease():
    """Grant, renew or release the delivery lease (and record the last run's report)."""
    data = body()
    try:
        ttl = float(data.get("ttl", 60))
    except (TypeError, ValueError):
        raise InvalidInput("ttl", "ttl must be a number of seconds") from None
    report = data.get("report")
    return jsonify(outbox.take_lease(get_session(), get_clock(), str(data.get("holder") or ""),
                                     ttl, report if isinstance(report, dict) else None))


@api.get("/changes/lease")
def lease_state():
    """Show the lease, checkpoint and last tick request (the replicator polls this)."""
    return jsonify(outbox.lease_state(get_session()))


@sim.get("/replication")
def status():
    """Show the replication figures (pending, due, blocked, ages, last run, checkpoint)."""
    figures = outbox.replication_status(get_session(), get_clock())
    figures["lag"] = str(current_app.config.get("SYNC_LAG", "3wd"))
    return jsonify(figures)


@sim.get("/outbox")
def peek():
    """List outbox rows without touching them."""
    rows = outbox.peek_outbox(
        get_session(), state=request.args.get("state") or None, after=int_arg("after", 0),
        limit=int_arg("limit", 50), key=request.args.get("key") or None,
        with_payload=request.args.get("payload") in ("1", "true"))
    return jsonify({"changes": rows})


@sim.post("/replication/release")
def release():
    """Release changes held by the manual lag: all, some change ids, or one licence."""
    data = request.get_json(silent=True) or {}
    return jsonify(outbox.release_held(get_session(), get_clock(),
                                       change_ids=data.get("change_ids"),
                                       key=data.get("certificate_key")))


@sim.post("/replication/retry")
def retry():
    """Put blocked changes (all or some change ids) back in the queue."""
    data = request.get_json(silent=True) or {}
    return jsonify(outbox.retry_blocked(get_session(), get_clock(),
                                        change_ids=data.get("change_ids")))


@sim.post("/replication/replay")
def replay():
    """Deliver every change after a sequence number again: {after: 0} replays from the start."""
    data = request.get_json(silent=True) or {}
    after = data.get("after", 0)
    if not isinstance(after, int):
        raise InvalidInput("after", "after must be an integer")
    return jsonify(outbox.replay_from(get_session(), get_clock(), after))


@sim.post("/replication/tick")
def tick():
    """Run the replicator now: in-process when one is attached, else ask `python -m sync`."""
    hook = current_app.extensions.get(TICK_HOOK)
    if hook is not None:
        return jsonify({"ran": True, "report": hook()})
    return jsonify({"ran": False, **outbox.request_tick(get_session(), get_clock())}), 202


@sim.get("/lag")
def lag():
    """Show the lag policy applied to the next change written."""
    return jsonify({"lag": str(current_app.config.get("SYNC_LAG", "3wd")),
                    "seed": int(current_app.config.get("SYNC_LAG_SEED") or 0)})


@sim.put("/lag")
def set_lag():
    """Change the lag policy for changes written from now on (earlier ones keep theirs)."""
    data = body()
    if "lag" not in data:
        raise InvalidInput("lag", "lag is required")
    seed = data.get("seed", current_app.config.get("SYNC_LAG_SEED") or 0)
    if not isinstance(seed, int) and not str(seed).lstrip("-").isdigit():
        raise InvalidInput("seed", "seed must be an integer")
    policy = parse_lag(str(data["lag"]), field="lag", seed=int(seed))
    current_app.config.update(SYNC_LAG=policy.spec, SYNC_LAG_SEED=int(seed))
    return lag()


@sim.get("/outbox/<int:seq>")
def peek_one(seq: int):
    """Show one outbox row with its payload."""
    rows = outbox.peek_outbox(get_session(), after=seq - 1, limit=1, with_payload=True)
    if not rows or rows[0]["seq"] != seq:
        raise NotFound("seq", f"no outbox row {seq}")
    return jsonify(rows[0])
