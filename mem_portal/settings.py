"""Configuration of the ministry portal: defaults, then `MEM_…` environment, then the mapping.

One variable per line, so `README.md` and this table stay easy to compare.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from shared.config import mem_database_url
from shared.keys import development_value

TRUE = {"1", "true", "yes", "on"}


def _flag(value: str) -> bool:
    return value.strip().lower() in TRUE


# config key -> (environment variable, parser)
ENVIRONMENT = {
    "DATABASE_URL": ("MEM_DATABASE_URL", str),
    "SECRET_KEY": ("MEM_SECRET_KEY", str),
    "SIM_ENABLED": ("MEM_SIM_ENABLED", _flag),
    "SIM_LOOPBACK_ONLY": ("MEM_SIM_LOOPBACK_ONLY", _flag),
    "PUBLIC_URL": ("MEM_PUBLIC_URL", str),
    "SYNC_SECRET": ("SYNC_SECRET", str),
    "SEAL_SEED": ("CERTSIM_SEAL_SEED", str),
    "SYNC_LAG": ("SYNC_LAG", str),
    "SYNC_LAG_SEED": ("SYNC_LAG_SEED", int),
}


def defaults() -> dict:
    """Return the settings that suit `make run` on one machine."""
    return {
        "DATABASE_URL": mem_database_url(),
        # Development values: a portal running on one serves this machine only.
        "SECRET_KEY": development_value("MEM_SECRET_KEY"),
        "SYNC_SECRET": development_value("SYNC_SECRET"),
        "SEAL_SEED": development_value("CERTSIM_SEAL_SEED"),
        "SIM_ENABLED": False,
        "SIM_LOOPBACK_ONLY": True,
        "PUBLIC_URL": "",             # empty: the URL the request came in on
        "SYNC_LAG": "3wd",
        "SYNC_LAG_SEED": 0,
        "SESSION_COOKIE_NAME": "mem_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # CSRF tokens live as long as the session; expiry by wall-clock seconds would ignore
        # the simulated clock, and the login itself expires on the portal's clock.
        "WTF_CSRF_TIME_LIMIT": None,
        "JSON_AS_ASCII": False,
    }


def load_settings(config: Mapping | None, environ: Mapping | None = None) -> dict:
    """Merge defaults, the environment and the mapping passed to create_app, in that order."""
    environ = os.environ if environ is None else environ
    settings = defaults()
    for key, (variable, parse) in ENVIRONMENT.items():
        if variable in environ:
            settings[key] = parse(environ[variable])
    settings.update(config or {})
    return settings
