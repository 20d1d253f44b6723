"""The skeleton both portals' app factories fill: settings, resources, guards, blueprints.

A portal's `create_app` names its pages, its JSON APIs (bearer tokens or signatures, so no
CSRF), its control plane, the contract they keep (served as OpenAPI documents), the secrets it
runs on and the routes that take larger bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import FunctionType

import orjson
from flask import Blueprint, Flask
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer

from shared.clock import Clock
from shared.keys import development_secrets
from shared.web import face_checks, phone_app
from shared.web.errors import register_error_handlers
from shared.web.openapi.operation import Contract
from shared.web.openapi.views import register_documents
from shared.web.pages import register_page_helpers
from shared.web.recording import record_request
from shared.web.resources import init_resources
from shared.web.security import (
    add_security_headers,
    guard_control_plane,
    guard_development_secrets,
    limit_bodies,
)
from shared.world import WorldStore


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once for the app's keys: Flask
    builds it on every request, cookie or not (and tries a dump to see what it returns)."""

    def __init__(self):
        self._signer: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._signer is None or self._signer[0] != keys:
            self._signer = keys, super().get_signing_serializer(app)
        return self._signer[1]

    def open_session(self, app: Flask, request):
        """A request without cookies (every API call) gets an empty session, as Flask would
        give it, without parsing a Cookie header that is not there."""
        if "HTTP_COOKIE" not in request.environ and self.get_signing_serializer(app):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        """A session nobody read or wrote has nothing to save: Flask would read seven cookie
        settings before finding that out (14 µs of a 96 µs API call, with the above)."""
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON (sorted keys, Chinese as UTF-8, its `default` for dates and the rest),
    written and read by orjson: the standard library's encoder and decoder took ~5 % of a
    scenario replay, most calls being a small JSON body in and out."""

    ensure_ascii = False  # Chinese messages stay readable in API answers
    OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
               | orjson.OPT_PASSTHROUGH_DATACLASS)  # dates and dataclasses as Flask writes them

    def _orjson(self, obj, option: int = 0) -> bytes | None:
        """`obj` as orjson writes it, or None for what it cannot (an int beyond 64 bits),
        which the standard library then writes."""
        try:
            return orjson.dumps(obj, default=self.default, option=self.OPTIONS | option)
        except orjson.JSONEncodeError:
            return None

    def dumps(self, obj, **kwargs) -> str:
        # with indentation or other json.dumps options: the standard library's
        if not kwargs and (body := self._orjson(obj)) is not None:
            return body.decode()
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs):
        return super().loads(s, **kwargs) if kwargs else orjson.loads(s)

    def response(self, *args, **kwargs):
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)  # indented for a person reading it
        body = self._orjson(self._prepare_response_obj(args, kwargs), orjson.OPT_APPEND_NEWLINE)
        if body is None:
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)


class Portal(Flask):
    """A Flask app that asks once per function whether it is a coroutine function, where
    Flask asks for every hook and view of every request (nine times a call here), and
    speaks JSON through orjson."""

    json_provider_class = OrjsonProvider

    def __init__(self, import_name: str):
        super().__init__(import_name)
        self.session_interface = CookieSessions()
        self._sync: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        if type(func) is not FunctionType:  # bound methods are new objects each time
            return super().ensure_sync(func)
        sync = self._sync.get(func)
        if sync is None:
            sync = self._sync[func] = super().ensure_sync(func)
        return sync


def build_portal(import_name: str, settings: Mapping, clock: Clock | None,
                 world: WorldStore | None, *,
                 secrets: Mapping[str, str], pages: Sequence[Blueprint],
                 apis: Sequence[Blueprint], control: Blueprint, contract: Contract,
                 larger_bodies: Mapping[str, int]) -> Flask:
    """Return a portal app; `secrets` maps each secret's variable to the value in use."""
    app = Portal(import_name)
    app.config.update(settings)
    init_resources(app, clock, world)
    guard_development_secrets(app, development_secrets(dict(secrets)))
    limit_bodies(app, larger_bodies)
    csrf = CSRFProtect(app)
    for blueprint in (*pages, phone_app.bp, face_checks.bp):
        app.register_blueprint(blueprint)
    for blueprint in apis:
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    if app.config["SIM_ENABLED"]:
        csrf.exempt(control)
        app.register_blueprint(control)
        guard_control_plane(app, loopback_only=app.config["SIM_LOOPBACK_ONLY"])
    register_documents(app, contract)
    register_error_handlers(app)
    register_page_helpers(app)
    app.after_request(add_security_headers)
    app.after_request(record_request)
    return app
