"""The national portal's idempotent, ordered apply of replicated changes (SQLite, PostgreSQL)."""

from __future__ import annotations

import copy
import uuid

import pytest
from sqlalchemy import select, update

import national_portal.models  # noqa: F401  (registers the national tables)
from national_portal.models import TABLES as NATIONAL_TABLES
from national_portal.models import AppliedChange, Licence
from national_portal.services.replica import apply_changes, licence_of, replicated_licence
from shared.db import create_schema, make_engine, make_sessionmaker
from shared.errors import InvalidInput

KEY = "20240000000001"
LICENCE = {
    "certificate_key": KEY, "licence_id": "1.2.156.3005.2.X.Y.20240000000001.001.A",
    "licence_version": 1, "revision": 1, "holder_name": "张三",
    "holder_id_number": "110101199003070011", "sex": "男", "cert_number": "110101199003070011",
    "category": "电工作业", "item": "低压电工作业", "first_issued_on": "2024-09-27",
    "issued_on": "2024-09-27", "valid_from": "2024-09-27", "valid_to": "2030-09-27",
    "review_due_on": "2027-09-27", "review_passed_on": None, "authority": "北京市应急管理局",
    "authority_code": "11110000000000000X", "region_code": "110000", "archive_code": "1100002024",
    "card_version": "new", "status": "valid", "status_reason": None, "rule_set": "order30",
    "reviews": [],
}


@pytest.fixture
def session(db_url_factory):
    engine = make_engine(db_url_factory("national"))
    create_schema(engine, NATIONAL_TABLES)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def change(revision: int, kind: str = "issued", seq: int | None = None, **licence) -> dict:
    body = copy.deepcopy(LICENCE) | {"revision": revision} | licence
    return {"seq": seq or revision, "change_id": uuid.uuid4().hex, "kind": kind,
            "certificate_key": body["certificate_key"], "revision": revision,
            "payload": {"kind": kind, "licence": body}}


def outcomes(results) -> list[str]:
    return [r.outcome for r in results]


def test_a_change_is_applied_once_and_answered_as_a_duplicate_after(session, clock):
    issue = change(1)
    assert outcomes(apply_changes(session, clock, [issue])) == ["applied"]
    assert outcomes(apply_changes(session, clock, [issue])) == ["duplicate"]
    assert len(session.scalars(select(Licence)).all()) == 1
    assert len(session.scalars(select(AppliedChange)).all()) == 1


def test_a_late_issue_never_resurrects_a_revoked_licence(session, clock):
    issue, revoke = change(1), change(2, "revoked", status="revoked")
    assert outcomes(apply_changes(session, clock, [issue, revoke])) == ["applied", "applied"]
    stale = change(1)                                   # the issue again under another id
    assert outcomes(apply_changes(session, clock, [stale])) == ["superseded"]
    assert replicated_licence(session, KEY).status == "revoked"
    assert outcomes(apply_changes(session, clock, [stale])) == ["duplicate"]


def test_a_change_that_overtakes_its_predecessor_is_rejected_not_applied(session, clock):
    revoke = change(2, "revoked", status="revoked")
    [result] = apply_changes(session, clock, [revoke])
    assert (result.outcome, result.error) == ("rejected",
                                              "revision 2 arrived before revision 1")
    assert replicated_licence(session, KEY) is None
    assert outcomes(apply_changes(session, clock, [change(1), revoke])) == ["applied", "applied"]


def test_changes_behind_a_rejected_one_of_the_same_licence_are_held(session, clock):
    broken = change(1)
    del broken["payload"]["licence"]["valid_to"]
    other = change(1, certificate_key="20240000000002", licence_id="other")
    results = apply_changes(session, clock, [broken, change(2, "revoked"), other])
    assert outcomes(results) == ["rejected", "held", "applied"]
    assert "valid_to" in results[0].error


def test_a_reissue_updates_the_licence_in_place_with_its_new_identifier(session, clock):
    apply_changes(session, clock, [change(1)])
    first_id = replicated_licence(session, KEY).id
    reissued = change(2, "reissued", licence_version=2,
                      licence_id="1.2.156.3005.2.X.Y.20240000000001.002.B")
    apply_changes(session, clock, [reissued])
    licence = replicated_licence(session, "1.2.156.3005.2.X.Y.20240000000001.002.B")
    assert (licence.id, licence.licence_version, licence.revision) == (first_id, 2, 2)


@pytest.mark.parametrize("batch, says", [
    ("nope", "list"), ([{"seq": 1}], "change_id"),
    ([{"change_id": "a", "seq": 1, "revision": 1, "certificate_key": KEY}], "payload"),
])
def test_a_malformed_batch_is_refused_whole(session, clock, batch, says):
    with pytest.raises(InvalidInput, match=says):
        apply_changes(session, clock, batch)
    assert session.scalars(select(AppliedChange)).all() == []


def test_a_change_whose_header_disagrees_with_its_licence_is_rejected(session, clock):
    lying = change(1)
    lying["payload"]["licence"]["certificate_key"] = "20249999999999"
    unknown = change(1, "exploded")
    results = apply_changes(session, clock, [lying])
    assert outcomes(results) == ["rejected"] and "differs" in results[0].error
    assert apply_changes(session, clock, [unknown])[0].error == "unknown kind 'exploded'"


def test_a_licence_row_keeps_its_face_fields_once_in_columns_and_its_reviews_in_the_payload(
        session, clock):
    reviewed = change(1, reviews=[{"reviewed_on": "2027-09-01", "result": "pass"}])
    apply_changes(session, clock, [reviewed])
    row = replicated_licence(session, KEY)
    assert row.payload == {"kind": "issued",
                           "licence": {"reviews": [{"reviewed_on": "2027-09-01",
                                                    "result": "pass"}]}}
    assert licence_of(row) == reviewed["payload"]["licence"]  # the licence as it was sent


def test_a_row_written_with_the_whole_licence_in_its_payload_reads_the_same(session, clock):
    sent = change(1, reviews=[{"reviewed_on": "2027-09-01", "result": "fail"}])
    apply_changes(session, clock, [sent])
    session.execute(update(Licence).values(payload=sent["payload"]))  # as rows were written
    session.commit()
    assert licence_of(replicated_licence(session, KEY)) == sent["payload"]["licence"]
