"""Configuration of the national portal: defaults → NATIONAL_* environment → the mapping given."""

from __future__ import annotations

import os
from collections.abc import Mapping

from shared.config import national_database_url
from shared.keys import development_value

TRUE_WORDS = {"1", "true", "yes", "on"}


def _flag(value: str) -> bool:
    return value.strip().lower() in TRUE_WORDS


def defaults(environ: Mapping[str, str]) -> dict:
    """Return the settings that hold when nothing is configured."""
    return {
        "DATABASE_URL": national_database_url(dict(environ)),
        # Development values: a portal running on one serves this machine only.
        "SECRET_KEY": development_value("NATIONAL_SECRET_KEY"),
        "SYNC_SECRET": development_value("SYNC_SECRET"),
        "SIM_ENABLED": False,
        "SIM_LOOPBACK_ONLY": True,
        "PUBLIC_URL": "",                      # empty: QR codes use the request's own host
        "SESSION_COOKIE_NAME": "national_session",  # both portals may run on one host
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "WTF_CSRF_TIME_LIMIT": None,           # the token lives as long as the login session
    }


def from_environment(environ: Mapping[str, str]) -> dict:
    """Read the NATIONAL_* variables (one a line) that are set."""
    readers = {
        "NATIONAL_DATABASE_URL": ("DATABASE_URL", str),
        "NATIONAL_SECRET_KEY": ("SECRET_KEY", str),
        "NATIONAL_SIM_ENABLED": ("SIM_ENABLED", _flag),
        "NATIONAL_SIM_LOOPBACK_ONLY": ("SIM_LOOPBACK_ONLY", _flag),
        "SYNC_SECRET": ("SYNC_SECRET", str),
        "NATIONAL_PUBLIC_URL": ("PUBLIC_URL", str),
        "NATIONAL_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", _flag),
    }
    return {key: read(environ[name]) for name, (key, read) in readers.items() if name in environ}


def load_config(config: Mapping | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Merge defaults, the environment and the mapping passed to create_app (last wins)."""
    environ = os.environ if environ is None else environ
    merged = defaults(environ) | from_environment(environ) | dict(config or {})
    merged["PUBLIC_URL"] = (merged.get("PUBLIC_URL") or "").rstrip("/")
    return merged
