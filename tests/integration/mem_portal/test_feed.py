"""The ministry's change feed and replication control plane, through the real app (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import event, select
from support.replication import Counting

import mem_portal
from mem_portal.control import REPLICATION_TICK
from mem_portal.models import TABLES as MEM_TABLES
from shared import outbox
from shared.certificates import IssueCertificate, Issuer, issue_certificate, revoke_certificate
from shared.clock import SHANGHAI
from shared.db import create_schema
from shared.identity import id_check_char
from shared.lag import parse_lag
from shared.models import OutboxEntry
from sync import Replicator, SyncConfig
from sync.transport import CallRefused, WsgiTransport

SECRET = "feed-secret"


def person(n: int) -> str:
    first17 = f"11010119850101{n:03d}"
    return first17 + id_check_char(first17)


def open_mem(db_url_factory, clock):
    """Yield the ministry app on a fresh database with the control plane on (a fixture body)."""
    app = mem_portal.create_app({"DATABASE_URL": db_url_factory("mem"), "SIM_ENABLED": True,
                                 "SYNC_SECRET": SECRET, "TESTING": True}, clock=clock)
    create_schema(app.extensions["certsim"].engine, MEM_TABLES)
    yield app
    app.extensions["certsim"].engine.dispose()


@pytest.fixture
def mem(db_url_factory, clock):
    yield from open_mem(db_url_factory, clock)


class Ministry:
    def __init__(self, app, clock):
        self.app, self.clock = app, clock
        self.wire = WsgiTransport({"mem": app}, SECRET)
        self.sim = app.test_client()

    def session(self):
        return self.app.extensions["certsim"].sessions()

    def issue(self, n: int, lag: str = "0") -> str:
        with self.session() as session:
            issuer = Issuer(clock=self.clock, lag=parse_lag(lag))
            return issue_certificate(session, issuer, IssueCertificate(
                "王强", person(n), "电工作业", "低压电工作业")).certificate_key

    def revoke(self, key: str, lag: str = "0") -> None:
        with self.session() as session:
            revoke_certificate(session, Issuer(clock=self.clock, lag=parse_lag(lag)), key)

    def feed(self, after=0, limit=100, **query) -> dict:
        return self.wire.call("mem", "GET", "/api/v1/changes",
                              query={"after": after, "limit": limit, **query})

    def post(self, path: str, body: dict) -> dict:
        return self.wire.call("mem", "POST", path, body=body)


@pytest.fixture
def ministry(mem, clock):
    return Ministry(mem, clock)


def test_the_feed_lists_due_changes_in_sequence_order_with_the_next_due_time(ministry, clock):
    first, second = ministry.issue(1), ministry.issue(2, lag="3wd")
    third = ministry.issue(3)
    page = ministry.feed()
    assert [c["certificate_key"] for c in page["changes"]] == [first, third]
    assert page["next_after"] == page["changes"][-1]["seq"]
    assert datetime.fromisoformat(page["next_due_at"]) == datetime(2024, 10, 8, tzinfo=SHANGHAI)
    change = page["changes"][0]
    assert (change["kind"], change["revision"]) == ("issued", 1)
    assert change["payload"]["licence"]["certificate_key"] == first
    assert second not in [c["certificate_key"] for c in ministry.feed(after=0)["changes"]]


def test_the_feed_never_hands_out_a_change_before_the_ministrys_own_now(ministry, clock):
    ministry.issue(1, lag="1h")
    later = (clock.now() + timedelta(hours=2)).isoformat()
    assert ministry.feed(until=later)["changes"] == []
    clock.advance(timedelta(hours=1))
    assert len(ministry.feed(until=later)["changes"]) == 1


def test_a_change_waits_while_an_earlier_change_of_its_licence_is_held(ministry):
    key = ministry.issue(1, lag="manual")
    ministry.revoke(key, lag="0")                          # due at once, but behind the issue
    other = ministry.issue(2)
    assert [c["certificate_key"] for c in ministry.feed()["changes"]] == [other]
    assert ministry.sim.post("/_sim/replication/release",
                             json={"certificate_key": key}).get_json() == {"released": 1}
    assert [c["kind"] for c in ministry.feed()["changes"]] == ["issued", "revoked", "issued"]


def test_acknowledging_marks_delivered_and_moves_the_checkpoint_past_a_gap_only_when_closed(
        ministry):
    keys = [ministry.issue(n) for n in range(3)]
    ids = {c["certificate_key"]: c["change_id"] for c in ministry.feed()["changes"]}
    answer = ministry.post("/api/v1/changes/ack", {"change_ids": [ids[keys[0]], ids[keys[2]]]})
    assert answer == {"acknowledged": 2, "checkpoint": 1}
    again = ministry.post("/api/v1/changes/ack", {"change_ids": [ids[keys[0]], ids[keys[1]]]})
    assert again == {"acknowledged": 1, "checkpoint": 3}
    assert ministry.feed()["changes"] == []


def test_acknowledging_by_sequence_number_marks_the_same_rows_as_by_change_id(ministry):
    keys = [ministry.issue(n) for n in range(3)]
    page = ministry.feed()
    seqs = {c["certificate_key"]: c["seq"] for c in page["changes"]}
    assert page["ids"] == [[c["seq"], c["change_id"]] for c in page["changes"]]
    answer = ministry.post("/api/v1/changes/ack", {"seqs": [seqs[keys[0]], seqs[keys[2]]]})
    assert answer == {"acknowledged": 2, "checkpoint": 1}
    again = ministry.post("/api/v1/changes/ack", {"seqs": [seqs[keys[0]], seqs[keys[1]]]})
    assert again == {"acknowledged": 1, "checkpoint": 3}
    assert ministry.feed()["changes"] == []


def test_an_acknowledgement_naming_no_sequence_numbers_is_refused(ministry):
    ministry.issue(0)
    for body in ({"seqs": ["1"]}, {"seqs": [True]}, {"seqs": [0]}, {"seqs": 5},
                 {"seqs": [2**63]}, {"seqs": None}, {"change_ids": [], "seqs": [0]}):
        with pytest.raises(CallRefused, match="seqs"):
            ministry.post("/api/v1/changes/ack", body)
    with pytest.raises(CallRefused, match="change_ids"):
        ministry.post("/api/v1/changes/ack", {"change_ids": None, "seqs": [1]})
    assert len(ministry.feed()["changes"]) == 1


def test_acknowledging_finds_rows_by_change_id_without_walking_the_backlog(ministry, mem):
    engine = mem.extensions["certsim"].engine
    if engine.dialect.name != "sqlite":
        pytest.skip("the query plan checked here is SQLite's (PostgreSQL plans from statistics)")
    [ministry.issue(n) for n in range(3)]
    ids = [c["change_id"] for c in ministry.feed()["changes"]]
    updates = []

    def note(_conn, _cursor, statement, parameters, _context, _many):
        if statement.startswith("UPDATE outbox") and "change_id IN" in statement:
            updates.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        ministry.post("/api/v1/changes/ack", {"change_ids": ids})
    finally:
        event.remove(engine, "before_cursor_execute", note)
    [(statement, parameters)] = updates
    with engine.connect() as connection:
        plan = " ".join(row[-1] for row in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters))
    assert "(change_id=?)" in plan and "state" not in plan, plan


def test_a_change_rejected_too_often_is_blocked_holds_its_licence_and_can_be_retried(ministry):
    key = ministry.issue(1)
    ministry.revoke(key)
    [issue, revoke] = ministry.feed()["changes"]
    failure = {"failures": [{"change_id": issue["change_id"], "error": "bad"}], "max_attempts": 2}
    assert ministry.post("/api/v1/changes/nack", failure)["blocked"] == []
    assert ministry.post("/api/v1/changes/nack", failure)["blocked"] == [issue["change_id"]]
    assert ministry.feed()["changes"] == []                # the revoke waits behind it
    status = ministry.sim.get("/_sim/replication").get_json()
    assert (status["blocked"], status["pending"]) == (1, 1)
    blocked = ministry.sim.get("/_sim/outbox?state=blocked").get_json()["changes"]
    assert (blocked[0]["attempts"], blocked[0]["last_error"]) == (2, "bad")
    assert ministry.sim.post("/_sim/replication/retry", json={}).get_json()["retried"] == 1
    assert [c["change_id"] for c in ministry.feed()["changes"]] == [issue["change_id"],
                                                                    revoke["change_id"]]


def test_the_lease_goes_to_one_holder_until_it_expires_or_is_released(ministry, clock):
    lease = "/api/v1/changes/lease"
    with freeze_time(datetime(2026, 11, 30, 2, 0), tick=False) as wall:  # signed calls: fresh
        assert ministry.post(lease, {"holder": "a", "ttl": 60})["granted"] is True
        refused = ministry.post(lease, {"holder": "b", "ttl": 60})
        assert (refused["granted"], refused["holder"]) == (False, "a")
        clock.advance(timedelta(days=3))  # the world's time moving says nothing of a's health
        assert ministry.post(lease, {"holder": "b", "ttl": 60})["granted"] is False
        wall.tick(61)                      # a has not renewed for 61 real seconds
        assert ministry.post(lease, {"holder": "b", "ttl": 60})["granted"] is True
        assert ministry.post(lease, {"holder": "a", "ttl": 60})["granted"] is False
        assert ministry.post(lease, {"holder": "b", "ttl": 0, "report": {"batches": 1}})[
            "granted"]
        assert ministry.post(lease, {"holder": "a", "ttl": 60})["granted"] is True


def test_a_handover_request_makes_the_holder_give_up_the_lease_at_the_end_of_its_run(
        ministry):
    lease = "/api/v1/changes/lease"
    assert ministry.post(lease, {"holder": "replicator", "ttl": 60})["granted"] is True
    with ministry.session() as session:
        outbox.request_handover(session, "snapshot")
    assert ministry.post(lease, {"holder": "snapshot", "ttl": 60})["granted"] is False
    # mid-run renewals still count; the report that ends the run gives the lease up
    assert ministry.post(lease, {"holder": "replicator", "ttl": 60})["granted"] is True
    ended = ministry.post(lease, {"holder": "replicator", "ttl": 60, "report": {"batches": 1}})
    assert ended["holder"] is None
    assert ministry.wire.call("mem", "GET", lease)["holder"] is None
    assert ministry.post(lease, {"holder": "snapshot", "ttl": 60})["granted"] is True
    # the asker has the lease: the request is spent, the next run keeps its lease again
    assert ministry.post(lease, {"holder": "snapshot", "ttl": 0})["granted"] is True
    ministry.post(lease, {"holder": "replicator", "ttl": 60})
    kept = ministry.post(lease, {"holder": "replicator", "ttl": 60, "report": {"batches": 0}})
    assert kept["holder"] == "replicator"


def test_unsigned_or_badly_signed_feed_calls_are_refused(ministry, mem):
    assert mem.test_client().get("/api/v1/changes").status_code == 401
    forged = WsgiTransport({"mem": mem}, "guess")
    with pytest.raises(CallRefused, match="401"):
        forged.call("mem", "GET", "/api/v1/changes", query={"after": 0})


@pytest.mark.parametrize("query, field", [({"limit": 0}, "limit"), ({"after": -1}, "after"),
                                          ({"limit": "x"}, "limit"), ({"until": "x"}, "until")])
def test_bad_feed_parameters_are_refused_naming_the_field(ministry, mem, query, field):
    with pytest.raises(CallRefused, match="400"):
        ministry.wire.call("mem", "GET", "/api/v1/changes", query=query)


def test_the_outbox_peek_changes_nothing(ministry):
    ministry.issue(1)
    before = ministry.sim.get("/_sim/replication").get_json()
    rows = ministry.sim.get("/_sim/outbox?payload=1").get_json()["changes"]
    assert rows[0]["state"] == "pending" and "licence" in rows[0]["payload"]
    assert ministry.sim.get(f"/_sim/outbox/{rows[0]['seq']}").status_code == 200
    assert ministry.sim.get("/_sim/outbox/999").status_code == 404
    assert ministry.sim.get("/_sim/replication").get_json() == before


def test_changing_the_lag_applies_to_later_changes_only(ministry, mem, clock):
    from mem_portal.issuer import get_issuer

    with mem.app_context():
        first = issue_certificate(ministry.session(), get_issuer(), IssueCertificate(
            "李梅", person(1), "电工作业", "低压电工作业"))
    bad = ministry.sim.put("/_sim/lag", json={"lag": "5wd"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "lag"
    assert ministry.sim.put("/_sim/lag", json={"lag": "0"}).get_json()["lag"] == "0"
    with mem.app_context():
        second = issue_certificate(ministry.session(), get_issuer(), IssueCertificate(
            "李梅", person(2), "电工作业", "低压电工作业"))
    with ministry.session() as session:
        visible = dict(session.execute(select(OutboxEntry.certificate_key,
                                              OutboxEntry.visible_at)).all())
    assert visible[first.certificate_key] == datetime(2024, 10, 8, tzinfo=SHANGHAI)
    assert visible[second.certificate_key] == clock.now()


def test_a_tick_is_requested_for_the_replicator_process_or_run_in_process(ministry, mem):
    answer = ministry.sim.post("/_sim/replication/tick")
    assert answer.status_code == 202 and answer.get_json()["ran"] is False
    state = ministry.wire.call("mem", "GET", "/api/v1/changes/lease")
    assert state["tick_requested_at"] == answer.get_json()["tick_requested_at"]
    mem.extensions[REPLICATION_TICK] = lambda: {"batches": 0}
    assert ministry.sim.post("/_sim/replication/tick").get_json() == {
        "ran": True, "report": {"batches": 0}}


def test_replaying_requeues_delivered_changes_after_a_sequence_number(ministry):
    keys = [ministry.issue(n) for n in range(3)]
    ids = [c["change_id"] for c in ministry.feed()["changes"]]
    ministry.post("/api/v1/changes/ack", {"change_ids": ids})
    answer = ministry.sim.post("/_sim/replication/replay", json={"after": 1}).get_json()
    assert (answer["requeued"], answer["checkpoint"]) == (2, 1)
    assert [c["certificate_key"] for c in ministry.feed(after=1)["changes"]] == keys[1:]
    with ministry.session() as session:
        assert outbox.replication_status(session, ministry.clock)["delivered"] == 1


def test_one_pull_takes_the_lease_and_reads_the_first_page_from_the_checkpoint(ministry):
    keys = [ministry.issue(n) for n in range(3)]
    first = ministry.post("/api/v1/changes", {"holder": "a", "ttl": 60, "limit": 2})
    assert (first["lease"]["granted"], first["lease"]["holder"]) == (True, "a")
    assert [c["certificate_key"] for c in first["changes"]] == keys[:2]
    ministry.post("/api/v1/changes/ack", {"seqs": [c["seq"] for c in first["changes"]]})
    ahead = ministry.post("/api/v1/changes", {"holder": "a", "ttl": 60, "limit": 2})
    assert [c["certificate_key"] for c in ahead["changes"]] == keys[2:]  # from the checkpoint
    assert ahead["lease"]["checkpoint"] == 2
    again = ministry.post("/api/v1/changes", {"holder": "a", "ttl": 60, "after": 0})
    assert [c["certificate_key"] for c in again["changes"]] == keys[2:]


def test_a_pull_without_the_lease_hands_out_no_changes(ministry):
    ministry.issue(0)
    ministry.post("/api/v1/changes/lease", {"holder": "a", "ttl": 60})
    refused = ministry.post("/api/v1/changes", {"holder": "b", "ttl": 60})
    assert (refused["lease"]["granted"], refused["lease"]["holder"]) == (False, "a")
    assert (refused["changes"], refused["ids"], refused["next_due_at"]) == ([], [], None)


@pytest.mark.parametrize("body, field", [({"ttl": 0}, "ttl"), ({"limit": 0}, "limit"),
                                         ({"after": -1}, "after"), ({"until": "soon"}, "until"),
                                         ({"until": 5}, "until"), ({"ttl": "60"}, "ttl"),
                                         ({"until": ""}, "until"), ({"after": None}, "after")])
def test_a_bad_pull_is_refused_before_the_lease_is_touched(ministry, body, field):
    with pytest.raises(CallRefused, match=field):
        ministry.post("/api/v1/changes", {"holder": "a", "ttl": 60, **body})
    assert ministry.wire.call("mem", "GET", "/api/v1/changes/lease")["holder"] is None


def test_an_idle_run_costs_two_calls_the_pull_and_the_report(ministry):
    transport = Counting(ministry.wire)
    replicator = Replicator(transport, SyncConfig(secret=SECRET), holder="r")
    assert replicator.replicate_due(ministry.clock.now()).outcome == "idle"
    assert transport.calls == ["POST /api/v1/changes", "POST /api/v1/changes/lease"]
