"""数据存在延迟: a licence issued on the Friday before National Day reaches the national portal on
the third working day after it, at 00:00 of 2024-10-08 — not a minute earlier."""

from __future__ import annotations

from datetime import datetime

import pytest
from test_replication_harness import at, holder_name, id_number, open_portals

from shared.accounts.models import Account
from shared.accounts.passwords import SIMULATION, hash_password

PASSWORD = "Bind@2024"
PHONE = "13900139000"


@pytest.fixture
def portals(db_url_factory, clock):
    yield from open_portals(db_url_factory, clock)


def open_national_account(portals) -> None:
    """Give the holder of licence 0 a verified account on the national portal."""
    with portals.sessions(portals.national)() as session:
        now = portals.clock.now()
        session.add(Account(phone=PHONE, name=holder_name(0), id_number=id_number(0),
                            id_valid_from=None, password_hash=hash_password(PASSWORD, SIMULATION),
                            created_at=now, identity_verified_at=now))
        session.commit()


def try_to_bind(portals):
    """Log in, pass 实人认证 and ask to bind 特种作业操作证; return the API answer."""
    client = portals.national.test_client()
    token = client.post("/api/v1/login", json={"login": PHONE, "password": PASSWORD}
                        ).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    face = client.post("/api/v1/face-checks", json={"purpose": "bind"}, headers=auth).get_json()
    client.post(f"/_sim/face-checks/{face['token']}", json={"outcome": "pass"})
    return client.post("/api/v1/licences/bind", json={"type": "特种作业操作证"}, headers=auth)


def test_a_licence_issued_at_friday_17_00_is_absent_until_and_bindable_from_october_8(portals):
    assert portals.clock.now() == at("2024-09-27T17:00")
    [key] = portals.issue(1)                                   # lag 3wd
    open_national_account(portals)
    stepper = portals.stepper()
    national = portals.national.test_client()

    stepper.advance_to(at("2024-10-07T23:59"))
    assert national.get(f"/_sim/licences/{key}").status_code == 404
    refused = try_to_bind(portals)
    assert refused.status_code == 404 and refused.get_json()["error"] == "not_found"

    stepper.advance_to(at("2024-10-08T00:00"))
    copy = national.get(f"/_sim/licences/{key}").get_json()
    assert copy["eligible"] is True
    assert datetime.fromisoformat(copy["arrived_at"]) == at("2024-10-08T00:00")
    bound = try_to_bind(portals)
    assert bound.status_code == 200 and bound.get_json()["bound"] == [key]


def test_the_stepper_delivers_at_the_exact_visible_at_and_nowhere_else(portals):
    [key] = portals.issue(1)
    reports = portals.stepper().advance_to(at("2024-10-10T00:00"))
    delivered = [r for r in reports if r.batches]
    assert [datetime.fromisoformat(r.at) for r in delivered] == [at("2024-10-08T00:00")]
    status = portals.mem.test_client().get("/_sim/replication").get_json()
    assert (status["pending"], status["delivered"], status["checkpoint"]) == (0, 1, 1)
    assert status["last_run"]["holder"] == "replicator-1"
