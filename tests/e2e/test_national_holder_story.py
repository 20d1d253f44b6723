"""A holder's story across both portals and the replicator on one simulated clock: the national
portal shows what replication delivered, when it delivered it, and nothing else."""

from __future__ import annotations

from datetime import datetime

import pytest
from test_replication_harness import at, holder_name, id_number, open_portals

PASSWORD = "Bind@2024"
PHONE = "13900139000"
LICENCE_TYPE = "特种作业操作证"


@pytest.fixture
def portals(db_url_factory, clock):
    yield from open_portals(db_url_factory, clock)


class Holder:
    """Holder 0 of the harness, using the national portal's JSON API only."""

    def __init__(self, app):
        self.client = app.test_client()
        self.auth: dict = {}

    def register(self) -> None:
        self.client.post("/api/v1/sms-codes", json={"phone": PHONE, "purpose": "register"})
        code = self.client.get(f"/_sim/sms?phone={PHONE}").get_json()["messages"][0]["code"]
        answer = self.client.post("/api/v1/register", json={
            "phone": PHONE, "name": holder_name(0), "id_number": id_number(0),
            "id_valid_from": None, "password": PASSWORD, "confirm_password": PASSWORD,
            "sms_code": code, "agree": True})
        assert answer.status_code == 201, answer.get_json()

    def log_in_and_verify(self) -> None:
        """Log in (the last token has expired after days of simulated time) and pass 实人认证."""
        token = self.client.post("/api/v1/login", json={"login": PHONE, "password": PASSWORD}
                                 ).get_json()["token"]
        self.auth = {"Authorization": f"Bearer {token}"}
        face = self.client.post("/api/v1/face-checks", json={"purpose": "bind"},
                                headers=self.auth).get_json()
        self.client.post(f"/_sim/face-checks/{face['token']}", json={"outcome": "pass"})

    def bind(self):
        return self.client.post("/api/v1/licences/bind", json={"type": LICENCE_TYPE},
                                headers=self.auth)

    def status_of(self, key: str) -> str:
        return self.client.get(f"/api/v1/licences/{key}", headers=self.auth
                               ).get_json()["licence"]["status"]

    def unbind(self, key: str) -> int:
        return self.client.delete(f"/api/v1/licences/{key}/binding",
                                  headers=self.auth).status_code


def test_a_revocation_reaches_the_bound_licence_three_working_days_later(portals):
    [key] = portals.issue(1)                       # Friday 2024-09-27 17:00, lag 3wd
    holder = Holder(portals.national)
    holder.register()
    stepper = portals.stepper()

    stepper.advance_to(at("2024-10-08T09:00"))
    holder.log_in_and_verify()
    bound = holder.bind()
    assert bound.status_code == 200 and bound.get_json()["bound"] == [key]
    arrived = bound.get_json()["licences"][0]["arrived_at"]
    assert datetime.fromisoformat(arrived) == at("2024-10-08T00:00")

    portals.revoke(key)                            # Tuesday 10-08 09:00 → visible Friday 10-11
    stepper.advance_to(at("2024-10-10T23:59"))
    holder.log_in_and_verify()
    assert holder.status_of(key) == "valid"        # the ministry knows, the nation not yet

    stepper.advance_to(at("2024-10-11T00:00"))
    holder.log_in_and_verify()
    assert holder.status_of(key) == "revoked"
    assert holder.unbind(key) == 200
    refused = holder.bind()
    assert refused.status_code == 404
    assert refused.get_json()["message"] == "未查询到特种作业操作证电子证照"


def test_unbinding_and_binding_again_leave_the_replicated_licence_untouched(portals):
    [key] = portals.issue(1, lag="0")
    stepper = portals.stepper()
    stepper.drain()
    holder = Holder(portals.national)
    holder.register()
    holder.log_in_and_verify()
    assert holder.bind().get_json()["bound"] == [key]
    before = portals.national.test_client().get(f"/_sim/licences/{key}").get_json()
    assert holder.unbind(key) == 200
    assert holder.bind().get_json()["bound"] == [key]
    after = portals.national.test_client().get(f"/_sim/licences/{key}").get_json()
    assert after == before
    assert portals.lost_and_duplicated([key]) == (0, 0)
