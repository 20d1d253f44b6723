"""Password rule and hashing (argon2id via argon2-cffi), at an explicit cost.

Each portal hashes at its `PASSWORD_COST`: `production` (argon2-cffi's recommended
parameters, m=65536 KiB, t=3, p=4) for portals serving people, `simulation` (m=64, t=1, p=1:
about 45 µs where m=1024 took 420 µs a login) for simulated worlds whose holders are made up
and live only for a replay (and the tests).
Verifying needs no cost: argon2 reads the parameters from the stored hash.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.errors import InvalidInput

PASSWORD_SYMBOLS = set("`~!_@#$%*")
PASSWORD_RULE = "密码长度8-20位，由数字、字母或符号(`~!_@#$%*)两种以上组成"

PRODUCTION, SIMULATION = "production", "simulation"
HASHERS = {
    PRODUCTION: PasswordHasher(),
    SIMULATION: PasswordHasher(time_cost=1, memory_cost=64, parallelism=1),
}


def password_cost(value: object, setting: str = "PASSWORD_COST") -> str:
    """Return `value` as a password cost, or refuse it naming `setting`."""
    cost = str(value).strip().lower()
    if cost not in HASHERS:
        raise InvalidInput(setting, f"{value!r} is not a password cost; use production "
                                    "(portals serving people) or simulation (simulated worlds)")
    return cost


def password_problem(password: str) -> str | None:
    """Return what is wrong with a new password (in Chinese), or None when it is fine."""
    if not 8 <= len(password) <= 20:
        return PASSWORD_RULE
    kinds = (any(c.isdigit() for c in password), any(c.isascii() and c.isalpha() for c in password),
             any(c in PASSWORD_SYMBOLS for c in password))
    allowed = all(c.isascii() and (c.isalnum() or c in PASSWORD_SYMBOLS) for c in password)
    if not allowed or sum(kinds) < 2:
        return PASSWORD_RULE
    return None


def hash_password(password: str, cost: str = PRODUCTION) -> str:
    """Hash a password with argon2id at `cost` (production or simulation)."""
    return HASHERS[cost].hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash (the hash carries its own parameters)."""
    try:
        return HASHERS[PRODUCTION].verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=len(HASHERS))
def decoy_hash(cost: str) -> str:
    """A hash of nothing anyone knows, at `cost`: checked when a login names no account, so
    the answer takes as long as a wrong password."""
    return hash_password(secrets.token_hex(16), cost)
