"""Field errors in Chromium on both portals: each one red, right under its own field (获取验证码
with a bad phone, a weak and different password, an empty login), the rule said once, and a
refused registration keeping its SMS code. Screenshots: reports/screenshots/errors_*.png."""

from __future__ import annotations

import pytest
from support.mem import ApiDriver
from support.mem import make_test_app as make_mem_app
from support.national import ZHANG
from support.national import make_app as make_national_app

pytestmark = pytest.mark.browser

PHONE, NAME, ID_NUMBER, PASSWORD = "13912345678", "张三", "110101199003070011", "Abc@2024x"


def assert_red_under(page, error: str, field_input: str, text: str) -> None:
    """The error says `text` in red, below its input and no further left than it."""
    page.wait_for_selector(f"{error}:text-is('{text}')")
    page.wait_for_load_state()  # measured with the page's stylesheet applied
    box, under = page.locator(error).bounding_box(), page.locator(field_input).bounding_box()
    assert box["y"] >= under["y"] + under["height"] - 1, (error, box, under)
    assert box["y"] - (under["y"] + under["height"]) < 40, (error, box, under)
    assert abs(box["x"] - under["x"]) < 2, (error, box, under)
    red, green, blue = (int(v) for v in page.locator(error).evaluate(
        "e => getComputedStyle(e).color").removeprefix("rgb(").rstrip(")").split(","))
    assert red > 200 and green < 90 and blue < 90, (error, red, green, blue)


@pytest.fixture
def ministry(tmp_path, clock, live_server):
    app = make_mem_app(f"sqlite:///{tmp_path / 'mem.sqlite3'}", clock, PUBLIC_URL="")
    return live_server(app), ApiDriver(app.test_client())


@pytest.fixture
def nation(tmp_path, clock, live_server):
    return live_server(make_national_app(f"sqlite:///{tmp_path / 'national.sqlite3'}", clock))


def test_ministry_errors_sit_under_their_fields_and_a_refusal_keeps_the_sms_code(
        ministry, page, phone_page, screenshot):
    base_url, api = ministry
    page.goto(base_url + "/register")
    page.fill("#phone", "1391234567")
    page.click("#sms-button")
    assert_red_under(page, "#error-phone", "#phone", "请输入正确的11位手机号码")
    assert page.inner_text("#sms-hint") == "短信验证码5分钟内有效"
    screenshot(page, "errors_mem_sms_bad_phone")

    page.fill("#phone", PHONE)
    assert not page.is_visible("#error-phone")  # editing the field clears its error
    page.click("#sms-button")
    page.wait_for_selector("#sms-button[disabled]")
    code = api.ok("GET", f"/_sim/sms?phone={PHONE}")["messages"][0]["code"]
    page.fill("#name", NAME)
    page.fill("#id_number", ID_NUMBER)
    page.check("#id_long_term")
    page.fill("#password", "abcdefgh")
    page.fill("#confirm_password", "abcdefgx")
    page.fill("#captcha_answer", api.ok("GET", "/_sim/captcha/"
                                        + page.input_value("#captcha_token"))["answer"])
    page.fill("#sms_code", code)
    page.check("#agree")
    page.click("button[type=submit]:has-text('注册')")
    assert_red_under(page, "#error-password", "#password",
                     "密码长度8-20位，由数字、字母或符号(`~!_@#$%*)两种以上组成")
    assert_red_under(page, "#error-confirm_password", "#confirm_password", "两次输入的密码不一致")
    assert page.inner_text("#captcha-refreshed") == "图片验证码已刷新，请输入新的图片验证码"
    assert page.input_value("#sms_code") == code
    screenshot(page, "errors_mem_register_password")

    page.fill("#password", PASSWORD)
    page.fill("#confirm_password", PASSWORD)
    page.fill("#captcha_answer", api.ok("GET", "/_sim/captcha/"
                                        + page.input_value("#captcha_token"))["answer"])
    page.click("button[type=submit]:has-text('注册')")  # the same SMS code, at the same time
    page.wait_for_selector("#face-check")
    phone_page.goto(page.get_attribute("#app-url", "href"))
    phone_page.click("#start-face")
    phone_page.click("#face-pass")
    page.wait_for_selector("#register-done")
    button = page.locator("#register-done a.btn")
    offset = button.evaluate("""a => { const r = document.createRange(); r.selectNodeContents(a);
        const t = r.getBoundingClientRect(), b = a.getBoundingClientRect();
        return (t.left + t.width / 2) - (b.left + b.width / 2); }""")
    assert abs(offset) < 2  # 立即登录 in the middle of its full-width button
    screenshot(page, "errors_mem_register_done")


def test_an_empty_ministry_login_asks_for_each_field_under_it(ministry, page, screenshot):
    base_url, _ = ministry
    page.goto(base_url + "/login")
    page.click("button[type=submit]:has-text('登录')")
    assert_red_under(page, "#error-login", "#login", "请输入手机号码或身份证号")
    assert_red_under(page, "#error-password", "#password", "请输入密码")
    assert page.locator("#login-error").count() == 0
    screenshot(page, "errors_mem_login_empty")


def test_national_errors_sit_under_their_fields_and_say_the_password_rule_once(
        nation, page, screenshot):
    page.goto(nation + "/register")
    page.fill("#phone", "1380013800")
    page.click("button:has-text('获取验证码')")
    assert_red_under(page, "[data-field=phone]", "#phone", "请输入正确的11位手机号码")
    screenshot(page, "errors_national_sms_bad_phone")

    page.fill("#name", ZHANG.name)
    page.fill("#phone", ZHANG.phone)
    page.fill("#password", "short")
    page.fill("#confirm_password", "shorter")
    page.click("button.btn-block:has-text('注册')")
    rule = "密码长度8-20位，由数字、字母或符号(`~!_@#$%*)两种以上组成"
    assert_red_under(page, "[data-field=password]", "#password", rule)
    assert_red_under(page, "[data-field=confirm_password]", "#confirm_password",
                     "两次输入的密码不一致")
    assert page.content().count("密码长度8-20位") == 1
    screenshot(page, "errors_national_register_password")


def test_an_empty_national_login_asks_for_each_field_under_it(nation, page, screenshot):
    page.goto(nation + "/login/personal")
    page.click("button:has-text('登录')")
    assert_red_under(page, "[data-field=login]", "#login", "请输入手机号码或身份证号")
    assert_red_under(page, "[data-field=password]", "#password", "请输入密码")
    assert "用户名或密码错误" not in page.content()
    screenshot(page, "errors_national_login_empty")
