"""Both portals and the replicator on one simulated clock, in-process (helpers + their own tests).

`Portals` builds the two real apps with their app factories on fresh databases, issues
certificates through the ministry's services, and counts what the national portal holds, so
each guarantee can be stated as "lost = 0, duplicated = 0".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from support.replication import Counting

import mem_portal
import national_portal
from mem_portal.models import TABLES as MEM_TABLES
from national_portal.models import TABLES as NATIONAL_TABLES
from national_portal.models import AppliedChange, Licence
from national_portal.services import replica
from national_portal.services.incoming import read_body
from shared.certificates import (
    IssueCertificate,
    Issuer,
    issue_certificate,
    record_review,
    revoke_certificate,
)
from shared.clock import SHANGHAI, SimulatedClock
from shared.db import create_schema
from shared.identity import id_check_char
from shared.lag import parse_lag
from shared.models import OutboxEntry
from sync import Replicator, SimulatedStepper, SyncConfig, TransportFailure, WsgiTransport

SECRET = "test-replication-secret"
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def id_number(n: int) -> str:
    """Return a valid 18-digit ID number, different for each n (born 1970..1999)."""
    first17 = f"110101{1970 + n % 30}{1 + n // 30 % 12:02d}{1 + n // 360 % 28:02d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def holder_name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[n // len(SURNAMES) % len(GIVEN)]


@dataclass
class Portals:
    clock: SimulatedClock
    mem: object
    national: object
    lag: str = "3wd"

    def sessions(self, app):
        return app.extensions["certsim"].sessions

    def config(self, **overrides) -> SyncConfig:
        values = dict(mem_url="http://mem.test", national_url="http://national.test",
                      secret=SECRET, batch_size=50, max_batches=20, lease_ttl=60,
                      backoff_base=1, backoff_max=600, holder="replicator-1")
        return SyncConfig(**{**values, **overrides})

    def transport(self) -> WsgiTransport:
        return WsgiTransport({"mem": self.mem, "national": self.national}, SECRET)

    def replicator(self, transport=None, **overrides) -> Replicator:
        return Replicator(transport or self.transport(), self.config(**overrides))

    def stepper(self, replicator=None) -> SimulatedStepper:
        return SimulatedStepper(replicator or self.replicator(), self.clock)

    def issuance(self, lag: str | None = None) -> Issuer:
        return Issuer(clock=self.clock, lag=parse_lag(lag or self.lag, seed=7))

    def issue(self, count: int = 1, *, start: int = 0, lag: str | None = None) -> list[str]:
        """Issue `count` certificates now; return their certificate keys."""
        keys = []
        with self.sessions(self.mem)() as session:
            for n in range(start, start + count):
                cert = issue_certificate(session, self.issuance(lag), IssueCertificate(
                    holder_name(n), id_number(n), "电工作业", "低压电工作业"))
                keys.append(cert.certificate_key)
        return keys

    def revoke(self, key: str, lag: str | None = None) -> None:
        with self.sessions(self.mem)() as session:
            revoke_certificate(session, self.issuance(lag), key, "提供虚假材料取得证书")

    def national_licences(self) -> dict[str, Licence]:
        with self.sessions(self.national)() as session:
            return {lic.certificate_key: lic for lic in session.scalars(select(Licence))}

    def lost_and_duplicated(self, keys: list[str]) -> tuple[int, int]:
        """Count issued licences missing nationally, and licences or changes applied twice."""
        with self.sessions(self.national)() as session:
            rows = session.execute(select(Licence.certificate_key, func.count())
                                   .group_by(Licence.certificate_key)).all()
            applied = session.execute(select(AppliedChange.change_id, func.count())
                                      .group_by(AppliedChange.change_id)).all()
        present = {key for key, _ in rows}
        duplicated = sum(n - 1 for _, n in rows) + sum(n - 1 for _, n in applied)
        return len(set(keys) - present), duplicated

    def outbox_states(self) -> dict[str, int]:
        with self.sessions(self.mem)() as session:
            return dict(session.execute(select(OutboxEntry.state, func.count())
                                        .group_by(OutboxEntry.state)).all())

    def set_faults(self, **switch) -> dict:
        return self.national.test_client().post("/_sim/faults", json=switch).get_json()


def build_portals(db_url_factory, clock: SimulatedClock, lag: str = "3wd") -> Portals:
    """Build both portals with the control plane on, on fresh databases, sharing `clock`."""
    common = {"SIM_ENABLED": True, "SYNC_SECRET": SECRET, "SYNC_LAG": lag, "TESTING": True}
    mem = mem_portal.create_app({**common, "DATABASE_URL": db_url_factory("mem")}, clock=clock)
    national = national_portal.create_app(
        {**common, "DATABASE_URL": db_url_factory("national")}, clock=clock)
    create_schema(mem.extensions["certsim"].engine, MEM_TABLES)
    create_schema(national.extensions["certsim"].engine, NATIONAL_TABLES)
    return Portals(clock, mem, national, lag)


def open_portals(db_url_factory, clock: SimulatedClock):
    """Yield both portals for one test, then release their databases (a fixture body)."""
    pair = build_portals(db_url_factory, clock)
    yield pair
    for app in (pair.mem, pair.national):
        app.extensions["certsim"].engine.dispose()


@pytest.fixture
def portals(db_url_factory, clock):
    yield from open_portals(db_url_factory, clock)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_the_in_process_transport_signs_calls_the_feed_accepts(portals):
    answer = portals.transport().call("mem", "GET", "/api/v1/changes",
                                      query={"after": 0, "limit": 10})
    assert answer["changes"] == [] and answer["next_after"] == 0


def test_a_replicator_with_the_wrong_secret_is_refused_and_delivers_nothing(portals):
    portals.issue(1, lag="0")
    wrong = WsgiTransport({"mem": portals.mem, "national": portals.national}, "not-the-secret")
    report = Replicator(wrong, portals.config()).replicate_due(portals.clock.now())
    assert report.outcome == "failed" and "401" in report.error
    assert portals.national_licences() == {}
    with pytest.raises(TransportFailure):
        wrong.call("national", "POST", "/api/v1/ingest", body={"changes": []})


def test_each_holder_of_the_harness_is_a_distinct_valid_person():
    assert len({id_number(n) for n in range(2000)}) == 2000
    assert replace(SyncConfig(secret="s"), batch_size=7).batch_size == 7


def test_a_delivering_run_reads_each_page_with_its_lease_renewal_in_one_call(portals):
    keys = portals.issue(5, lag="0")
    transport = Counting(portals.transport())
    report = portals.replicator(transport, batch_size=2).replicate_due(portals.clock.now())
    assert (report.outcome, report.results, report.batches) == ("delivered", {"applied": 5}, 3)
    assert transport.calls == [
        "POST /api/v1/changes",                                   # the lease and page 1
        "POST /api/v1/changes", "POST /api/v1/ingest", "POST /api/v1/changes/ack",
        "POST /api/v1/changes", "POST /api/v1/ingest", "POST /api/v1/changes/ack",
        "POST /api/v1/ingest", "POST /api/v1/changes/ack",        # page 3 was not full
        "POST /api/v1/changes/lease"]                             # renewal and report
    assert portals.lost_and_duplicated(keys) == (0, 0)


def test_every_batch_the_ministry_sends_is_read_by_the_typed_reader(portals, monkeypatch):
    """Issues, reviews (with their records) and revocations, as the feed sends them: none falls
    back to the field-by-field reader, which would keep them right but slow."""
    read = []

    def recorded(body: bytes):
        read.append(read_body(body))
        return read[-1]

    monkeypatch.setattr(replica, "read_body", recorded)
    keys = portals.issue(3, lag="0")
    portals.clock.set(portals.clock.now() + timedelta(days=3 * 365 - 30))  # the review is due
    with portals.sessions(portals.mem)() as session:
        record_review(session, portals.issuance("0"), keys[0], "pass")
    portals.revoke(keys[1], lag="0")
    portals.stepper().advance_to(portals.clock.now() + timedelta(hours=1))
    assert read and all(changes is not None for changes in read)
    assert sum(len(changes) for changes in read) == 5
    assert portals.lost_and_duplicated(keys) == (0, 0)
