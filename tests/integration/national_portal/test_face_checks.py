"""The national apply's two readers of a batch agree: the typed one (msgspec, the path
replication takes) reads exactly the changes the field-by-field checks accept, the same way,
and hands everything else to them."""

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from national_portal.services.changes import check_change
from national_portal.services.incoming import read_body, read_change
from shared.certificates import FACE_FIELDS
from shared.errors import InvalidInput

SMALL = st.integers(min_value=-2**40, max_value=2**40)  # what JSON from orjson carries
WIRE_VALUES = st.one_of(
    st.none(), st.booleans(), SMALL,
    st.sampled_from([2**31 - 1, 2**31, -2**31, -2**31 - 1, 0]), st.floats(allow_nan=False),
    st.text(max_size=140), st.sampled_from(["2024-09-27", "2024-02-30", "20240927", "2024-W01-1",
                                            "２０２４-09-27", "2024-9-27 ", "男" * 2, "张" * 65]),
    st.dates().map(lambda day: day.isoformat()), st.lists(SMALL, max_size=2),
    st.dictionaries(st.text(max_size=3), SMALL, max_size=1))
HEADER = ("change_id", "seq", "kind", "certificate_key", "revision")


def valid_change() -> dict:
    licence = {
        "certificate_key": "20240000000001", "licence_id": "1.2.156.3005.2.X.Y.20240000000001",
        "licence_version": 1, "revision": 1, "holder_name": "张三",
        "holder_id_number": "110101199003070011", "sex": "男", "cert_number": "110101199003070011",
        "category": "电工作业", "item": "低压电工作业", "first_issued_on": "2024-09-27",
        "issued_on": "2024-09-27", "valid_from": "2024-09-27", "valid_to": "2030-09-27",
        "review_due_on": "2027-09-27", "review_passed_on": None, "authority": "北京市应急管理局",
        "authority_code": "11110000MB0177810M", "region_code": "110000",
        "archive_code": "110000202400000001", "card_version": "new", "status": "valid",
        "status_reason": None, "rule_set": "order30",
        "reviews": [{"reviewed_on": "2027-09-01", "result": "pass"}]}
    return {"seq": 1, "change_id": "c1", "kind": "issued", "certificate_key": "20240000000001",
            "revision": 1, "created_at": "2024-09-27T09:00:00+00:00",
            "visible_at": "2024-10-07T16:00:00+00:00",
            "payload": {"kind": "issued", "licence": licence}}


def read_as_dicts(change: dict):
    """The field-by-field reader: the change as the apply reads it, or the batch's refusal."""
    try:
        check_change(change)
    except InvalidInput as exc:
        return exc
    return read_change(change)


def read_typed(change: dict):
    return read_body(orjson.dumps({"changes": [change]}))


def test_a_change_as_the_ministry_sends_it_is_read_by_the_typed_reader_as_by_the_checks():
    change = valid_change()
    assert read_typed(change) == [read_as_dicts(change)]
    assert read_as_dicts(change).problem is None
    assert orjson.loads(read_as_dicts(change).stored) == {
        "kind": "issued", "licence": {"reviews": [{"reviewed_on": "2027-09-01",
                                                   "result": "pass"}]}}


@given(st.dictionaries(st.sampled_from(FACE_FIELDS), WIRE_VALUES, max_size=3),
       st.dictionaries(st.sampled_from(HEADER), WIRE_VALUES, max_size=2),
       st.sets(st.sampled_from([*FACE_FIELDS, "reviews"]), max_size=1),
       st.booleans(), st.booleans())
def test_the_typed_reader_reads_what_the_checks_accept_the_same_way_and_nothing_else(
        fields, header, missing, extra_field, kind_later):
    change = valid_change()
    licence = change["payload"]["licence"]
    licence.update(fields)
    change.update(header)
    for name in missing:
        del licence[name]
    if extra_field:
        licence["photo"] = "…"
    if kind_later:  # the payload's keys in another order
        change["payload"] = {"licence": licence, "kind": "issued"}
    change = orjson.loads(orjson.dumps(change))  # what the bytes carry (inf travels as null)
    typed, checked = read_typed(change), read_as_dicts(change)
    if typed is not None:  # taken by the typed reader: exactly as the checks read it
        assert not isinstance(checked, Exception)
        [read] = typed
        assert read._replace(stored=None) == checked._replace(stored=None)
        assert (read.stored is None) == (checked.stored is None)
        if read.stored is not None:
            assert orjson.loads(read.stored) == orjson.loads(checked.stored)
    else:  # refused by the types: only what the checks refuse, or a shape they must read
        assert isinstance(checked, Exception) or checked.problem is not None or extra_field \
            or "reviews" in missing or not isinstance(licence.get("reviews", []), list)


@pytest.mark.parametrize("body", [b"[]", b"{}", b'{"changes": 5}', b"not json",
                                  b'{"changes": [{"change_id": "c1"}]}'])
def test_a_body_the_types_refuse_is_left_to_the_checks(body):
    assert read_body(body) is None
