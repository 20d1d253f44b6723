"""Walk the ministry portal in Chromium: register → 实人认证 on a second (phone) page →
注册完成 → log in → 实人认证 again → 我的证照 → 预览 → 下载, saving screenshots on the way."""

from __future__ import annotations

import pytest
from support.mem import ApiDriver, make_test_app

pytestmark = pytest.mark.browser

PHONE, NAME, ID_NUMBER, PASSWORD = "13912345678", "张三", "110101199003070011", "Abc@2024x"


@pytest.fixture
def portal(tmp_path, clock, live_server):
    """The portal on a fresh SQLite file, a certificate issued, served on a free port."""
    app = make_test_app(f"sqlite:///{tmp_path / 'mem.sqlite3'}", clock, PUBLIC_URL="")
    api = ApiDriver(app.test_client())
    api.issue(name=NAME, id_number=ID_NUMBER, category="电工作业", item="低压电工作业",
              issued_on="2023-03-15", authority="北京市应急管理局")
    return live_server(app), api


def approve_on_phone(phone_page, page, screenshot, shot: str) -> None:
    """Open the QR code's app link on the phone, start face recognition and pass it."""
    phone_page.goto(page.get_attribute("#app-url", "href"))
    phone_page.click("#start-face")
    screenshot(phone_page, f"{shot}-app")
    phone_page.click("#face-pass")
    assert "认证成功" in phone_page.inner_text("#app-result")


def fill_registration(page, api: ApiDriver) -> None:
    """Fill the 创建账户 form, reading the captcha answer and SMS code from the control plane."""
    page.fill("#phone", PHONE)
    page.fill("#name", NAME)
    page.fill("#id_number", ID_NUMBER)
    page.check("#id_long_term")
    page.fill("#password", PASSWORD)
    page.fill("#confirm_password", PASSWORD)
    token = page.input_value("#captcha_token")
    page.fill("#captcha_answer", api.ok("GET", f"/_sim/captcha/{token}")["answer"])
    page.click("#sms-button")
    page.wait_for_selector("#sms-button[disabled]")
    page.fill("#sms_code", api.ok("GET", f"/_sim/sms?phone={PHONE}")["messages"][0]["code"])
    page.check("#agree")


def test_a_holder_registers_verifies_on_the_phone_and_previews_the_licence(
        portal, page, phone_page, screenshot):
    base_url, api = portal
    page.goto(base_url + "/")
    screenshot(page, "mem-01-home")
    page.click(".topbar >> text=English")
    assert "“English”栏目暂无内容" in page.inner_text(".panel")
    screenshot(page, "mem-01-english")
    page.go_back()
    page.click("text=注册")
    page.click("button[type=submit]:has-text('注册')")
    assert page.locator("#error-phone").inner_text() == "请输入正确的11位手机号码"
    screenshot(page, "mem-02-register-errors")
    fill_registration(page, api)
    screenshot(page, "mem-03-register-filled")
    page.click("button[type=submit]:has-text('注册')")
    page.wait_for_selector("#face-check")
    screenshot(page, "mem-04-register-face-check")
    approve_on_phone(phone_page, page, screenshot, "mem-05-register")
    page.wait_for_selector("#register-done")
    screenshot(page, "mem-06-register-done")

    page.click("text=立即登录")
    assert page.input_value("#login") == PHONE
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_selector("text=欢迎您登录个人中心")
    screenshot(page, "mem-07-user-centre")
    page.click(".menu >> text=我的证照")
    page.wait_for_selector("#face-check")
    screenshot(page, "mem-08-licences-face-check")
    approve_on_phone(phone_page, page, screenshot, "mem-09-licences")
    page.wait_for_selector("#licences")
    assert "北京市应急管理局" in page.inner_text("#licences")
    screenshot(page, "mem-10-my-licences")

    page.click("text=预览")
    page.wait_for_selector("#licence-face svg")
    assert "低压电工作业" in page.inner_text("#licence-rows")
    screenshot(page, "mem-11-preview")
    with page.expect_download() as download:
        page.click("text=下载电子证照")
    assert download.value.suggested_filename == "特种作业操作证_低压电工作业_张三.ofd"


def open_my_licences(page, base_url: str, login: str) -> None:
    """Log in through 自然人用户登录 and open 我的证照 (its face check first)."""
    page.goto(base_url + "/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.goto(base_url + "/space/licences")


def test_a_failed_face_check_keeps_my_licences_closed(portal, page, phone_page, screenshot):
    base_url, api = portal
    api.register(PHONE, NAME, ID_NUMBER, PASSWORD)
    open_my_licences(page, base_url, ID_NUMBER)
    phone_page.goto(page.get_attribute("#app-url", "href"))
    phone_page.click("#start-face")
    phone_page.click("#face-fail")
    assert "未通过" in phone_page.inner_text("#app-result")
    page.wait_for_selector("#face-state.failed")
    screenshot(page, "mem-12-face-check-failed")
    page.goto(base_url + "/space/licences")
    assert page.locator("#licences").count() == 0


def test_the_faq_box_names_each_reason_once(portal, page, screenshot):
    base_url, api = portal
    for item, category, issued_on in (("登高架设作业", "高处作业", "2019-06-20"),
                                      ("高压电工作业", "电工作业", "2018-04-02")):
        api.issue(name=NAME, id_number=ID_NUMBER, category=category, item=item,
                  issued_on=issued_on, version="old")
    api.register(PHONE, NAME, ID_NUMBER, PASSWORD)
    open_my_licences(page, base_url, PHONE)
    ticket = page.get_attribute("#app-url", "href").rsplit("/", 1)[1]
    api.ok("POST", f"/_sim/face-checks/{ticket}", {"outcome": "pass"})
    page.wait_for_selector("#guidance")
    faq = page.inner_text("#guidance")
    assert faq.count("不支持旧版特种作业操作证") == 1
    assert "高处作业 / 登高架设作业、电工作业 / 高压电工作业" in faq
    screenshot(page, "mem-13-faq-once")
