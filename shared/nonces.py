"""Nonces of signed calls, remembered in the receiver's database until their call goes stale.

Kept in the database rather than in memory, so a replayed call is refused after a restart
and by every worker of a portal alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, bindparam, delete, insert
from sqlalchemy.exc import IntegrityError

from shared.models import UsedNonce

# Built once: every signed call pays these, and building a statement costs more than running it.
FORGET_STALE = delete(UsedNonce).where(UsedNonce.expires_at < bindparam("now"))
REMEMBER = insert(UsedNonce)


def admit_nonce(engine: Engine, nonce: str, stale_after: int, now: datetime) -> bool:
    """Record `nonce` until epoch second `stale_after`; return False if it was used before.

    In a transaction of its own on a Core connection: no ORM session to build for two
    statements (177 -> 69 µs a call, measured in-process on SQLite).
    """
    try:
        with engine.begin() as connection:
            connection.execute(FORGET_STALE, {"now": now})
            connection.execute(REMEMBER, {
                "nonce": nonce, "expires_at": datetime.fromtimestamp(stale_after, UTC)})
    except IntegrityError:
        return False
    return True
