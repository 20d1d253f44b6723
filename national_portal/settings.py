"""Configuration of the national portal: defaults → `NATIONAL_…` environment → the mapping given.

The `NATIONAL_` variables are those of `shared.web.settings.PORTAL_VARIABLES`; the process-wide
ones (database URLs, clock, secrets …) those of `shared.settings.VARIABLES`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from shared.web.settings import portal_settings


def load_settings(config: Mapping | None = None, environ: Mapping | None = None) -> dict:
    """Return the national portal's settings."""
    return portal_settings("national", "NATIONAL", "国家政务服务平台", config,
                           os.environ if environ is None else environ)
