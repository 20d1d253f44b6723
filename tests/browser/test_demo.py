"""The full demo, clicked in Chromium against live servers, as `make run` serves it.

Both portals and the console are served by waitress on free ports; they share ONE simulated
clock file, frozen at the demo start (Wednesday 2026-09-30 10:00, the eve of National Day); the
real replicator runs in a background APScheduler thread over signed HTTP, driven by the
console's 立即同步 button through the ministry's tick request (sync.runner.TickWatcher).

The story: the back office issues 刘洋's certificate; 刘洋 registers on the ministry portal
(实人认证 on the phone), opens 我的证照 → 预览 → 下载 (the file is read by ofdkit); registers on
the national portal, where 绑定证照 finds nothing (数据存在延迟现象); in the console +3 个工作日
lands on Saturday 10 October (a 调休 working day) and 立即同步 delivers the licence; 刘洋 logs
in again, binds, views the details and unbinds. Screenshots: reports/screenshots/demo_*.png.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from support import walks
from support.replication import WatchedReplicator

import mem_portal
import national_portal
from certsim.console import create_app as create_console
from certsim.demo import DEMO_START
from mem_portal.models import TABLES as MEM_TABLES
from national_portal.models import TABLES as NATIONAL_TABLES
from shared.db import create_schema
from shared.world import FileStore, WorldClock
from sync import HttpTransport, SyncConfig
from sync.runner import build_scheduler

pytestmark = pytest.mark.browser

NAME, ID_NUMBER, PHONE, PASSWORD = "刘洋", "110105198804150012", "13712345678", "Liu@2026yang"
HOLDER = walks.Holder(NAME, ID_NUMBER, PHONE, PASSWORD)
CATEGORY, ITEM = "焊接与热切割作业", "熔化焊接与热切割作业"
SECRET = "browser-demo-secret"


@dataclass
class Demo:
    mem: str
    national: str
    console: str
    replicator: WatchedReplicator


def portal_apps(tmp_path: Path):
    """Both portals on fresh SQLite files, each reading the shared clock file on its own."""
    clock_file = tmp_path / "world.json"
    starter = WorldClock(FileStore(clock_file))
    starter.freeze()
    starter.set(DEMO_START)
    common = {"SECRET_KEY": "browser-demo", "SIM_ENABLED": True, "PUBLIC_URL": "",
              "SYNC_SECRET": SECRET}
    mem = mem_portal.create_app({**common, "DATABASE_URL": f"sqlite:///{tmp_path / 'mem.db'}",
                                 "SYNC_LAG": "3wd"}, world=FileStore(clock_file))
    national = national_portal.create_app(
        {**common, "DATABASE_URL": f"sqlite:///{tmp_path / 'national.db'}"},
        world=FileStore(clock_file))
    create_schema(mem.extensions["certsim"].engine, MEM_TABLES)
    create_schema(national.extensions["certsim"].engine, NATIONAL_TABLES)
    return mem, national, clock_file


@pytest.fixture
def demo(tmp_path, live_server):
    """Serve both portals and the console; run the replicator until the test ends."""
    mem, national, clock_file = portal_apps(tmp_path)
    urls = {"mem": live_server(mem), "national": live_server(national)}
    console = live_server(create_console({"MEM_URL": urls["mem"],
                                          "NATIONAL_URL": urls["national"]}))
    # a long interval: after the first run, only the console's 立即同步 makes it run
    config = SyncConfig(mem_url=urls["mem"], national_url=urls["national"], secret=SECRET,
                        interval=3600, tick_poll=0.2, holder="demo-replicator")
    transport = HttpTransport(urls, SECRET, timeout=5)
    replicator = WatchedReplicator(transport, config)
    scheduler = build_scheduler(replicator, WorldClock(FileStore(clock_file)), config,
                                blocking=False)
    scheduler.start()
    replicator.wait_for_run(0)
    yield Demo(urls["mem"], urls["national"], console, replicator)
    scheduler.shutdown(wait=True)
    replicator.release()
    transport.close()


def issue_in_back_office(demo: Demo) -> dict:
    """The ministry's back office issues 刘洋's certificate today (through the control plane)."""
    answer = requests.post(f"{demo.mem}/_sim/certificates", timeout=5, json={
        "name": NAME, "id_number": ID_NUMBER, "category": CATEGORY, "item": ITEM,
        "issued_on": "2026-09-30", "authority": "北京市应急管理局"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def download_from_ministry(page, phone_page, screenshot, tmp_path: Path) -> Path:
    """登录 → 我的证照 (实人认证) → 预览 → 下载; return the saved file."""
    page.click("text=立即登录")
    walks.open_my_licences_on_ministry(page, phone_page, PASSWORD)
    assert ITEM in page.inner_text("#licences")
    screenshot(page, "demo_02_my_licences")
    page.click("text=预览")
    page.wait_for_selector("#licence-face svg")
    assert NAME in page.inner_text("#licence-rows")
    screenshot(page, "demo_03_preview")
    with page.expect_download() as download:
        page.click("text=下载电子证照")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


def register_on_national(page, demo: Demo, screenshot) -> None:
    """个人注册 → 登录 → 个人专属服务空间."""
    walks.register_on_national(page, demo.national, HOLDER,
                               filled=lambda p: screenshot(p, "demo_04_national_register"))
    page.click("text=去登录")
    log_in_on_national(page)


def log_in_on_national(page) -> None:
    """Fill 个人用户登录 and wait for the space (or the page `next` leads to)."""
    page.fill("#login", PHONE)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_selector("text=退出")


def verify_for_binding(page, phone_page, demo: Demo) -> None:
    """绑定证照's 实人认证: scan on the phone; the page notices and shows the type choice."""
    page.wait_for_selector("img[alt=实人认证二维码]")
    walks.approve_on_phone(phone_page, page.get_attribute("#app-link", "href"))
    page.wait_for_selector("#verified", timeout=15_000)  # the page polls every second


def press(console_page, button: str, replicator: WatchedReplicator | None = None) -> None:
    """Press a console button; for 立即同步 wait until the replicator has run."""
    runs = len(replicator.runs) if replicator else 0
    console_page.click(f"button:has-text('{button}')")
    if replicator:
        report = replicator.wait_for_run(runs)
        assert report.error is None, report.error


def test_the_demo_shows_the_delay_and_binding_after_three_working_days(
        demo, tmp_path, browser_context, phone_page, screenshot):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    cert = issue_in_back_office(demo)
    walks.register_on_ministry(page, phone_page, demo.mem, HOLDER,
                               filled=lambda p: screenshot(p, "demo_01_register"))
    ofd = download_from_ministry(page, phone_page, screenshot, tmp_path)
    check_licence_file(ofd, cert)

    register_on_national(page, demo, screenshot)
    console = browser_context.new_page()
    console.goto(demo.console + "/")
    press(console, "立即同步", demo.replicator)
    expect(console.locator("#pending")).to_have_text("1")
    expect(console.locator("#due")).to_have_text("0")
    expect(console.locator("#next-due")).to_have_text("2026/10/10 00:00:00")
    expect(console.locator("#last-run")).to_have_text("2026/9/30 10:00:00（无到期变更）")
    expect(console.locator("#queue tr.pending")).to_contain_text(f"{NAME} · {ITEM}")
    expect(console.locator("#weekday")).to_have_text("2026-09-30 星期三")
    expect(console.locator("#day-label")).to_have_text("工作日")
    console.fill("#phone", PHONE)
    expect(console.locator("#sms")).to_contain_text("国家平台")
    phone_page.goto(demo.mem + "/register")  # someone else registering: the tester reads
    token = phone_page.input_value("#captcha_token")  # the answer next to the SMS inbox
    answer = requests.get(f"{demo.mem}/_sim/captcha/{token}", timeout=5).json()["answer"]
    expect(console.locator("#captchas td.answer").first).to_have_text(answer)
    screenshot(console, "demo_05_console_waiting")

    page.goto(demo.national + "/space/licences")
    page.click("a.btn:has-text('绑定证照')")
    verify_for_binding(page, phone_page, demo)
    page.click("button:has-text('确定绑定')")
    page.wait_for_selector("#not-found")
    assert "未查询到特种作业操作证电子证照" in page.inner_text("#not-found")
    assert "数据存在延迟现象" in page.inner_text("#not-found + .reasons")
    screenshot(page, "demo_06_bind_failure")

    three_working_days_pass(console, demo, screenshot)
    bind_view_and_unbind(page, phone_page, demo, cert, screenshot)


def check_licence_file(path: Path, cert: dict) -> None:
    """The downloaded file opens in ofdkit (an OFD reader that is not ours) with 刘洋's face."""
    import ofdkit

    assert path.name == f"特种作业操作证_{ITEM}_{NAME}.ofd"
    document = ofdkit.open(str(path))
    assert {NAME, cert["cert_number"], ITEM} <= set(document.text().split())
    assert document.info.custom_data["证照标识"] == cert["licence_id"]


def three_working_days_pass(console, demo: Demo, screenshot) -> None:
    """+3 个工作日 from the eve of National Day lands on Saturday 10 October; 立即同步 delivers."""
    from playwright.sync_api import expect

    press(console, "+3 个工作日")
    expect(console.locator("#now")).to_have_text("2026/10/10 10:00:00")
    expect(console.locator("#weekday")).to_have_text("2026-10-10 星期六")
    expect(console.locator("#day-label")).to_have_text("调休上班")
    expect(console.locator("#due")).to_have_text("1")
    press(console, "立即同步", demo.replicator)
    assert demo.replicator.runs[-1].results == {"applied": 1}
    expect(console.locator("#delivered")).to_have_text("1")
    expect(console.locator("#last-run")).to_have_text("2026/10/10 10:00:00（已送达）")
    expect(console.locator("#pending")).to_have_text("0")
    expect(console.locator("#queue tr.delivered")).to_contain_text("已送达 2026/10/10 10:00:00")
    screenshot(console, "demo_07_console_delivered")


def bind_view_and_unbind(page, phone_page, demo: Demo, cert: dict, screenshot) -> None:
    """Ten days on the login has expired: log in again, 绑定证照, 查看详情, 解除绑定."""
    key = cert["certificate_key"]
    page.click("text=重新查询")
    page.wait_for_selector("text=登录已超时，请重新登录")  # 30 minutes passed ten days ago
    log_in_on_national(page)
    verify_for_binding(page, phone_page, demo)
    page.click("button:has-text('确定绑定')")
    page.wait_for_selector(f"tr[data-key='{key}']")
    assert "绑定成功" in page.inner_text(".flashes")
    screenshot(page, "demo_08_bind_success")

    page.click(f"tr[data-key='{key}'] >> text=查看详情")
    page.wait_for_selector("#licence-face")
    assert "2026-10-10 10:00:00" in page.inner_text("#arrived-at")
    assert cert["cert_number"] in page.inner_text("#licence-meta")
    screenshot(page, "demo_09_details")

    page.click("a.btn-danger:has-text('解除绑定')")
    page.wait_for_selector("#unbind-confirm")
    page.click("button:has-text('确定解除绑定')")
    page.wait_for_selector("text=暂无证照")
    screenshot(page, "demo_10_unbound")
