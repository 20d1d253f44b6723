"""The two portal apps as `certsim run` serves them: each with the demo its reset restores.

Waitress calls `certsim.apps:ministry` and `certsim.apps:national`; the portals themselves know
nothing of the demo (it is the composition root's), so it is attached here.
"""

from __future__ import annotations

from flask import Flask

import mem_portal
import national_portal
from certsim.demo import seed_demo, seed_demo_accounts
from mem_portal.issuer import get_issuer
from shared.web.control import DEMO
from shared.web.resources import get_clock


def ministry(config: dict | None = None, **kwargs) -> Flask:
    """The ministry portal; its /_sim/reset restores the demo holders, certificates and accounts."""
    app = mem_portal.create_app(config, **kwargs)
    app.extensions[DEMO] = _ministry_demo
    return app


def national(config: dict | None = None, **kwargs) -> Flask:
    """The national portal; its /_sim/reset restores the demo holders' accounts."""
    app = national_portal.create_app(config, **kwargs)
    app.extensions[DEMO] = _national_demo
    return app


def _ministry_demo(session) -> list[str]:
    clock = get_clock()
    lines = seed_demo(session, get_issuer(), at=clock.now())
    seed_demo_accounts(session, clock)
    return lines


def _national_demo(session) -> list[str]:
    return [f"{person.name} {person.phone}" for person in seed_demo_accounts(session, get_clock())]
