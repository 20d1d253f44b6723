"""Configuration of the ministry portal: defaults → `MEM_…` environment → the mapping given.

The `MEM_` variables are those of `shared.web.settings.PORTAL_VARIABLES`; the process-wide ones
(database URLs, clock, lag, secrets …) those of `shared.settings.VARIABLES`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from shared.web.settings import portal_settings


def load_settings(config: Mapping | None = None, environ: Mapping | None = None) -> dict:
    """Return the ministry portal's settings; the lag and seal come from the shared settings."""
    settings = portal_settings("mem", "MEM", "应急管理部政务服务平台", config,
                               os.environ if environ is None else environ)
    world = settings["CERTSIM"]
    for key, value in (("SYNC_LAG", world.sync_lag), ("SYNC_LAG_SEED", world.sync_lag_seed),
                       ("SEAL_SEED", world.seal_seed)):
        settings.setdefault(key, value)
    return settings
