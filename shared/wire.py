"""Signed replication calls: HMAC-SHA256 over the request, a timestamp and a one-time nonce.

The string signed is ``METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\n`` followed by the raw body bytes,
where TARGET is the path plus ``?query`` when there is one, and TIMESTAMP is whole seconds since
the epoch on the caller's clock (the simulated clock in replay). The receiver refuses a bad
signature, a timestamp more than `tolerance` away from its own clock, and a nonce it has seen
within that window (a replayed request).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from shared.errors import DomainError

TIMESTAMP = "X-Certsim-Timestamp"
NONCE = "X-Certsim-Nonce"
SIGNATURE = "X-Certsim-Signature"
TOLERANCE_SECONDS = 300
DEVELOPMENT_SECRET = "certsim-dev-secret-change-me"  # the value shared.config.sync_secret gives


def secret_from_env(environ: dict | None = None) -> str:
    """Return SYNC_SECRET (the replicator reads it here: shared.config pulls in the database)."""
    return (os.environ if environ is None else environ).get("SYNC_SECRET", DEVELOPMENT_SECRET)


class SignatureRefused(DomainError):
    """A replication call whose signature, timestamp or nonce is not acceptable."""

    code = "bad_signature"


def canonical(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """Return the bytes that are signed for one request."""
    return f"{method.upper()}\n{target}\n{timestamp}\n{nonce}\n".encode() + body


def signature(secret: str, message: bytes) -> str:
    """Return the hex HMAC-SHA256 of `message` under `secret`."""
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_request(secret: str, method: str, target: str, body: bytes, *,
                 now: datetime, nonce: str | None = None) -> dict[str, str]:
    """Return the three headers that authenticate a request sent at `now`."""
    timestamp = str(int(now.timestamp()))
    nonce = nonce or secrets.token_hex(16)
    digest = signature(secret, canonical(method, target, timestamp, nonce, body))
    return {TIMESTAMP: timestamp, NONCE: nonce, SIGNATURE: digest}


@dataclass
class NonceCache:
    """Remember the nonces seen within the tolerance window, to refuse replays."""

    tolerance: int = TOLERANCE_SECONDS
    _seen: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, nonce: str, timestamp: int) -> bool:
        """Record `nonce`; return False if it was already used."""
        with self._lock:
            if nonce in self._seen:
                return False
            horizon = timestamp - 2 * self.tolerance
            if len(self._seen) > 1024:
                self._seen = {n: t for n, t in self._seen.items() if t >= horizon}
            self._seen[nonce] = timestamp
            return True


def verify_request(secret: str, method: str, target: str, body: bytes,
                   headers: Mapping[str, str], *, now: datetime, nonces: NonceCache) -> None:
    """Check a request's signature, freshness and nonce, or raise SignatureRefused."""
    timestamp, nonce, given = (headers.get(name) for name in (TIMESTAMP, NONCE, SIGNATURE))
    if not (timestamp and nonce and given):
        raise SignatureRefused("signature", f"missing {TIMESTAMP}, {NONCE} or {SIGNATURE}")
    if not timestamp.isdigit() or not 8 <= len(nonce) <= 64:
        raise SignatureRefused("signature", "malformed timestamp or nonce")
    expected = signature(secret, canonical(method, target, timestamp, nonce, body))
    if not hmac.compare_digest(expected, given):
        raise SignatureRefused("signature", "signature does not match the request")
    skew = abs(int(now.timestamp()) - int(timestamp))
    if skew > nonces.tolerance:
        raise SignatureRefused("signature", f"timestamp is {skew}s away from the receiver's clock "
                                            f"(more than {nonces.tolerance}s)")
    if not nonces.admit(nonce, int(timestamp)):
        raise SignatureRefused("signature", "nonce already used: replayed request refused")
