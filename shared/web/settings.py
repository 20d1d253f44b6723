"""A portal's settings: defaults, then its environment variables, then the mapping given.

The portal's `settings.py` passes its environment (the edge reads it); the process-wide
settings (`shared.settings`) come first, then the portal's own `<PREFIX>_…` variables.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.accounts.passwords import PRODUCTION, password_cost
from shared.keys import development_value
from shared.settings import flag, read_settings

# config key -> (variable suffix after the portal's prefix, parser)
PORTAL_VARIABLES = {
    "DATABASE_URL": ("DATABASE_URL", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "SIM_ENABLED": ("SIM_ENABLED", flag),
    "SIM_LOOPBACK_ONLY": ("SIM_LOOPBACK_ONLY", flag),
    "PUBLIC_URL": ("PUBLIC_URL", str),
    "SESSION_COOKIE_SECURE": ("COOKIE_SECURE", flag),
    "PASSWORD_COST": ("PASSWORD_COST", str),
}


def portal_settings(database: str, prefix: str, site_name: str, config: Mapping | None,
                    environ: Mapping[str, str]) -> dict:
    """Merge defaults, the environment and `config` (last wins) for the portal of `database`."""
    world = read_settings(environ)
    settings = {
        "CERTSIM": world,                      # the process-wide settings object
        "SITE_NAME": site_name,
        "DATABASE_URL": world.database_url(database),
        # Development values: a portal running on one serves this machine only.
        "SECRET_KEY": development_value(f"{prefix}_SECRET_KEY"),
        "SYNC_SECRET": world.sync_secret,
        "SIM_ENABLED": False,
        "SIM_LOOPBACK_ONLY": True,
        "PUBLIC_URL": "",                      # empty: QR codes use the request's own host
        # argon2id as recommended for portals serving people; simulated worlds (in-process
        # replay) set "simulation": their holders are made up and live for one replay.
        "PASSWORD_COST": PRODUCTION,
        "SESSION_COOKIE_NAME": f"{database}_session",  # both portals may run on one host
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        # CSRF tokens live as long as the session; expiry by wall-clock seconds would ignore
        # the simulated clock, and the login itself expires on the portal's clock.
        "WTF_CSRF_TIME_LIMIT": None,
    }
    for key, (suffix, parse) in PORTAL_VARIABLES.items():
        if environ.get(f"{prefix}_{suffix}"):
            settings[key] = parse(environ[f"{prefix}_{suffix}"])
    settings.update(config or {})
    settings["PUBLIC_URL"] = (settings.get("PUBLIC_URL") or "").rstrip("/")
    settings["PASSWORD_COST"] = password_cost(
        settings["PASSWORD_COST"], f"PASSWORD_COST ({prefix}_PASSWORD_COST)")
    return settings
