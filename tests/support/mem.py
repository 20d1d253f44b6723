"""Helpers for driving the ministry portal in tests: a ready app and a JSON API driver.

Used by the test suites only (tests/support is on pytest's path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Flask

from certsim.apps import ministry
from mem_portal.models import TABLES as MEM_TABLES
from shared.clock import Clock
from shared.db import create_schema
from shared.web.resources import resources
from shared.world import WorldStore

TEST_PUBLIC_URL = "http://mem.test"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def make_test_app(database_url: str, clock: Clock, world: WorldStore | None = None,
                  **config) -> Flask:
    """Build the portal (as `certsim run` serves it: its reset restores the demo) on an empty
    database with the control plane on, and create its tables (`world`: a shared world store;
    default one of its own in memory)."""
    settings = {"DATABASE_URL": database_url, "SECRET_KEY": "mem-test-secret",
                "SIM_ENABLED": True, "PUBLIC_URL": TEST_PUBLIC_URL, "SYNC_LAG": "3wd"}
    app = ministry({**settings, **config}, clock=clock, world=world)
    create_schema(resources_of(app).engine, MEM_TABLES)
    return app


def resources_of(app: Flask):
    """Return the engine, session factory and clock of an app."""
    with app.app_context():
        return resources()


def csrf_token_in(html: str) -> str:
    """Return the CSRF token a page carries (form field or meta tag)."""
    match = CSRF_FIELD.search(html) or CSRF_META.search(html)
    if match is None:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


@dataclass
class ApiDriver:
    """Walk the JSON API and the control plane the way the scenario runner does."""

    client: object
    token: str | None = None
    last: dict = field(default_factory=dict)

    def call(self, method: str, path: str, body: dict | None = None, *, token: str | None = None):
        """Send one JSON call; return (status, JSON body or raw bytes)."""
        headers = {}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        response = self.client.open(path, method=method, json=body, headers=headers)
        data = response.get_json(silent=True)
        return response.status_code, data if data is not None else response.data

    def ok(self, method: str, path: str, body: dict | None = None) -> dict:
        """Send one call that must succeed (2xx) and return its JSON body."""
        status, data = self.call(method, path, body)
        assert 200 <= status < 300, (method, path, status, data)
        self.last = data
        return data

    def issue(self, **fields) -> dict:
        """Issue a certificate through the back office."""
        return self.ok("POST", "/_sim/certificates", fields)

    def register_form(self, phone: str, name: str, id_number: str, password: str,
                      changes: dict | None = None) -> dict:
        """Return a complete, valid registration body (captcha solved, SMS code fetched)."""
        captcha = self.ok("GET", "/api/v1/captcha")
        answer = self.ok("GET", f"/_sim/captcha/{captcha['token']}")["answer"]
        self.ok("POST", "/api/v1/sms-codes", {"phone": phone, "purpose": "register"})
        code = self.ok("GET", f"/_sim/sms?phone={phone}")["messages"][0]["code"]
        body = {"phone": phone, "name": name, "id_number": id_number, "id_valid_from": None,
                "password": password, "confirm_password": password, "sms_code": code,
                "agree": True, "captcha_token": captcha["token"], "captcha_answer": answer}
        return {**body, **(changes or {})}

    def register(self, phone: str, name: str, id_number: str, password: str) -> int:
        """Register, pass the 实人认证 step and complete; return the account id."""
        created = self.ok("POST", "/api/v1/register",
                          self.register_form(phone, name, id_number, password))
        ticket = created["face_check"]["token"]
        self.ok("POST", f"/_sim/face-checks/{ticket}", {"outcome": "pass"})
        self.ok("POST", "/api/v1/register/complete", {"token": ticket})
        return created["account_id"]

    def login(self, login: str, password: str) -> dict:
        """Log in and keep the bearer token for later calls."""
        answer = self.ok("POST", "/api/v1/login", {"login": login, "password": password})
        self.token = answer["token"]
        return answer

    def pass_face_check(self, outcome: str = "pass") -> str:
        """Open a 我的证照 face check in this login and decide it; return its token."""
        ticket = self.ok("POST", "/api/v1/face-checks", {"purpose": "licences"})["token"]
        self.ok("POST", f"/_sim/face-checks/{ticket}", {"outcome": outcome})
        return ticket


TICKET_IN_PAGE = re.compile(r'data-state-url="/face-checks/([0-9a-f]+)/state"')
CAPTCHA_IN_PAGE = re.compile(r'name="captcha_token" id="captcha_token" value="([0-9a-f]+)"')


@dataclass
class PageDriver:
    """Walk the HTML pages with a test client the way a person does, CSRF tokens included."""

    client: object
    api: ApiDriver = None

    def __post_init__(self):
        self.api = self.api or ApiDriver(self.client)

    def submit(self, path: str, data: dict, *, page: str | None = None, **kwargs):
        """Open `page` (default `path`), then post `data` with that page's CSRF token."""
        html = self.client.get(page or path).get_data(as_text=True)
        return self.client.post(path, data={"csrf_token": csrf_token_in(html), **data}, **kwargs)

    def registration_form(self, phone: str, name: str, id_number: str, password: str) -> dict:
        """Open 创建账户, ask for the SMS code, and return a complete, valid form."""
        html = self.client.get("/register").get_data(as_text=True)
        token = CAPTCHA_IN_PAGE.search(html).group(1)
        sent = self.client.post("/sms-codes", data={"phone": phone},
                                headers={"X-CSRFToken": csrf_token_in(html)})
        assert sent.status_code == 200, sent.get_json()
        return {"csrf_token": csrf_token_in(html), "phone": phone, "name": name,
                "id_number": id_number, "id_long_term": "1", "password": password,
                "confirm_password": password, "captcha_token": token,
                "captcha_answer": self.api.ok("GET", f"/_sim/captcha/{token}")["answer"],
                "sms_code": self.api.ok("GET", f"/_sim/sms?phone={phone}")["messages"][0]["code"],
                "agree": "1"}

    def ticket_on(self, path: str) -> str:
        """Open a 实人认证 page and return the face-check ticket its QR code carries."""
        html = self.client.get(path).get_data(as_text=True)
        return TICKET_IN_PAGE.search(html).group(1)

    def register(self, phone: str, name: str, id_number: str, password: str):
        """Register through the three pages, approving the face check in the simulated app."""
        created = self.client.post("/register",
                                   data=self.registration_form(phone, name, id_number, password))
        assert created.status_code == 302, created.get_data(as_text=True)
        ticket = self.ticket_on("/register/verify")
        self.api.ok("POST", f"/_sim/face-checks/{ticket}", {"outcome": "pass"})
        return self.client.get(f"/register/done?token={ticket}")

    def login(self, login: str, password: str):
        """Log in through 自然人用户登录."""
        return self.submit("/login", {"login": login, "password": password})

    def pass_face_check(self, outcome: str = "pass") -> str:
        """Open 我的证照's face check and decide it as the phone app would."""
        ticket = self.ticket_on("/face-check")
        self.api.ok("POST", f"/_sim/face-checks/{ticket}", {"outcome": outcome})
        return ticket
