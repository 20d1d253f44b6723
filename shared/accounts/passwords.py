"""Password rule and hashing (argon2id via argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

PASSWORD_SYMBOLS = set("`~!_@#$%*")
PASSWORD_RULE = "密码长度8-20位，由数字、字母或符号(`~!_@#$%*)两种以上组成"


PRODUCTION = PasswordHasher()
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_chosen = [PRODUCTION]


def use_fast_hashing(fast: bool) -> None:
    """Choose the argon2id cost for this process (CERTSIM_FAST_HASH, read by the entry point).

    Same algorithm; the fast parameters are for tests, benchmarks and simulated worlds that
    never hold a real person's password.
    """
    _chosen[0] = FAST if fast else PRODUCTION


def _hasher() -> PasswordHasher:
    return _chosen[0]


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


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
