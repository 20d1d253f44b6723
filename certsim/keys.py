"""The secrets `certsim run` gives its processes: generated once per install, or set by you.

On this machine only (the default, 127.0.0.1), each secret you have not set is generated once
into `var/secrets.json` (mode 0600) and reused, so no two installs share keys. To serve another
machine (`--host 0.0.0.0`) every secret must be set in the environment to a real value: a
development value or a missing one is refused before anything starts.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from shared.errors import InvalidInput
from shared.keys import development_value, is_development
from shared.web.security import is_loopback

SERVED = ("SYNC_SECRET", "MEM_SECRET_KEY", "NATIONAL_SECRET_KEY", "CERTSIM_SEAL_SEED")
FILE_NAME = "secrets.json"


def local_secrets(var: Path) -> dict[str, str]:
    """Return this install's generated secrets, creating (or completing) `var/secrets.json`."""
    path = var / FILE_NAME
    stored = json.loads(path.read_text("utf-8")) if path.exists() else {}
    missing = [name for name in SERVED if not stored.get(name)]
    if missing:
        stored |= {name: secrets.token_hex(32) for name in missing}
        var.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                             0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(stored, handle, indent=2)
        os.replace(path.with_suffix(".tmp"), path)
    return {name: stored[name] for name in SERVED}


def is_local_host(host: str) -> bool:
    """Tell whether a listening address serves this machine only."""
    return host == "localhost" or is_loopback(host)


def secrets_for(host: str, environ: dict[str, str], var: Path) -> dict[str, str]:
    """Return the secret variables to add to `environ` for processes listening on `host`."""
    if is_local_host(host):
        generated = local_secrets(var)
        return {name: value for name, value in generated.items() if not environ.get(name)}
    for name in SERVED:
        if is_development(environ.get(name)):
            raise InvalidInput(name, f"set {name} to a random secret of at least 16 characters to "
                                     f"serve on {host}, e.g. export {name}=$(python3 -c "
                                     "'import secrets; print(secrets.token_hex(32))')")
    return {}


def secret_of(name: str, environ: dict[str, str], var: Path) -> str:
    """Return a secret as the processes of `certsim run` have it: set, else generated, else dev.

    A command run beside `certsim run` (for example `certsim export`) must seal with the same
    key as the portals.
    """
    if environ.get(name):
        return environ[name]
    if (var / FILE_NAME).exists():
        return local_secrets(var)[name]
    return development_value(name)
