"""自然人用户登录 on the ministry portal: phone or ID number, lockout, expiry on the portal's
clock, 退出系统; pages and JSON API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.mem import ApiDriver, PageDriver, make_test_app

PHONE, NAME, ID_NUMBER, PASSWORD = "13912345678", "张三", "110101199003070011", "Abc@2024x"


@pytest.fixture
def app(db_url_factory, clock):
    app = make_test_app(db_url_factory("mem"), clock)
    ApiDriver(app.test_client()).register(PHONE, NAME, ID_NUMBER, PASSWORD)
    return app


@pytest.fixture
def api(app) -> ApiDriver:
    return ApiDriver(app.test_client())


@pytest.fixture
def pages(app) -> PageDriver:
    return PageDriver(app.test_client())


def test_a_holder_logs_in_by_phone_or_id_number_and_gets_a_thirty_minute_token(api):
    by_phone = api.login(PHONE, PASSWORD)
    assert by_phone["account"]["name"] == NAME
    assert by_phone["expires_at"] == "2024-09-27T17:30:00+08:00"
    assert api.login(ID_NUMBER.lower()[:-1] + ID_NUMBER[-1], PASSWORD)["account"]["id"] == \
        by_phone["account"]["id"]
    assert api.ok("GET", "/api/v1/account")["account"]["phone"] == "139****5678"


def test_a_wrong_password_says_how_many_tries_are_left_then_locks_for_thirty_minutes(api, clock):
    messages = [api.call("POST", "/api/v1/login", {"login": PHONE, "password": "wrong"})
                for _ in range(5)]
    assert [status for status, _ in messages] == [401, 401, 401, 401, 423]
    assert messages[0][1]["message"] == "用户名或密码错误，还可尝试4次"
    assert messages[4][1] == {"error": "locked", "field": "login",
                              "message": "密码错误次数过多，账户已锁定30分钟"}
    clock.advance(timedelta(seconds=1))
    status, body = api.call("POST", "/api/v1/login", {"login": PHONE, "password": PASSWORD})
    assert (status, body["message"]) == (423, "密码错误次数过多，账户已锁定，请30分钟后再试")
    clock.advance(timedelta(minutes=30))
    assert api.login(PHONE, PASSWORD)["account"]["name"] == NAME


def test_an_unknown_login_is_refused_without_saying_which_part_was_wrong(api):
    status, body = api.call("POST", "/api/v1/login", {"login": "13000000000", "password": "x"})
    assert (status, body["error"], body["message"]) == (401, "bad_credentials",
                                                         "用户名或密码错误，还可尝试4次")


def test_the_token_expires_after_thirty_minutes_of_portal_time(api, clock):
    api.login(PHONE, PASSWORD)
    clock.advance(timedelta(minutes=30))
    assert api.call("GET", "/api/v1/account")[0] == 200
    clock.advance(timedelta(seconds=1))
    status, body = api.call("GET", "/api/v1/account")
    assert (status, body["error"], body["message"]) == (401, "not_logged_in", "登录已超时，请重新登录")


def test_logout_ends_the_token_at_once(api):
    api.login(PHONE, PASSWORD)
    api.ok("POST", "/api/v1/logout")
    assert api.call("GET", "/api/v1/account")[1]["error"] == "not_logged_in"


def test_a_forged_or_missing_token_is_not_logged_in(api):
    token = api.login(PHONE, PASSWORD)["token"]
    assert api.call("GET", "/api/v1/account", token=token[:-2] + "xx")[1]["error"] == \
        "not_logged_in"
    api.token = None
    assert api.call("GET", "/api/v1/account")[0] == 401


def test_an_account_that_never_finished_its_face_check_is_sent_back_to_it(app):
    api = ApiDriver(app.test_client())
    created = api.ok("POST", "/api/v1/register",
                     api.register_form("13700000000", "李梅", "110102198505120025", PASSWORD))
    status, body = api.call("POST", "/api/v1/login", {"login": "13700000000", "password": PASSWORD})
    assert (status, body["error"]) == (403, "identity_not_verified")
    assert body["face_check"]["purpose"] == "register"
    assert body["face_check"]["token"] != created["face_check"]["token"]


def test_the_login_page_logs_in_and_the_user_centre_greets_the_holder(pages):
    answer = pages.login(PHONE, PASSWORD)
    assert answer.status_code == 302 and answer.headers["Location"] == "/space"
    html = pages.client.get("/space").get_data(as_text=True)
    assert "您好，张三" in html and "欢迎您登录个人中心" in html
    for entry in ("我的首页", "我的证照", "我的办件", "我的消息", "我的收藏", "我的评价", "我的咨询",
                  "我的投诉", "我的材料", "我的快递", "亲友管理", "退出系统"):
        assert entry in html


def test_the_session_cookie_is_http_only_and_same_site(pages):
    answer = pages.login(PHONE, PASSWORD)
    cookie = answer.headers["Set-Cookie"]
    assert "mem_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_wrong_password_on_the_page_shows_the_message_and_keeps_the_login(pages):
    html = pages.login(PHONE, "wrong").get_data(as_text=True)
    assert "用户名或密码错误，还可尝试4次" in html and f'value="{PHONE}"' in html


def test_the_page_session_expires_on_the_portal_clock(pages, clock):
    pages.login(PHONE, PASSWORD)
    clock.advance(timedelta(minutes=31))
    answer = pages.client.get("/space")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=")


def test_the_page_session_lasts_thirty_minutes_after_the_last_request(pages, clock):
    pages.login(PHONE, PASSWORD)
    for _ in range(3):
        clock.advance(timedelta(minutes=20))
        assert pages.client.get("/space").status_code == 200
    clock.advance(timedelta(minutes=30, seconds=1))
    assert pages.client.get("/space").status_code == 302
    assert "登录已超时，请重新登录" in pages.client.get("/login").get_data(as_text=True)


def test_logout_from_the_menu_ends_the_session(pages):
    pages.login(PHONE, PASSWORD)
    answer = pages.submit("/logout", {}, page="/space")
    assert answer.headers["Location"] == "/"
    assert pages.client.get("/space").status_code == 302
    assert "【您未登录】" in pages.client.get("/").get_data(as_text=True)


def test_after_login_the_holder_returns_to_the_page_asked_for(pages):
    assert pages.client.get("/space/messages").headers["Location"] == "/login?next=/space/messages"
    answer = pages.submit("/login?next=/space/messages", {"login": PHONE, "password": PASSWORD},
                          page="/login")
    assert answer.headers["Location"] == "/space/messages"
    assert pages.submit("/login?next=//evil.example/", {"login": PHONE, "password": PASSWORD},
                        page="/login").headers["Location"] == "/space"


def test_an_incomplete_registration_is_resumed_from_the_login_page(app):
    api, pages = ApiDriver(app.test_client()), PageDriver(app.test_client())
    api.ok("POST", "/api/v1/register",
           api.register_form("13700000000", "李梅", "110102198505120025", PASSWORD))
    answer = pages.login("13700000000", PASSWORD)
    assert answer.headers["Location"] == "/register/verify?incomplete=1"
    html = pages.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "您的账户尚未完成实人认证" in html
