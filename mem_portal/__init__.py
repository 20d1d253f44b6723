"""应急管理部政务服务平台 (the ministry portal): accounts, 实人认证, 我的证照, JSON API, control plane."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, abort, request
from flask_wtf.csrf import CSRFProtect

import mem_portal.models  # noqa: F401  (registers this portal's tables)
from mem_portal import api, auth, facecheck, feed, sim, site, space, verify
from mem_portal.context import init_resources
from mem_portal.settings import load_settings
from mem_portal.web import register_error_handlers
from shared.clock import Clock
from shared.config import clock_from_env


def create_app(config: Mapping | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the ministry portal: defaults → MEM_… environment → `config`; `clock` wins."""
    app = Flask(__name__)
    app.config.update(load_settings(config))
    init_resources(app, clock or clock_from_env())
    csrf = CSRFProtect(app)
    for blueprint in (site.bp, auth.bp, facecheck.bp, space.bp, verify.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(api.bp)
    app.register_blueprint(feed.api, url_prefix="/api/v1")
    csrf.exempt(api.bp)
    csrf.exempt(feed.api)
    if app.config["SIM_ENABLED"]:
        app.register_blueprint(sim.bp)
        app.register_blueprint(feed.sim, url_prefix="/_sim")
        csrf.exempt(sim.bp)
        csrf.exempt(feed.sim)
        _control_plane_on_loopback_only(app)
    register_error_handlers(app)
    return app


LOOPBACK = ("127.0.0.1", "::1")


def _control_plane_on_loopback_only(app: Flask) -> None:
    """Answer /_sim only to this machine, unless SIM_LOOPBACK_ONLY is turned off."""
    if not app.config.get("SIM_LOOPBACK_ONLY", True):
        return

    @app.before_request
    def refuse_remote_control():
        if request.path.startswith("/_sim/") and request.remote_addr not in LOOPBACK:
            abort(404)
