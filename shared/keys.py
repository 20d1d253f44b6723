"""The secrets certsim runs on, their development values, and how to tell one from a real secret.

Each portal, the replicator and the licence seal fall back to a development value when their
variable is unset, so a fresh checkout works on one machine. Those values are in the README:
a process using one must never serve another machine (`shared.web.security`), and
`certsim run` generates real ones into `var/` (`certsim.secrets`).
"""

from __future__ import annotations

# environment variable -> the value used when it is unset
DEVELOPMENT_VALUES = {
    "SYNC_SECRET": "certsim-dev-secret-change-me",
    "MEM_SECRET_KEY": "certsim-mem-dev-secret-change-me",
    "NATIONAL_SECRET_KEY": "certsim-national-dev-secret-change-me",
    "CERTSIM_SEAL_SEED": "certsim-dev-seal-change-me",
}
MIN_LENGTH = 16


def development_value(variable: str) -> str:
    """Return the development value of a secret's variable."""
    return DEVELOPMENT_VALUES[variable]


def is_development(value: str | None) -> bool:
    """Tell whether a secret is missing, a published development value, or too short to keep."""
    return not value or value in DEVELOPMENT_VALUES.values() or len(value) < MIN_LENGTH


def development_secrets(values: dict[str, str | None]) -> list[str]:
    """Return the variables (of a variable -> value mapping) whose secret is a development one."""
    return sorted(name for name, value in values.items() if is_development(value))
