"""The portals write and read JSON through orjson, as Flask's own provider would."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import jsonify

import mem_portal
import national_portal

FACTORIES = {"mem": mem_portal.create_app, "national": national_portal.create_app}


@pytest.fixture(params=["mem", "national"])
def app(request, tmp_path, clock):
    return FACTORIES[request.param]({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
                                    clock=clock)


@dataclass
class Figure:
    name: str
    count: int


def test_an_answer_has_sorted_keys_readable_chinese_and_a_final_newline(app):
    with app.test_request_context():
        body = jsonify({"b": "低压电工作业", "a": [1, 2.5, None, True]}).get_data()
    assert body == '{"a":[1,2.5,null,true],"b":"低压电工作业"}\n'.encode()


def test_dates_and_dataclasses_are_written_as_flask_writes_them(app):
    value = {"at": datetime(2024, 10, 8, 9, 30, tzinfo=UTC), "on": date(2024, 10, 8),
             "figure": Figure("delivered", 3)}
    with app.test_request_context():
        ours = json.loads(jsonify(value).get_data())
    assert ours == {"at": "Tue, 08 Oct 2024 09:30:00 GMT", "on": "Tue, 08 Oct 2024 00:00:00 GMT",
                    "figure": {"name": "delivered", "count": 3}}


def test_what_orjson_cannot_write_is_written_by_the_standard_library(app):
    huge = 10**30  # beyond 64 bits (read back, orjson makes it a float: not an integer)
    assert json.loads(app.json.dumps({"after": huge})) == {"after": huge}
    with app.test_request_context():
        assert jsonify({"after": huge}).get_data() == b'{"after":%d}\n' % huge


def test_a_body_that_is_not_json_is_refused_as_bad_input(app):
    answer = app.test_client().post("/api/v1/login", data=b'{"phone": NaN',
                                    content_type="application/json")
    assert 400 <= answer.status_code < 500
    assert answer.is_json
