"""应急管理部政务服务平台 (the ministry portal): accounts, 实人认证, 我的证照, JSON API, control plane."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask_wtf.csrf import CSRFProtect

import mem_portal.models  # noqa: F401  (registers this portal's tables)
from mem_portal import api, auth, facecheck, feed, sim, site, space, verify
from mem_portal.context import init_resources
from mem_portal.settings import load_settings
from mem_portal.web import register_error_handlers
from shared.clock import Clock
from shared.config import clock_from_env
from shared.keys import development_secrets
from shared.web.security import guard_control_plane, guard_development_secrets, limit_bodies


def create_app(config: Mapping | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the ministry portal: defaults → MEM_… environment → `config`; `clock` wins."""
    app = Flask(__name__)
    app.config.update(load_settings(config))
    init_resources(app, clock or clock_from_env())
    guard_development_secrets(app, development_secrets({
        "MEM_SECRET_KEY": app.config["SECRET_KEY"], "SYNC_SECRET": app.config["SYNC_SECRET"],
        "CERTSIM_SEAL_SEED": app.config["SEAL_SEED"]}))
    limit_bodies(app, {"/verify/file": verify.MAX_BODY})
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
        guard_control_plane(app, loopback_only=app.config["SIM_LOOPBACK_ONLY"])
    register_error_handlers(app)
    return app
