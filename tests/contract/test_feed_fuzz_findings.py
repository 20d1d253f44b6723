"""What schemathesis found in the replication feed's views (mem_portal/replication.py,
shared/outbox.py), each fixed and held here: a signed call with a field of the wrong type is a
400 naming the field, not a crash or a silent coercion.
"""

from __future__ import annotations

import json

import pytest
from support.mem import make_test_app

from shared.clock import wall_now
from shared.wire import sign_request

SECRET = "open-findings-sync-secret-0123456789"


@pytest.fixture
def mem(tmp_path, clock):
    return make_test_app(f"sqlite:///{tmp_path / 'mem.sqlite3'}", clock, SYNC_SECRET=SECRET)


def signed(app, method: str, target: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else b""
    headers = sign_request(SECRET, method, target, data, now=wall_now())
    return app.test_client().open(target, method=method, data=data, headers=headers,
                                  content_type="application/json")


def test_the_feed_refuses_an_after_no_row_can_have_naming_it(mem):
    answer = signed(mem, "GET", "/api/v1/changes?after=" + "9" * 30)
    assert (answer.status_code, answer.get_json()["field"]) == (400, "after")


def test_a_rejection_report_refuses_max_attempts_that_is_not_a_whole_number(mem):
    answer = signed(mem, "POST", "/api/v1/changes/nack", {"failures": [], "max_attempts": {}})
    assert (answer.status_code, answer.get_json()["field"]) == (400, "max_attempts")


def test_a_rejection_report_refuses_an_error_that_is_not_text(mem):
    answer = signed(mem, "POST", "/api/v1/changes/nack",
                    {"failures": [{"change_id": "c1", "error": {}}], "max_attempts": 5})
    assert (answer.status_code, answer.get_json()["field"]) == (400, "failures")


def test_the_lease_refuses_a_report_that_is_not_an_object(mem):
    answer = signed(mem, "POST", "/api/v1/changes/lease",
                    {"holder": "r1", "ttl": 0, "report": [None]})
    assert (answer.status_code, answer.get_json()["field"]) == (400, "report")


def test_the_lease_refuses_a_holder_or_ttl_of_another_type(mem):
    for body, field in (({"holder": 7, "ttl": 60}, "holder"), ({"holder": "r1", "ttl": "60"}, "ttl")):
        answer = signed(mem, "POST", "/api/v1/changes/lease", body)
        assert (answer.status_code, answer.get_json()["field"]) == (400, field)


def test_the_lease_refuses_a_null_report(mem):
    answer = signed(mem, "POST", "/api/v1/changes/lease", {"holder": "r1", "ttl": 0, "report": None})
    assert (answer.status_code, answer.get_json()["field"]) == (400, "report")
