"""实人认证 in Chromium on both portals: the desktop page follows its ticket without reloading,
等待扫码 → 已扫码，请在手机上完成认证 → 认证通过 (then moves on) / 认证未通过 / 二维码已过期,
while the phone (a second browser context) opens the same simulated app on either portal.
Screenshots: reports/screenshots/face_<portal>_<state>.png."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from support.mem import ApiDriver
from support.mem import make_test_app as make_mem_app
from support.national import PASSWORD, ZHANG, Api
from support.national import make_app as make_national_app

pytestmark = pytest.mark.browser

MEM_HOLDER = ("13912345678", "张三", "110101199003070011", "Abc@2024x")


@dataclass
class Desk:
    """One portal's face-check page as the tests drive it."""

    name: str
    base_url: str
    check_path: str      # opens the page with the ticket (reusing an open one, on the nation)
    refresh_path: str    # 刷新二维码: always a new ticket
    app_link: str        # the element holding the app's URL (what the left QR code encodes)
    done_path: str       # where a passed check moves on to

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def mem_desk(tmp_path, clock, live_server, page) -> Desk:
    app = make_mem_app(f"sqlite:///{tmp_path / 'mem.sqlite3'}", clock, PUBLIC_URL="")
    phone, name, id_number, password = MEM_HOLDER
    ApiDriver(app.test_client()).register(phone, name, id_number, password)
    base_url = live_server(app)
    page.goto(base_url + "/login")
    page.fill("#login", phone)
    page.fill("#password", password)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_selector("text=欢迎您登录个人中心")
    return Desk("mem", base_url, "/face-check", "/face-check", "#app-url", "/space/licences")


@pytest.fixture
def national_desk(tmp_path, clock, live_server, page) -> Desk:
    app = make_national_app(f"sqlite:///{tmp_path / 'national.sqlite3'}", clock)
    assert Api(app).register(ZHANG).status_code == 201
    base_url = live_server(app)
    page.goto(base_url + "/login/personal")
    page.fill("#login", ZHANG.phone)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_selector("text=欢迎您登录个人专属服务空间")
    return Desk("national", base_url, "/space/licences/bind", "/space/licences/bind?renew=1",
                "#app-link", "/space/licences/bind")


def desk_says(page, text: str, state: str) -> None:
    """Wait until the desktop page's state line says `text` (its class names the state)."""
    page.wait_for_selector(f"#face-state.{state}:text-is('{text}')")


def open_on_phone(desk: Desk, page, phone_page):
    """Open the QR code's link on the phone: the simulated app page."""
    link = page.get_attribute(desk.app_link, "href")
    assert link.startswith(desk.base_url + "/app/face/")
    phone_page.goto(link)
    phone_page.wait_for_selector("#start-face")


def walk_the_states(desk: Desk, page, phone_page, screenshot, clock) -> None:
    """Waiting → scanned → failed; a new code left to expire; a new code scanned and passed
    (the page holds still on 认证通过 until it is on record, then moves on)."""
    page.goto(desk.url(desk.check_path))
    desk_says(page, "等待扫码", "pending")
    assert not page.is_visible(".qr-mask")
    screenshot(page, f"face_{desk.name}_1_waiting")
    open_on_phone(desk, page, phone_page)
    desk_says(page, "已扫码，请在手机上完成认证", "scanned")
    screenshot(page, f"face_{desk.name}_2_scanned")
    phone_page.click("#start-face")
    screenshot(phone_page, f"face_{desk.name}_2_phone_choices")
    phone_page.click("#face-fail")
    assert "未通过" in phone_page.inner_text("#app-result")
    desk_says(page, "认证未通过", "failed")
    assert page.inner_text(".qr-mask-text") == "认证未通过" and page.is_visible(".qr-mask")
    screenshot(page, f"face_{desk.name}_3_failed")

    page.goto(desk.url(desk.refresh_path))
    desk_says(page, "等待扫码", "pending")
    clock.advance(timedelta(minutes=3, seconds=1))
    desk_says(page, "二维码已过期", "expired")
    assert page.inner_text(".qr-mask-text") == "二维码已过期" and page.is_visible(".qr-mask")
    screenshot(page, f"face_{desk.name}_4_expired")
    phone_page.goto(page.get_attribute(desk.app_link, "href"))
    assert "二维码已过期" in phone_page.inner_text("#app-result")
    screenshot(phone_page, f"face_{desk.name}_4_phone_expired")

    page.clock.install()  # the page's timers from here on: paused while 认证通过 is shot
    page.goto(desk.url(desk.refresh_path))
    open_on_phone(desk, page, phone_page)
    desk_says(page, "已扫码，请在手机上完成认证", "scanned")
    phone_page.click("#start-face")
    # Hold the page's time: it moves on 0.8 s after showing 认证通过, and Chromium takes no
    # screenshot while a navigation is under way (the shot would wait for it forever).
    page.clock.pause_at(page.evaluate("Date.now()"))
    phone_page.click("#face-pass")
    assert "认证成功" in phone_page.inner_text("#app-result")
    page.clock.run_for(1_000)  # the next poll of the ticket's state
    desk_says(page, "认证通过", "passed")
    screenshot(page, f"face_{desk.name}_5_passed")
    with page.expect_navigation(url=desk.url(desk.done_path)):
        page.clock.run_for(1_000)  # then it moves on


def test_the_ministry_desktop_follows_scan_pass_fail_and_expiry(mem_desk, page, phone_page,
                                                                 screenshot, clock):
    walk_the_states(mem_desk, page, phone_page, screenshot, clock)


def test_the_national_desktop_follows_scan_pass_fail_and_expiry(national_desk, page,
                                                                phone_page, screenshot, clock):
    walk_the_states(national_desk, page, phone_page, screenshot, clock)
