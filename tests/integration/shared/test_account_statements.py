"""How many SQL statements the account calls cost (issue 15): counted, never timed.

A login counts its try in one atomic upsert (the name's first try makes its row) and
opens the login with one INSERT; an API call
reads its login and account in one query; a logout is one UPDATE.
"""

from __future__ import annotations

import pytest
from support.national import ZHANG, Api, make_app
from support.statements import sql_sent


@pytest.fixture
def api(db_url_factory, clock):
    api = Api(make_app(db_url_factory("national"), clock))
    assert api.register().status_code == 201
    return api


def counted(api: Api):
    """Count the statements sent to the portal's database inside the block."""
    return sql_sent(api.client.application.extensions["certsim"].engine)


def test_a_login_costs_a_lookup_its_counted_try_a_reset_and_the_new_login(api):
    api.login()  # the name's first try adds its row of tries
    with counted(api) as statements:
        assert api.login().status_code == 200
    assert len(statements) == 4, statements


def test_a_name_without_tries_yet_gets_its_row_in_the_statement_that_counts_the_try(api):
    with counted(api) as statements:
        assert api.login().status_code == 200
    assert len(statements) == 4, statements
    assert "ON CONFLICT" in statements[1], statements


def test_an_api_call_reads_its_login_and_account_in_one_query(api):
    api.login()
    with counted(api) as statements:
        assert api.get("/api/v1/account").json["account"]["name"] == ZHANG.name
    assert len(statements) == 1, statements


def test_a_logout_is_one_update_after_reading_the_login(api):
    api.login()
    with counted(api) as statements:
        assert api.post("/api/v1/logout").status_code == 200
    assert len(statements) == 2, statements
    assert api.get("/api/v1/account").status_code == 401
