"""Issue 12: a signed change whose licence has a field of the wrong type is `rejected`, not a 500.

The ingest endpoint trusts the signature, not the content: every face field is checked against
what its column holds before anything is written, and the rest of the batch still applies.
"""

from __future__ import annotations

import copy
import uuid

import orjson
import pytest
from sqlalchemy import func, select

import national_portal
from national_portal.models import TABLES as NATIONAL_TABLES
from national_portal.models import AppliedChange, Licence
from national_portal.services.replica import apply_changes
from shared.clock import wall_now
from shared.db import create_schema, make_engine, make_sessionmaker
from shared.errors import InvalidInput
from shared.wire import sign_request

SECRET = "replication-input-secret"
LICENCE = {
    "certificate_key": "20240000000001",
    "licence_id": "1.2.156.3005.2.X.Y.20240000000001.001.A", "licence_version": 1,
    "revision": 1, "holder_name": "张三", "holder_id_number": "110101199003070011", "sex": "男",
    "cert_number": "110101199003070011", "category": "电工作业", "item": "低压电工作业",
    "first_issued_on": "2024-09-27", "issued_on": "2024-09-27", "valid_from": "2024-09-27",
    "valid_to": "2030-09-27", "review_due_on": "2027-09-27", "review_passed_on": None,
    "authority": "北京市应急管理局", "authority_code": "11110000000000000X",
    "region_code": "110000", "archive_code": "1100002024", "card_version": "new",
    "status": "valid", "status_reason": None, "rule_set": "order30", "reviews": [],
}


def issue(serial: int, **fields) -> dict:
    """Return the `issued` change of licence 2024000000000<serial>, with `fields` replaced."""
    key = f"2024{serial:010d}"
    licence = copy.deepcopy(LICENCE) | {"certificate_key": key,
                                        "licence_id": f"1.2.156.3005.2.X.Y.{key}.001.A"} | fields
    return {"seq": serial, "change_id": uuid.uuid4().hex, "kind": "issued",
            "certificate_key": key, "revision": 1,
            "payload": {"kind": "issued", "licence": licence}}


@pytest.fixture
def national(db_url_factory, clock):
    app = national_portal.create_app({"DATABASE_URL": db_url_factory("national"),
                                      "SIM_ENABLED": True, "SYNC_SECRET": SECRET,
                                      "TESTING": True}, clock=clock)
    create_schema(app.extensions["certsim"].engine, NATIONAL_TABLES)
    yield app
    app.extensions["certsim"].engine.dispose()


@pytest.fixture
def session(db_url_factory):
    engine = make_engine(db_url_factory("national"))
    create_schema(engine, NATIONAL_TABLES)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def post_signed(app, changes: list):
    """Send a batch to the ingest endpoint signed with the replication secret, as sync does."""
    body = orjson.dumps({"changes": changes})
    headers = sign_request(SECRET, "POST", "/api/v1/ingest", body, now=wall_now())
    return app.test_client().post("/api/v1/ingest", data=body, headers=headers,
                                  content_type="application/json")


def stored_keys(connectable) -> list[str]:
    return list(connectable.execute(select(Licence.certificate_key)
                                    .order_by(Licence.certificate_key)).scalars())


def logged_changes(connectable) -> int:
    return connectable.execute(select(func.count()).select_from(AppliedChange)).scalar_one()


def test_a_signed_change_with_an_object_name_or_a_list_sex_is_rejected_and_the_rest_applies(
        national):
    batch = [issue(1, holder_name={"a": 1}), issue(2, sex=["男"]), issue(3)]
    response = post_signed(national, batch)
    assert response.status_code == 200 and response.is_json
    results = response.get_json()["results"]
    assert [r["outcome"] for r in results] == ["rejected", "rejected", "applied"]
    assert "holder_name" in results[0]["error"] and "dict" in results[0]["error"]
    assert "sex" in results[1]["error"] and "list" in results[1]["error"]
    with national.extensions["certsim"].engine.connect() as connection:
        assert stored_keys(connection) == ["20240000000003"]
        assert logged_changes(connection) == 1


@pytest.mark.parametrize("field, value", [
    ("holder_name", {"a": 1}), ("sex", ["男"]), ("holder_name", 12), ("authority", None),
    ("sex", "男性别"), ("holder_name", "张" * 65), ("status_reason", "理" * 201),
    ("licence_version", True), ("licence_version", "1"), ("licence_version", 2**31),
    ("licence_version", 1.0), ("valid_to", "2030-13-45"), ("valid_to", 20300927),
    ("valid_to", None), ("valid_to", ""), ("valid_from", "２０２４-０９-２７"),
    ("valid_from", "20240927"), ("review_due_on", "2027-W39-1"), ("review_passed_on", []),
])
def test_a_face_field_the_column_cannot_hold_is_rejected_naming_it_and_nothing_is_written(
        session, clock, field, value):
    [result] = apply_changes(session, clock, [issue(1, **{field: value})])
    assert result.outcome == "rejected" and result.error.startswith(f"licence field {field}:")
    assert stored_keys(session) == [] and logged_changes(session) == 0


@pytest.mark.parametrize("kind", [[], {"a": 1}, None, 5])
def test_a_change_whose_kind_is_not_text_is_rejected_not_a_crash(session, clock, kind):
    [result] = apply_changes(session, clock, [issue(1) | {"kind": kind}])
    assert (result.outcome, result.error) == ("rejected", f"unknown kind {kind!r}")
    assert stored_keys(session) == []


def test_a_signed_batch_nested_deeper_than_any_parser_goes_is_refused_not_a_crash(national):
    deep = b"[" * 100_000 + b"]" * 100_000
    body = b'{"changes": [{"change_id": "c1", "payload": {"licence": {"reviews": ' + deep + b"}}}]}"
    headers = sign_request(SECRET, "POST", "/api/v1/ingest", body, now=wall_now())
    response = national.test_client().post("/api/v1/ingest", data=body, headers=headers,
                                            content_type="application/json")
    assert response.status_code == 400 and response.get_json()["field"] == "body"
    with national.extensions["certsim"].engine.connect() as connection:
        assert stored_keys(connection) == [] and logged_changes(connection) == 0


def test_a_missing_face_field_is_rejected_naming_it(session, clock):
    change = issue(1)
    del change["payload"]["licence"]["sex"]
    [result] = apply_changes(session, clock, [change])
    assert (result.outcome, result.error) == ("rejected", "licence field sex is missing")
    assert stored_keys(session) == []


def test_nullable_fields_take_null_and_the_longest_values_the_columns_hold(session, clock):
    change = issue(1, review_due_on=None, status_reason="理" * 200, holder_name="张" * 64)
    assert [r.outcome for r in apply_changes(session, clock, [change])] == ["applied"]
    assert stored_keys(session) == ["20240000000001"]


@pytest.mark.parametrize("header, value", [("seq", True), ("revision", 2**40), ("revision", -1),
                                           ("change_id", "c" * 33), ("certificate_key", 7)])
def test_a_change_header_its_column_cannot_hold_refuses_the_batch_before_writing(
        session, clock, header, value):
    with pytest.raises(InvalidInput):
        apply_changes(session, clock, [issue(1), issue(2) | {header: value}])
    assert stored_keys(session) == [] and logged_changes(session) == 0
