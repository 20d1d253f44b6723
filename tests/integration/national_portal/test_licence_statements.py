"""What 绑定证照, 查看详情 and 解除绑定 cost in SQL on the licence tables, counted (not timed).

Only statements naming a licence table are counted: the login's are the web kit's.
"""

from __future__ import annotations

import pytest
from support.statements import sql_sent

from shared.web.resources import resources


@pytest.fixture
def engine(app):
    with app.app_context():
        return resources().engine


def on_licence_tables(sent: list[str]) -> int:
    return sum("licence" in sql for sql in sent)


def test_binding_reads_the_holders_licences_once_inserts_and_lists(app, engine, holder, ministry):
    ministry.issue()
    ministry.issue(item="高压电工作业")
    ministry.deliver(app)
    with sql_sent(engine) as sent:
        assert len(holder.bind().json["bound"]) == 2
    # the licences with their open bindings, one insert of both, the list
    assert on_licence_tables(sent) == 3
    with sql_sent(engine) as sent:
        assert holder.bind().json["bound"] == []
    assert on_licence_tables(sent) == 2


def test_details_and_unbinding_find_the_binding_in_one_statement(app, engine, holder, ministry):
    key = ministry.issue()
    ministry.deliver(app)
    holder.bind()
    with sql_sent(engine) as sent:
        assert holder.get(f"/api/v1/licences/{key}").status_code == 200
    assert on_licence_tables(sent) == 2  # the binding with its licence, the history
    with sql_sent(engine) as sent:
        assert holder.delete(f"/api/v1/licences/{key}/binding").status_code == 200
    assert on_licence_tables(sent) == 2  # the binding, its update (no ORM flush)
