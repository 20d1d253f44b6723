"""自然人用户注册 on the ministry portal: 创建账户 → 实人认证 → 注册完成, pages and JSON API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.mem import CAPTCHA_IN_PAGE, ApiDriver, PageDriver, make_test_app

PHONE, NAME, ID_NUMBER, PASSWORD = "13912345678", "张三", "110101199003070011", "Abc@2024x"


@pytest.fixture
def app(db_url_factory, clock):
    return make_test_app(db_url_factory("mem"), clock)


@pytest.fixture
def api(app) -> ApiDriver:
    return ApiDriver(app.test_client())


@pytest.fixture
def pages(app) -> PageDriver:
    return PageDriver(app.test_client())


def register_errors(api: ApiDriver, **changes) -> dict:
    """Submit a registration with some fields changed; return the refused answer's errors."""
    status, body = api.call("POST", "/api/v1/register",
                            api.register_form(PHONE, NAME, ID_NUMBER, PASSWORD, changes))
    assert status in (400, 409), body
    return body["errors"]


def test_registration_through_the_api_needs_the_face_check_before_it_completes(api):
    created = api.ok("POST", "/api/v1/register",
                     api.register_form(PHONE, NAME, ID_NUMBER, PASSWORD))
    ticket = created["face_check"]
    assert ticket["state"] == "pending" and ticket["purpose"] == "register"
    assert ticket["app_url"] == f"http://mem.test/app/face/{ticket['token']}"
    status, body = api.call("POST", "/api/v1/register/complete", {"token": ticket["token"]})
    assert (status, body["error"]) == (403, "identity_not_verified")
    api.ok("POST", f"/_sim/face-checks/{ticket['token']}", {"outcome": "pass"})
    done = api.ok("POST", "/api/v1/register/complete", {"token": ticket["token"]})
    assert done["registered"] is True
    assert done["account"] == {"id": created["account_id"], "name": NAME, "phone": "139****5678",
                               "id_number": "110101********0011", "identity_verified": True}


def test_a_failed_registration_face_check_says_so(api):
    created = api.ok("POST", "/api/v1/register",
                     api.register_form(PHONE, NAME, ID_NUMBER, PASSWORD))
    token = created["face_check"]["token"]
    api.ok("POST", f"/_sim/face-checks/{token}", {"outcome": "fail"})
    status, body = api.call("POST", "/api/v1/register/complete", {"token": token})
    assert (status, body["error"]) == (403, "identity_failed")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", "1391234567", "请输入正确的11位手机号码"),
    ("name", "Zhang San", "真实姓名应为2至16个汉字"),
    ("id_number", "110101199003070012", "身份证号校验位不正确"),
    ("id_valid_from", "2024-13-01", "身份证有效开始时间格式应为YYYY-MM-DD"),
    ("id_valid_from", "2099-01-01", "身份证有效开始时间不能晚于今天"),
    ("password", "abcdefgh", "密码长度8-20位，由数字、字母或符号(`~!_@#$%*)两种以上组成"),
    ("password", "Abc 12345", "密码长度8-20位，由数字、字母或符号(`~!_@#$%*)两种以上组成"),
    ("confirm_password", "Abc@2024y", "两次输入的密码不一致"),
    ("captcha_answer", "0000", "图片验证码不正确"),
    ("sms_code", "000000", "短信验证码不正确，还可尝试4次"),
    ("agree", False, "请阅读并同意注册协议"),
])
def test_each_wrong_field_is_named_with_its_chinese_message(api, field, value, message):
    changes = {field: value, **({"confirm_password": value} if field == "password" else {})}
    errors = register_errors(api, **changes)
    assert errors == {"captcha" if field == "captcha_answer" else field: message}
    assert api.ok("GET", "/_sim/info")["counts"]["accounts"] == 0


def test_several_wrong_fields_are_reported_together_and_nothing_is_written(api):
    errors = register_errors(api, phone="12", name="", password="1", id_valid_from="someday")
    assert set(errors) == {"phone", "name", "password", "confirm_password", "id_valid_from"}
    assert api.ok("GET", "/_sim/info")["counts"]["accounts"] == 0


def test_an_expired_sms_code_is_refused_after_five_minutes_of_portal_time(api, clock):
    form = api.register_form(PHONE, NAME, ID_NUMBER, PASSWORD)
    clock.advance(timedelta(minutes=5, seconds=1))
    captcha = api.ok("GET", "/api/v1/captcha")
    answer = api.ok("GET", f"/_sim/captcha/{captcha['token']}")["answer"]
    status, body = api.call("POST", "/api/v1/register",
                            {**form, "captcha_token": captcha["token"], "captcha_answer": answer})
    assert body["errors"] == {"sms_code": "短信验证码已过期，请重新获取"}


def test_a_used_captcha_cannot_be_used_again(api):
    form = api.register_form(PHONE, NAME, ID_NUMBER, PASSWORD, {"agree": False})
    api.call("POST", "/api/v1/register", form)
    status, body = api.call("POST", "/api/v1/register", {**form, "agree": True})
    assert body["errors"]["captcha"] == "图片验证码已失效，请刷新后重新输入"


def test_an_expired_captcha_is_refused(api, clock):
    form = api.register_form(PHONE, NAME, ID_NUMBER, PASSWORD)
    clock.advance(timedelta(minutes=6))
    assert api.call("POST", "/api/v1/register", form)[1]["errors"]["captcha"] == \
        "图片验证码已过期，请刷新后重新输入"


def test_a_used_sms_code_cannot_register_a_second_time(api, clock):
    form = api.register_form(PHONE, NAME, ID_NUMBER, PASSWORD, {"agree": False})
    api.call("POST", "/api/v1/register", form)
    clock.advance(timedelta(seconds=61))
    fresh = api.register_form(PHONE, NAME, ID_NUMBER, PASSWORD)
    form = {**fresh, "sms_code": api.ok("GET", f"/_sim/sms?phone={PHONE}")["messages"][1]["code"]}
    status, body = api.call("POST", "/api/v1/register", form)
    assert body["errors"]["sms_code"] == "短信验证码不正确，还可尝试4次"


def test_sms_codes_are_limited_to_one_a_minute(api, clock):
    api.ok("POST", "/api/v1/sms-codes", {"phone": PHONE, "purpose": "register"})
    status, body = api.call("POST", "/api/v1/sms-codes", {"phone": PHONE, "purpose": "register"})
    assert (status, body["field"]) == (400, "sms_code")
    assert body["message"].startswith("验证码发送过于频繁")
    clock.advance(timedelta(seconds=61))
    assert api.ok("POST", "/api/v1/sms-codes", {"phone": PHONE})["expires_in"] == 300


def test_the_wait_for_the_next_sms_code_counts_down_from_60_seconds(api, clock):
    api.ok("POST", "/api/v1/sms-codes", {"phone": PHONE, "purpose": "register"})
    waits = []
    for step in (0, 0.5, 58.6, 0.8):  # at 0, 0.5, 59.1 and 59.9 seconds
        clock.advance(timedelta(seconds=step))
        waits.append(api.call("POST", "/api/v1/sms-codes",
                              {"phone": PHONE, "purpose": "register"})[1]["message"])
    assert waits == [f"验证码发送过于频繁，请{n}秒后再试" for n in (60, 60, 1, 1)]
    clock.advance(timedelta(seconds=0.1))  # a whole minute after the first code
    assert api.ok("POST", "/api/v1/sms-codes", {"phone": PHONE})["expires_in"] == 300


def test_a_registered_phone_or_id_number_is_refused_as_a_duplicate(api):
    api.register(PHONE, NAME, ID_NUMBER, PASSWORD)
    status, body = api.call("POST", "/api/v1/sms-codes", {"phone": PHONE})
    assert (status, body["error"], body["message"]) == (409, "duplicate", "该手机号码已注册")
    form = api.register_form("13700000000", NAME, ID_NUMBER, PASSWORD)
    status, body = api.call("POST", "/api/v1/register", form)
    assert (status, body["error"], body["errors"]) == (409, "duplicate",
                                                       {"id_number": "该身份证号已注册"})


def test_registration_pages_walk_the_three_steps(pages):
    done = pages.register(PHONE, NAME, ID_NUMBER, PASSWORD)
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "恭喜您，注册成功" in html and 'class="step done"' in html and "139****5678" in html


def test_the_registration_form_shows_each_error_next_to_its_field_and_keeps_the_values(pages):
    form = pages.registration_form(PHONE, NAME, ID_NUMBER, PASSWORD)
    answer = pages.client.post("/register", data={**form, "id_number": "110101199003070012",
                                                   "confirm_password": "other@123"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert '<div class="error" id="error-id_number">身份证号校验位不正确</div>' in html
    assert '<div class="error" id="error-confirm_password">两次输入的密码不一致</div>' in html
    assert f'value="{PHONE}"' in html and f'value="{NAME}"' in html
    assert PASSWORD not in html


def test_the_step_two_page_shows_two_qr_codes_pointing_at_the_app_and_the_download(pages, app):
    pages.client.post("/register", data=pages.registration_form(PHONE, NAME, ID_NUMBER, PASSWORD))
    html = pages.client.get("/register/verify").get_data(as_text=True)
    assert html.count('src="data:image/png;base64,') == 2
    assert 'href="http://mem.test/app/face/' in html
    assert "扫描二维码进行身份验证" in html and "扫描下载APP" in html


def test_a_form_without_its_csrf_token_is_refused(pages):
    form = pages.registration_form(PHONE, NAME, ID_NUMBER, PASSWORD)
    del form["csrf_token"]
    answer = pages.client.post("/register", data=form)
    assert answer.status_code == 400
    assert "页面已过期，请刷新页面后重试" in answer.get_data(as_text=True)


def test_the_captcha_picture_is_a_png_and_the_agreement_has_its_own_page(pages, api):
    token = api.ok("GET", "/api/v1/captcha")["token"]
    picture = pages.client.get(f"/captcha/{token}.png")
    assert picture.mimetype == "image/png" and picture.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "《应急管理部政务服务平台注册协议》" in pages.client.get("/agreement").get_data(as_text=True)


def test_a_page_refused_for_the_password_keeps_the_sms_code_and_refreshes_the_captcha(pages):
    form = pages.registration_form(PHONE, NAME, ID_NUMBER, PASSWORD)
    refused = pages.client.post("/register", data={**form, "confirm_password": "Other@2024"})
    html = refused.get_data(as_text=True)
    assert f'value="{form["sms_code"]}"' in html  # still filled in, and still valid
    assert '<div class="hint" id="captcha-refreshed">图片验证码已刷新，请输入新的图片验证码</div>' in html
    captcha = CAPTCHA_IN_PAGE.search(html).group(1)
    assert captcha != form["captcha_token"]
    answer = pages.api.ok("GET", f"/_sim/captcha/{captcha}")["answer"]
    accepted = pages.client.post("/register", data={**form, "captcha_token": captcha,
                                                    "captcha_answer": answer})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/register/verify"


def test_a_weak_and_different_password_shows_both_errors_under_their_fields(pages):
    form = pages.registration_form(PHONE, NAME, ID_NUMBER, PASSWORD)
    html = pages.client.post("/register", data={**form, "password": "abcdefgh",
                                                "confirm_password": "abcdefgx"}).get_data(
        as_text=True)
    assert 'id="error-password">密码长度8-20位' in html
    assert '<div class="error" id="error-confirm_password">两次输入的密码不一致</div>' in html
    assert html.count("密码长度8-20位，由数字、字母或符号") == 1  # the rule, said once


def test_an_empty_login_form_asks_for_the_user_name_and_the_password(pages):
    html = pages.submit("/login", {"login": "", "password": ""}).get_data(as_text=True)
    assert '<div class="error" id="error-login">请输入手机号码或身份证号</div>' in html
    assert '<div class="error" id="error-password">请输入密码</div>' in html
    assert "用户名或密码错误" not in html
