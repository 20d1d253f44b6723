"""Nonces of signed calls, remembered in the receiver's database until their call goes stale.

Kept in the database rather than in memory, so a replayed call is refused after a restart
and by every worker of a portal alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.models import UsedNonce

# Built once: every signed call pays these, and building a statement costs more than running it.
FORGET_STALE = delete(UsedNonce).where(UsedNonce.expires_at < bindparam("now"))
REMEMBER = insert(UsedNonce)


def admit_nonce(session: Session, nonce: str, stale_after: int, now: datetime) -> bool:
    """Record `nonce` until epoch second `stale_after`; return False if it was used before."""
    connection = session.connection()  # Core statements: no unit of work to flush
    connection.execute(FORGET_STALE, {"now": now})
    try:
        connection.execute(REMEMBER, {"nonce": nonce,
                                      "expires_at": datetime.fromtimestamp(stale_after, UTC)})
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True
