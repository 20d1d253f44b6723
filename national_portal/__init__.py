"""The national portal (国家政务服务平台): 个人注册, 登录, 个人专属服务空间, 我的证照."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from shared.clock import Clock
from shared.config import clock_from_env
from shared.errors import DomainError
from shared.keys import development_secrets
from shared.web.security import (
    add_security_headers,
    guard_control_plane,
    guard_development_secrets,
    limit_bodies,
)


def create_app(config: Mapping | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the national portal: config, database resources, blueprints, error pages."""
    from national_portal import api, auth, faces, ingest, licences, portal, sim, space, web
    from national_portal.context import init_resources
    from national_portal.settings import load_config

    app = Flask(__name__)
    app.config.update(load_config(config))
    app.json.ensure_ascii = False  # Chinese messages stay readable in API answers
    init_resources(app, clock or clock_from_env())
    guard_development_secrets(app, development_secrets({
        "NATIONAL_SECRET_KEY": app.config["SECRET_KEY"],
        "SYNC_SECRET": app.config["SYNC_SECRET"]}))
    limit_bodies(app, {"/api/v1/ingest": ingest.MAX_BODY})
    csrf = CSRFProtect(app)
    for blueprint in (portal.bp, auth.bp, space.bp, licences.bp, faces.bp):
        app.register_blueprint(blueprint)
    for blueprint in (api.bp, ingest.api):
        csrf.exempt(blueprint)  # bearer tokens and HMAC signatures, no cookies
        app.register_blueprint(blueprint, url_prefix="/api/v1")
    if app.config["SIM_ENABLED"]:
        for blueprint in (sim.bp, ingest.sim):
            csrf.exempt(blueprint)
            app.register_blueprint(blueprint, url_prefix="/_sim")
        guard_control_plane(app, loopback_only=app.config["SIM_LOOPBACK_ONLY"])
    web.register_filters(app)
    _register_page_hooks(app, web)
    app.after_request(add_security_headers)
    return app


def _register_page_hooks(app: Flask, web) -> None:
    """Load the holder for page requests and render errors as portal pages."""

    @app.before_request
    def load_page_login():
        """Know who is logged in on every page request."""
        if not _is_machine_request():
            web.load_login()

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        """Refuse a form post without a valid CSRF token."""
        return web.render_error(400, "页面已过期，请刷新页面后重试")

    @app.errorhandler(DomainError)
    def domain_error(exc):
        """Render a refused rule as a page."""
        return web.domain_error_page(exc)

    for status in (400, 403, 404, 405, 413, 415):
        app.register_error_handler(status, lambda exc, s=status: _error_response(web, s))


def _is_machine_request() -> bool:
    return request.path.startswith(("/api/", "/_sim/", "/static/"))


def _error_response(web, status: int):
    if _is_machine_request():
        from national_portal.api import http_error

        return http_error(status)
    return web.render_error(status)
