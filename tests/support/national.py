"""Helpers for the national portal's tests: the app, a ministry to issue from, API and page clients.

Licences reach the national database only through `national_portal.services.replica.apply_changes`, fed with the
ministry's own outbox rows (`shared.outbox.change_json`): the same path as the ingest endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from certsim.apps import national
from mem_portal.models import TABLES as MEM_TABLES
from national_portal.models import TABLES as NATIONAL_TABLES
from national_portal.services.replica import apply_changes
from shared.certificates import (
    IssueCertificate,
    Issuer,
    cancel_certificate,
    issue_certificate,
    revoke_certificate,
)
from shared.db import create_schema, make_engine, make_sessionmaker, session_scope
from shared.lag import parse_lag
from shared.models import OutboxEntry
from shared.outbox import change_json
from shared.web.resources import resources
from shared.world import WorldStore

PASSWORD = "Abc12345"
LICENCE_TYPE = "特种作业操作证"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Holder:
    name: str
    id_number: str
    phone: str


ZHANG = Holder("张三", "110101199003070011", "13800138000")
LI = Holder("李梅", "110102198505120025", "13800138001")


def make_app(db_url: str, clock, world: WorldStore | None = None, **config):
    """Build the national portal (as `certsim run` serves it: its reset restores the demo
    accounts) on an empty database with the control plane on (`world` as for the ministry)."""
    app = national({"DATABASE_URL": db_url, "SECRET_KEY": "test-secret",
                    "SIM_ENABLED": True, "TESTING": True, **config}, clock=clock, world=world)
    with app.app_context():
        create_schema(resources().engine, NATIONAL_TABLES)
    return app


class Ministry:
    """A ministry database that issues certificates and hands its changes to the national portal."""

    def __init__(self, db_url: str, clock):
        engine = make_engine(db_url)
        create_schema(engine, MEM_TABLES)
        self.sessions = make_sessionmaker(engine)
        self.ctx = Issuer(clock=clock, lag=parse_lag("0"))
        self.delivered_seq = 0

    def issue(self, holder: Holder = ZHANG, *, item: str = "低压电工作业",
              category: str = "电工作业", **kwargs) -> str:
        """Issue a certificate and return its key."""
        with session_scope(self.sessions) as session:
            return issue_certificate(session, self.ctx, IssueCertificate(
                holder.name, holder.id_number, category, item, **kwargs)).certificate_key

    def revoke(self, key: str) -> None:
        with session_scope(self.sessions) as session:
            revoke_certificate(session, self.ctx, key, "提供虚假材料取得证书")

    def cancel(self, key: str) -> None:
        with session_scope(self.sessions) as session:
            cancel_certificate(session, self.ctx, key, "持证人申请注销")

    def pending_changes(self) -> list[dict]:
        """The outbox rows not handed over yet, in sequence order, as the wire carries them."""
        with session_scope(self.sessions) as session:
            return [change_json(e) for e in session.scalars(select(OutboxEntry).where(
                OutboxEntry.seq > self.delivered_seq).order_by(OutboxEntry.seq))]

    def deliver(self, app) -> list[str]:
        """Apply every new change on the national portal; return the outcomes."""
        changes = self.pending_changes()
        with app.app_context(), session_scope(resources().sessions) as session:
            outcomes = apply_changes(session, resources().clock, changes)
        if changes:
            self.delivered_seq = changes[-1]["seq"]
        return [o.outcome for o in outcomes]


class Api:
    """The JSON API as the scenario runner uses it."""

    def __init__(self, app):
        self.client = app.test_client()
        self.token: str | None = None

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str):
        return self.client.get(path, headers=self.headers())

    def post(self, path: str, json: dict | None = None):
        return self.client.post(path, json=json if json is not None else {}, headers=self.headers())

    def delete(self, path: str):
        return self.client.delete(path, headers=self.headers())

    def sms_code(self, phone: str) -> str:
        return self.client.get(f"/_sim/sms?phone={phone}").json["messages"][0]["code"]

    def register(self, holder: Holder = ZHANG, **overrides):
        """Send the SMS code, then register with it."""
        self.post("/api/v1/sms-codes", {"phone": holder.phone, "purpose": "register"})
        form = {"phone": holder.phone, "name": holder.name, "id_number": holder.id_number,
                "id_valid_from": "2015-06-01", "password": PASSWORD, "confirm_password": PASSWORD,
                "sms_code": self.sms_code(holder.phone), "agree": True}
        return self.post("/api/v1/register", form | overrides)

    def login(self, login: str = ZHANG.phone, password: str = PASSWORD):
        response = self.post("/api/v1/login", {"login": login, "password": password})
        self.token = response.json.get("token") if response.status_code == 200 else None
        return response

    def face_check(self, outcome: str | None = "pass") -> str:
        """Open a face check in this login and, unless None, decide it through /_sim."""
        token = self.post("/api/v1/face-checks", {"purpose": "bind"}).json["token"]
        if outcome:
            self.client.post(f"/_sim/face-checks/{token}", json={"outcome": outcome})
        return token

    def bind(self, licence_type: str = LICENCE_TYPE):
        return self.post("/api/v1/licences/bind", {"type": licence_type})

    def signed_up(self, holder: Holder = ZHANG) -> Api:
        """Register, log in and pass a face check."""
        assert self.register(holder).status_code == 201
        assert self.login(holder.phone).status_code == 200
        self.face_check("pass")
        return self


class Browser:
    """The pages as a person uses them: every form post carries the page's CSRF token."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def submit(self, page: str, data: dict, action: str | None = None, **kwargs):
        """Load `page`, take its CSRF token and post `data` to `action` (default: the page)."""
        token = CSRF.search(self.client.get(page).get_data(as_text=True)).group(1)
        return self.client.post(action or page, data={"csrf_token": token, **data}, **kwargs)

    def login(self, holder: Holder = ZHANG, password: str = PASSWORD, **kwargs):
        return self.submit("/login/personal", {"login": holder.phone, "password": password},
                           **kwargs)
