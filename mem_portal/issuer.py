"""This app's issuer (clock, calendar, lag policy, codes) and the key its licence files are sealed with."""

from __future__ import annotations

from flask import current_app

from shared.certificates import Issuer
from shared.lag import parse_lag
from shared.ofd.seal import seal_key
from shared.ofd.sm2 import SealKey
from shared.web.resources import resources


def get_issuer() -> Issuer:
    """Return the ministry as issuer for this request.

    The lag policy is the world's, read on every call, so changing it (through the control
    plane, in any process) applies to the next change written.
    """
    res = resources()
    world = res.world.read()
    return Issuer(clock=res.clock, calendar=res.calendar,
                  lag=parse_lag(world.lag, seed=world.lag_seed), type_code=res.type_code)


def get_seal() -> SealKey:
    """Return the key that seals this portal's licence files (SEAL_SEED, its own secret)."""
    return seal_key(current_app.config["SEAL_SEED"])
