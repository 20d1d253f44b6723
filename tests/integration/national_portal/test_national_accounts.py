"""National portal accounts: 个人注册, 个人用户登录 with lockout, tokens and page sessions on the portal clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.national import CSRF, PASSWORD, ZHANG, Api, Browser, Holder


@pytest.fixture
def api(app):
    return Api(app)


def test_registration_through_the_api_needs_no_image_captcha(api):
    response = api.register()
    assert response.status_code == 201
    assert response.json["account"] == {"id": response.json["account_id"], "name": "张三",
                                        "phone": "138****8000", "id_number": "110101********0011",
                                        "identity_verified": False}
    assert "face_check" not in response.json


def test_registration_names_every_wrong_field_and_creates_nothing(api):
    response = api.register(id_number="110101199003070012", password="abcdefgh",
                            confirm_password="abcdefgh", agree=False, sms_code="000000")
    assert response.status_code == 400
    assert response.json["error"] == "invalid_input"
    assert set(response.json["errors"]) == {"id_number", "password", "agree", "sms_code"}
    assert response.json["errors"]["id_number"] == "身份证号校验位不正确"
    assert api.client.get("/_sim/info").json["counts"]["accounts"] == 0


def test_registration_accepts_long_term_id_validity_as_null(api):
    assert api.register(id_valid_from=None).status_code == 201


def test_registration_without_the_id_validity_start_names_that_field(api):
    api.post("/api/v1/sms-codes", {"phone": ZHANG.phone, "purpose": "register"})
    response = api.post("/api/v1/register", {"phone": ZHANG.phone, "name": ZHANG.name,
                                             "id_number": ZHANG.id_number, "password": PASSWORD,
                                             "confirm_password": PASSWORD, "agree": True,
                                             "sms_code": api.sms_code(ZHANG.phone)})
    assert response.status_code == 400
    assert response.json["field"] == "id_valid_from"


def test_registering_the_same_id_number_twice_is_a_duplicate(api):
    api.register()
    response = api.register(Holder(ZHANG.name, ZHANG.id_number, "13900139000"))
    assert response.status_code == 409
    assert response.json["errors"] == {"id_number": "该身份证号已注册"}


def test_sms_code_is_refused_for_a_registered_phone(api):
    api.register()
    response = api.post("/api/v1/sms-codes", {"phone": ZHANG.phone, "purpose": "register"})
    assert response.status_code == 409
    assert response.json == {"error": "duplicate", "field": "phone", "message": "该手机号码已注册"}


def test_sms_code_for_a_malformed_phone_names_the_phone(api):
    response = api.post("/api/v1/sms-codes", {"phone": "12345", "purpose": "register"})
    assert response.status_code == 400
    assert response.json["field"] == "phone"


def test_login_by_phone_or_id_number_returns_a_token(api):
    api.register()
    assert api.login(ZHANG.phone).status_code == 200
    response = api.login(ZHANG.id_number.lower())
    assert response.status_code == 200
    assert api.get("/api/v1/account").json["account"]["name"] == "张三"


def test_wrong_password_says_how_many_tries_are_left(api):
    api.register()
    response = api.login(password="Wrong1234")
    assert response.status_code == 401
    assert response.json["error"] == "bad_credentials"
    assert response.json["message"] == "用户名或密码错误，还可尝试4次"


def test_five_wrong_passwords_lock_the_account_for_thirty_minutes(api, clock):
    api.register()
    for _ in range(5):
        response = api.login(password="Wrong1234")
    assert response.status_code == 423
    assert api.login().status_code == 423
    clock.advance(timedelta(minutes=31))
    assert api.login().status_code == 200


def test_token_expires_thirty_minutes_after_login_on_the_portal_clock(api, clock):
    api.register()
    api.login()
    clock.advance(timedelta(minutes=29))
    assert api.get("/api/v1/licences").status_code == 200
    clock.advance(timedelta(minutes=2))
    response = api.get("/api/v1/licences")
    assert response.status_code == 401
    assert response.json["message"] == "登录已超时，请重新登录"


def test_logout_ends_the_token(api):
    api.register()
    api.login()
    assert api.post("/api/v1/logout").json == {"logged_out": True}
    assert api.get("/api/v1/licences").status_code == 401


def test_a_forged_or_missing_token_is_not_logged_in(api):
    api.register()
    api.login()
    api.token = api.token[:-2] + "xx"
    assert api.get("/api/v1/licences").json["error"] == "not_logged_in"
    api.token = None
    assert api.get("/api/v1/licences").status_code == 401


def test_a_body_that_is_not_a_json_object_is_invalid_input(api):
    response = api.client.post("/api/v1/login", data="login=1", content_type="text/plain")
    assert response.status_code == 400
    assert response.json["error"] == "invalid_input"


def test_page_registration_sends_the_code_then_registers(app):
    browser = Browser(app)
    form = {"name": "张三", "id_number": ZHANG.id_number, "id_valid_from": "", "id_long_term": "1",
            "phone": ZHANG.phone, "password": PASSWORD, "confirm_password": PASSWORD,
            "agree": "1"}
    sent = browser.submit("/register", form | {"action": "send_sms"})
    assert "验证码已发送至138****8000" in sent.get_data(as_text=True)
    code = Api(app).sms_code(ZHANG.phone)
    done = browser.submit("/register", form | {"action": "register", "sms_code": code})
    assert done.status_code == 200
    assert "注册成功" in done.get_data(as_text=True)


def test_page_registration_shows_field_errors_in_chinese(app):
    response = Browser(app).submit("/register", {"action": "register", "name": "Zhang",
                                                 "phone": "13800138000", "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("真实姓名应为2至16个汉字", "请选择身份证有效开始时间，或勾选长期有效"):
        assert message in page


def test_page_login_opens_the_personal_space_and_logout_closes_it(app):
    Api(app).register()
    browser = Browser(app)
    response = browser.login(follow_redirects=True)
    assert "欢迎您登录个人专属服务空间" in response.get_data(as_text=True)
    page = browser.get("/space").get_data(as_text=True)
    logout = browser.submit("/space", {}, action="/logout", follow_redirects=True)
    assert "您已安全退出" in logout.get_data(as_text=True)
    assert browser.get("/space").status_code == 302
    assert "退出系统" in page


def test_page_login_failure_keeps_the_login_and_says_why(app):
    Api(app).register()
    response = Browser(app).login(password="Wrong1234")
    assert response.status_code == 400
    assert "用户名或密码错误，还可尝试4次" in response.get_data(as_text=True)


def test_page_session_ends_after_thirty_idle_minutes_of_portal_time(app, clock):
    Api(app).register()
    browser = Browser(app)
    browser.login()
    clock.advance(timedelta(minutes=25))
    assert browser.get("/space").status_code == 200
    clock.advance(timedelta(minutes=25))
    assert browser.get("/space").status_code == 200
    clock.advance(timedelta(minutes=31))
    response = browser.get("/space")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/personal")


def test_a_form_post_without_the_csrf_token_is_refused(app):
    Api(app).register()
    response = app.test_client().post("/login/personal",
                                      data={"login": ZHANG.phone, "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)


def test_every_page_of_a_login_carries_the_token_signed_on_its_first_and_logout_accepts_it(app):
    Api(app).register()
    browser = Browser(app)
    browser.login()
    first = CSRF.search(browser.get("/space").get_data(as_text=True)).group(1)
    later = CSRF.search(browser.get("/space/licences").get_data(as_text=True)).group(1)
    assert later == first
    assert browser.client.post("/logout", data={"csrf_token": later}).status_code == 302
    assert browser.get("/space").status_code == 302  # logged out: back to the login page


def test_the_session_cookie_is_http_only_and_named_for_this_portal(app):
    Api(app).register()
    response = Browser(app).login()
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("national_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_page_refused_for_a_mismatch_keeps_the_sms_code_for_the_next_submit(app):
    browser = Browser(app)
    form = {"name": "张三", "id_number": ZHANG.id_number, "id_long_term": "1",
            "phone": ZHANG.phone, "password": PASSWORD, "agree": "1", "action": "register"}
    browser.submit("/register", form | {"action": "send_sms"})
    code = Api(app).sms_code(ZHANG.phone)
    refused = browser.submit("/register", form | {"sms_code": code,
                                                  "confirm_password": PASSWORD + "x"})
    page = refused.get_data(as_text=True)
    assert '<div class="field-error" data-field="confirm_password">两次输入的密码不一致</div>' in page
    assert f'value="{code}"' in page
    done = browser.submit("/register", form | {"sms_code": code, "confirm_password": PASSWORD})
    assert "注册成功" in done.get_data(as_text=True)


def test_a_refused_password_shows_its_rule_once_as_the_error(app):
    page = Browser(app).submit("/register", {"action": "register", "password": "short"}) \
        .get_data(as_text=True)
    assert page.count("密码长度8-20位，由数字、字母或符号") == 1
    assert '<div class="field-error" data-field="password">密码长度8-20位' in page


def test_an_empty_page_login_asks_for_the_user_name_and_the_password(app):
    response = Browser(app).submit("/login/personal", {"login": "", "password": ""})
    page = response.get_data(as_text=True)
    assert '<div class="field-error" data-field="login">请输入手机号码或身份证号</div>' in page
    assert '<div class="field-error" data-field="password">请输入密码</div>' in page
    assert "用户名或密码错误" not in page
