"""What 绑定证照, 查看详情 and 解除绑定 cost in SQL on the licence tables, counted (not timed).

Only statements naming a licence table are counted: the login's are the web kit's.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event
from support.national import ZHANG, Api, Ministry, make_app

from shared.web.resources import resources


@pytest.fixture
def app(db_url_factory, clock):
    return make_app(db_url_factory("national"), clock)


@pytest.fixture
def ministry(db_url_factory, clock):
    return Ministry(db_url_factory("mem"), clock)


@pytest.fixture
def holder(app):
    return Api(app).signed_up(ZHANG)


@contextmanager
def counted(app):
    """Count the statements on the licence tables while the block runs."""
    counts = {"statements": 0}

    def statement(_conn, _cursor, sql, *_):
        counts["statements"] += "licence" in sql

    with app.app_context():
        engine = resources().engine
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", statement)


def test_binding_reads_the_holders_licences_once_inserts_and_lists(app, holder, ministry):
    ministry.issue()
    ministry.issue(item="高压电工作业")
    ministry.deliver(app)
    with counted(app) as counts:
        assert len(holder.bind().json["bound"]) == 2
    # the licences with their open bindings, one insert of both, the list
    assert counts["statements"] == 3
    with counted(app) as counts:
        assert holder.bind().json["bound"] == []
    assert counts["statements"] == 2


def test_details_and_unbinding_find_the_binding_in_one_statement(app, holder, ministry):
    key = ministry.issue()
    ministry.deliver(app)
    holder.bind()
    with counted(app) as counts:
        assert holder.get(f"/api/v1/licences/{key}").status_code == 200
    assert counts["statements"] == 2  # the binding with its licence, the history
    with counted(app) as counts:
        assert holder.delete(f"/api/v1/licences/{key}/binding").status_code == 200
    assert counts["statements"] == 2  # the binding, its update (no ORM flush)
