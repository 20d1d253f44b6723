"""The two portal apps as `certsim run` serves them: each with the demo its reset restores.

Waitress calls `certsim.apps:ministry` and `certsim.apps:national`; the portals themselves know
nothing of the demo (it is the composition root's), so it is attached here.
"""

from __future__ import annotations

from flask import Flask

import mem_portal
import national_portal
from certsim.demo import fill_ministry, fill_national
from mem_portal.issuer import get_issuer
from shared.web.control import DEMO
from shared.web.resources import get_password_cost, get_world


def ministry(config: dict | None = None, **kwargs) -> Flask:
    """The ministry portal; its /_sim/reset restores the demo holders, certificates, accounts
    and the world's demo start."""
    app = mem_portal.create_app(config, **kwargs)
    app.extensions[DEMO] = _ministry_demo
    return app


def national(config: dict | None = None, **kwargs) -> Flask:
    """The national portal; its /_sim/reset restores the demo holders' accounts."""
    app = national_portal.create_app(config, **kwargs)
    app.extensions[DEMO] = _national_demo
    return app


def _ministry_demo(session) -> list[str]:
    return fill_ministry(session, get_issuer(), get_world(), get_password_cost())


def _national_demo(session) -> list[str]:
    return fill_national(session, get_password_cost())
