"""Feed pages pass through the replicator undecoded: the head is read, the changes forwarded."""

import orjson

from sync.pages import PassedChanges, split_page
from sync.transport import decode, encode

CHANGES = [{"seq": 4, "change_id": "a" * 32, "payload": {"licence": {"holder_name": "张三"}}},
           {"seq": 9, "change_id": "b" * 32, "payload": {"kind": '","changes":["'}}]


def page(changes=CHANGES, ids=None) -> bytes:
    head = {"next_after": 9, "until": "2024-10-08T00:00:00+08:00", "next_due_at": None,
            "ids": [[c["seq"], c["change_id"]] for c in changes] if ids is None else ids}
    return orjson.dumps(head)[:-1] + b',"changes":' + orjson.dumps(changes) + b"}"


def test_a_head_first_page_keeps_its_changes_as_the_bytes_received():
    answer = split_page(page())
    assert answer["next_after"] == 9 and "ids" not in answer
    assert answer["changes"].ids == [(4, "a" * 32), (9, "b" * 32)]
    assert answer["changes"].raw == orjson.dumps(CHANGES)
    assert list(answer["changes"]) == CHANGES and len(answer["changes"]) == 2


def test_passed_changes_are_sent_on_byte_for_byte():
    changes = split_page(page())["changes"]
    _, body = encode("/api/v1/ingest", None, {"changes": changes})
    assert body == b'{"changes":' + orjson.dumps(CHANGES) + b"}"


def test_a_page_in_the_whole_shape_is_decoded_whole():
    whole = orjson.dumps({"changes": CHANGES, "next_after": 9, "until": "x", "next_due_at": None})
    assert split_page(whole) is None
    answer = decode("mem", 200, whole, page=True)
    assert isinstance(answer["changes"], PassedChanges)
    assert answer["changes"].ids == [(4, "a" * 32), (9, "b" * 32)]
    assert orjson.loads(answer["changes"].raw) == CHANGES


def test_a_head_without_well_formed_ids_is_not_split():
    assert split_page(page(ids=[[4]])) is None
    assert split_page(page(ids=[["4", "a" * 32]])) is None
    assert split_page(b'{"x":{"y":1,"changes":[1]}') is None


def test_an_empty_page_splits_into_no_changes():
    answer = split_page(page([]))
    assert len(answer["changes"]) == 0 and answer["changes"].raw == b"[]"
