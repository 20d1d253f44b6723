"""Signed replication calls: HMAC-SHA256 over the request, a timestamp and a one-time nonce.

The string signed is ``METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\n`` followed by the raw body bytes,
where TARGET is the path plus ``?query`` when there is one, and TIMESTAMP is whole seconds since
the epoch on the caller's **wall clock**: freshness is about real elapsed time, so a captured
request goes stale even while the simulated clock stands still. The receiver checks the headers
(presence, shape, freshness) before it reads the body, then the signature, then that the nonce
was never seen (`shared.nonces` keeps them in the database until they go stale, so a restart
forgets nothing).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.errors import DomainError
from shared.keys import development_value

TIMESTAMP = "X-Certsim-Timestamp"
NONCE = "X-Certsim-Nonce"
SIGNATURE = "X-Certsim-Signature"
TOLERANCE_SECONDS = 300
DEVELOPMENT_SECRET = development_value("SYNC_SECRET")



class Outcome(StrEnum):
    """What the national portal answers for one change it was sent."""

    APPLIED = "applied"          # the licence now has this revision
    SUPERSEDED = "superseded"    # an older revision than the one held: nothing to do
    DUPLICATE = "duplicate"      # this change id was applied before
    REJECTED = "rejected"        # cannot be applied (a gap before it, or bad content): retried
    HELD = "held"                # behind a rejected change of the same licence in the batch


SETTLED = (Outcome.APPLIED, Outcome.SUPERSEDED, Outcome.DUPLICATE)  # acknowledged: done


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
    """Return the three headers that authenticate a request sent at `now` (wall-clock time)."""
    timestamp = str(int(now.timestamp()))
    nonce = nonce or secrets.token_hex(16)
    digest = signature(secret, canonical(method, target, timestamp, nonce, body))
    return {TIMESTAMP: timestamp, NONCE: nonce, SIGNATURE: digest}


@dataclass(frozen=True)
class SignedHeaders:
    """The signature headers of one call, checked for shape and freshness."""

    timestamp: int
    nonce: str
    signature: str

    @property
    def stale_after(self) -> int:
        """The epoch second after which this call (and so its nonce) is refused as stale."""
        return self.timestamp + TOLERANCE_SECONDS


def read_signed_headers(headers: Mapping[str, str], *, now: datetime,
                        tolerance: int = TOLERANCE_SECONDS) -> SignedHeaders:
    """Check that the three headers are there, well formed and fresh; the body is not needed."""
    timestamp, nonce, given = (headers.get(name) for name in (TIMESTAMP, NONCE, SIGNATURE))
    if not (timestamp and nonce and given):
        raise SignatureRefused("signature", f"missing {TIMESTAMP}, {NONCE} or {SIGNATURE}")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12
            and 8 <= len(nonce) <= 64 and nonce.isascii() and len(given) == 64):
        raise SignatureRefused("signature", "malformed timestamp, nonce or signature")
    skew = abs(int(now.timestamp()) - int(timestamp))
    if skew > tolerance:
        raise SignatureRefused("signature", f"timestamp is {skew}s away from the receiver's clock "
                                            f"(more than {tolerance}s)")
    return SignedHeaders(int(timestamp), nonce, given)


def check_signature(secret: str, method: str, target: str, body: bytes,
                    signed: SignedHeaders) -> None:
    """Check the HMAC of a call whose headers passed `read_signed_headers`."""
    expected = signature(secret, canonical(method, target, str(signed.timestamp), signed.nonce,
                                           body))
    if not hmac.compare_digest(expected, signed.signature):
        raise SignatureRefused("signature", "signature does not match the request")


def refuse_replay() -> SignatureRefused:
    """Return the error for a nonce seen before."""
    return SignatureRefused("signature", "nonce already used: replayed request refused")
