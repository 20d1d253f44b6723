"""The portals' cookie sessions skip the work of a request that has no session, and only that."""

import pytest

import mem_portal
import national_portal

FACTORIES = {"mem": mem_portal.create_app, "national": national_portal.create_app}
COOKIES = {"mem": "mem_session", "national": "national_session"}
LOGIN_FORMS = {"mem": "/login", "national": "/login/personal"}  # each puts a CSRF token in it


@pytest.fixture(params=["mem", "national"])
def portal(request, tmp_path, clock):
    app = FACTORIES[request.param]({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
                                   clock=clock)
    return request.param, app


def test_a_call_without_cookies_gets_no_cookie_and_no_vary(portal):
    _, app = portal
    answer = app.test_client().get("/api/v1/account")  # no token: refused, as JSON
    assert answer.status_code == 401
    assert "Set-Cookie" not in answer.headers
    assert "Cookie" not in answer.headers.get("Vary", "")


def test_a_page_that_writes_the_session_still_sets_its_cookie(portal):
    name, app = portal
    client = app.test_client()
    page = client.get(LOGIN_FORMS[name])
    assert page.status_code == 200
    assert f"{COOKIES[name]}=" in page.headers.get("Set-Cookie", "")
    assert "Cookie" in page.headers.get("Vary", "")


def test_a_session_sent_back_is_read_and_kept(portal):
    name, app = portal
    client = app.test_client()
    client.get(LOGIN_FORMS[name])
    cookie = client.get_cookie(COOKIES[name])
    assert cookie is not None
    again = client.get(LOGIN_FORMS[name])  # the same token: the session was read and kept
    assert again.status_code == 200
    assert client.get_cookie(COOKIES[name]).value == cookie.value
