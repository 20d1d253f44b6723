"""Signed replication calls as a Flask view receives them (the ministry feed, national ingest)."""

from __future__ import annotations

from flask import request
from sqlalchemy import Engine

from shared.clock import wall_now
from shared.nonces import admit_nonce
from shared.wire import check_signature, read_signed_headers, refuse_replay


def require_signed_call(secret: str, engine: Engine) -> bytes:
    """Return the body of this request if it is signed, fresh and new; else raise.

    The headers are judged before the body is read (an unsigned or stale call costs nothing),
    and the body is read within the route's size limit.
    """
    signed = read_signed_headers(request.headers, now=wall_now())
    body = request.get_data()
    target = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
    check_signature(secret, request.method, target, body, signed)
    if not admit_nonce(engine, signed.nonce, signed.stale_after, wall_now()):
        raise refuse_replay()
    return body
