"""Both portals as schemathesis meets them: in-process, on the demo, with a frozen clock.

Generated calls carry placeholder credentials (the test's auth provider); `LatePortal` fills
them in on arrival: a fresh demo login, face-checked, for `Authorization: Bearer
log-in-on-arrival`, and the replication signature for the three placeholder headers. A call
sent without them (as schemathesis does to check that authentication is enforced) arrives
without credentials.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from io import BytesIO

from flask import Flask

from certsim.apps import ministry, national
from certsim.demo import DEMO_PASSWORD
from mem_portal.models import TABLES as MEM_TABLES
from national_portal.models import TABLES as NATIONAL_TABLES
from shared.clock import wall_now
from shared.db import create_schema
from shared.web.resources import resources
from shared.wire import NONCE, SIGNATURE, TIMESTAMP, sign_request
from shared.world import MemoryStore

SECRET = "fuzz-sync-secret-0123456789abcdef"
PLACEHOLDER = "sign-on-arrival"
PLACEHOLDERS = {TIMESTAMP: PLACEHOLDER, NONCE: PLACEHOLDER, SIGNATURE: PLACEHOLDER}
LOGIN_PLACEHOLDER = "Bearer log-in-on-arrival"
DEMO_LOGIN = "13800138000"  # 张三: licences on both portals
EXAMPLES = int(os.environ.get("CERTSIM_FUZZ_EXAMPLES", "20"))


class LatePortal:
    """The WSGI app schemathesis is given when it loads a document: it forwards to the portal
    a fixture builds later (`serve`), filling in the credentials placeholders on arrival."""

    def __init__(self):
        self.portal: Portal | None = None

    def serve(self, portal: Portal) -> None:
        self.portal = portal

    def __call__(self, environ, start_response):
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")  # some checks' calls name no client
        if environ.get("HTTP_AUTHORIZATION") == LOGIN_PLACEHOLDER:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {self.portal.token()}"
        return sign_on_arrival(environ, self.portal.app)(environ, start_response)


def sign_on_arrival(environ, app: Flask):
    """Sign a call that carries the placeholder signature headers; return the app to call."""
    if any(environ.get(_environ_key(name)) != PLACEHOLDER for name in PLACEHOLDERS):
        return app
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = BytesIO(body)
    query = environ.get("QUERY_STRING", "")
    path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "replace")  # as Flask reads it
    target = path + (f"?{query}" if query else "")
    headers = sign_request(SECRET, environ["REQUEST_METHOD"], target, body, now=wall_now())
    for name, value in headers.items():
        environ[_environ_key(name)] = value
    return app


def _environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


@dataclass
class Portal:
    """One portal under test: the app and how to get a logged-in, face-checked token."""

    app: Flask
    face_purpose: str

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.app.test_client().open(path, method=method, json=body, headers=headers)
        return response.status_code, response.get_json(silent=True)

    def token(self) -> str:
        """Log in as 张三 and pass a face check of that login (the demo again if it is gone)."""
        status, answer = self.call("POST", "/api/v1/login",
                                   {"login": DEMO_LOGIN, "password": DEMO_PASSWORD})
        if status != 200:  # a generated call emptied the database or locked the name
            self.call("POST", "/_sim/reset", {})
            status, answer = self.call("POST", "/api/v1/login",
                                       {"login": DEMO_LOGIN, "password": DEMO_PASSWORD})
        assert status == 200, answer
        token = answer["token"]
        _, ticket = self.call("POST", "/api/v1/face-checks", {"purpose": self.face_purpose}, token)
        self.call("POST", f"/_sim/face-checks/{ticket['token']}", {"outcome": "pass"})
        return token


def demo_portals(tmp_path) -> dict[str, Portal]:
    """Both portals on SQLite files, one in-memory world, the demo loaded, the clock frozen."""
    world = MemoryStore()
    config = {"SIM_ENABLED": True, "SYNC_SECRET": SECRET, "SECRET_KEY": "fuzz-secret-key-0123",
              "SEAL_SEED": "fuzz-seal-seed-0123456789", "PUBLIC_URL": "http://portal.test"}
    portals = {}
    for name, build, tables, purpose in (("mem", ministry, MEM_TABLES, "licences"),
                                          ("national", national, NATIONAL_TABLES, "bind")):
        app = build({**config, "DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite3"},
                    world=world)
        with app.app_context():
            create_schema(resources().engine, tables)
        portals[name] = Portal(app, purpose)
        portals[name].call("POST", "/_sim/reset", {})
    portals["mem"].call("POST", "/_sim/clock", {"freeze": True})
    return portals
