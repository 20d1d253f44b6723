"""A session recorded from the console, clicked in Chromium: 开始录制, a back-office issue, a
holder's 个人注册 → 登录 → 我的证照 → 实人认证 → 绑定证照 (not found yet) on the national portal,
+3 个工作日 in the console and a delivery, 登录 again → 实人认证 → 绑定 → 查看详情 → 解除绑定, then
停止录制. The file the console writes replays green in-process. Screenshots go to
reports/screenshots/recording_*.png."""

from __future__ import annotations

from datetime import datetime

import pytest
import requests
from support import walks
from support.worlds import lay_out_world

from certsim.apps import ministry, national
from certsim.console import create_app as create_console
from scenarios.loader import load_file
from scenarios.runner import run_scenario
from shared.clock import SHANGHAI
from shared.world import FileStore, WorldClock
from sync import Replicator, SyncConfig
from sync.runner import run_due
from sync.transport import WsgiTransport

pytestmark = pytest.mark.browser

SECRET = "browser-recording-secret"
NAME, ID_NUMBER, PHONE, PASSWORD = "王芳", "110101199204150026", "13900139001", "Rec@2024x"
NATIONAL_HOLDER = walks.Holder(NAME, ID_NUMBER, PHONE, PASSWORD)


@pytest.fixture
def served(tmp_path, live_server, monkeypatch):
    """Both portals and the console on one world file, its clock paused on Tuesday 10
    September 2024 09:00, and a replicator the test runs when it wants a delivery."""
    store = lay_out_world(monkeypatch, tmp_path)
    clock = WorldClock(store)
    clock.freeze()
    clock.set(datetime(2024, 9, 10, 9, 0, tzinfo=SHANGHAI))
    common = {"SECRET_KEY": "browser-recording", "SIM_ENABLED": True, "PUBLIC_URL": "",
              "SYNC_SECRET": SECRET}
    apps = {"mem": ministry(common, world=FileStore(store.path)),
            "national": national(common, world=FileStore(store.path))}
    replicator = Replicator(WsgiTransport(apps, SECRET), SyncConfig(
        mem_url="http://mem", national_url="http://national", secret=SECRET,
        holder="browser-recording"))
    urls = {name: live_server(app) for name, app in apps.items()}
    console = live_server(create_console({"MEM_URL": urls["mem"],
                                          "NATIONAL_URL": urls["national"]}))
    return urls, console, tmp_path, lambda: run_due(replicator, WorldClock(store))


def log_in(page, base_url) -> None:
    page.goto(base_url + "/login/personal")
    page.fill("#login", PHONE)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_selector("text=欢迎您登录个人专属服务空间")


def pass_face_check(page, phone_page) -> None:
    page.click("a.btn:has-text('绑定证照')")
    page.wait_for_selector("img[alt=实人认证二维码]")
    link = page.get_attribute("#app-link", "href")  # what the QR code holds
    walks.approve_on_phone(phone_page, link)
    page.wait_for_selector("#verified", timeout=15_000)  # the page polls and reloads itself


def press(console_page, button: str) -> None:
    console_page.click(f"button:has-text('{button}')")


def test_a_national_holder_session_recorded_from_the_console_replays_green(
        served, page, phone_page, browser, screenshot):
    from playwright.sync_api import expect

    urls, console, var, deliver = served
    # the console in a window of its own, as a demo runs it beside the holder's browser
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk_context.set_default_timeout(10_000)
    desk = desk_context.new_page()
    desk.goto(console + "/")
    expect(desk.locator("#recording-state")).to_have_text("未在录制")
    desk.fill("#recording-name", "national-bind-story")
    press(desk, "开始录制")
    expect(desk.locator("#recording-state")).to_contain_text("录制中：national-bind-story")
    expect(desk.locator("#recording-state")).to_contain_text("从空世界开始")
    screenshot(desk, "recording_console_started")

    issued = requests.post(urls["mem"] + "/_sim/certificates", timeout=5, json={
        "name": NAME, "id_number": ID_NUMBER, "category": "电工作业", "item": "低压电工作业"})
    assert issued.status_code == 201, issued.text
    key = issued.json()["certificate_key"]
    walks.register_on_national(page, urls["national"], NATIONAL_HOLDER)
    screenshot(page, "recording_national_registered")
    log_in(page, urls["national"])
    page.click("text=查看更多")
    page.wait_for_selector("text=当前位置：")
    pass_face_check(page, phone_page)
    page.click("button:has-text('确定绑定')")
    page.wait_for_selector("#not-found")
    screenshot(page, "recording_national_not_found")

    press(desk, "+3 个工作日")
    expect(desk.locator("#now")).to_contain_text("2024/9/13 09:00")
    [report] = deliver()  # the replicator, as `python -m sync` would run it
    assert report.outcome == "delivered", report
    log_in(page, urls["national"])  # the login of Tuesday has long expired
    pass_face_check(page, phone_page)
    page.click("button:has-text('确定绑定')")
    page.wait_for_selector(f"tr[data-key='{key}']")
    page.click(f"tr[data-key='{key}'] >> text=查看详情")
    page.wait_for_selector("#licence-face")
    page.click("a.btn-danger:has-text('解除绑定')")
    page.click("button:has-text('确定解除绑定')")
    page.wait_for_selector("text=暂无证照")
    screenshot(page, "recording_national_unbound")

    expect(desk.locator("#recording-state")).to_contain_text("个事件")
    press(desk, "停止录制")
    expect(desk.locator("#recording-result")).to_contain_text("全部操作均已写入场景")
    expect(desk.locator("#recording-state")).to_have_text("未在录制")
    desk.click("#recording-result summary")
    screenshot(desk, "recording_console_stopped")

    path = var / "recordings" / "national-bind-story.yaml"
    scenario = load_file(path)
    assert [s.action for s in scenario.steps] == [
        "issue", "national.register", "national.login", "national.my_licences",
        "national.verify_identity", "national.bind", "wait", "national.login",
        "national.verify_identity", "national.bind", "national.my_licences",
        "national.details", "national.unbind", "national.my_licences"]
    desk_context.close()
    result = run_scenario(scenario)
    assert result.passed, result.failure_text() + "\n" + path.read_text("utf-8")


MEM_PHONE, MEM_NAME, MEM_ID, MEM_PASSWORD = "13912345678", "张三", "110101199003070011", "Abc@2024x"
MEM_HOLDER = walks.Holder(MEM_NAME, MEM_ID, MEM_PHONE, MEM_PASSWORD)


def open_my_licences_on_the_ministry(page, phone_page, base_url) -> None:
    """登录 → 我的证照 → 实人认证 on the phone → the list."""
    page.goto(base_url + "/login")
    page.fill("#login", MEM_PHONE)
    walks.open_my_licences_on_ministry(page, phone_page, MEM_PASSWORD)


def test_a_ministry_holder_session_recorded_beside_the_portal_replays_green(
        served, page, phone_page, screenshot):
    """The console in a tab of the holder's own browser (one cookie jar for 127.0.0.1): the
    portal's session cookie and the console's live side by side."""
    from playwright.sync_api import expect

    urls, console, var, _ = served
    desk = page.context.new_page()
    desk.goto(console + "/")
    desk.fill("#recording-name", "ministry-story")
    press(desk, "开始录制")
    expect(desk.locator("#recording-state")).to_contain_text("录制中：ministry-story")

    issued = requests.post(urls["mem"] + "/_sim/certificates", timeout=5, json={
        "name": MEM_NAME, "id_number": MEM_ID, "category": "电工作业", "item": "低压电工作业"})
    assert issued.status_code == 201, issued.text
    walks.register_on_ministry(page, phone_page, urls["mem"], MEM_HOLDER)
    open_my_licences_on_the_ministry(page, phone_page, urls["mem"])
    page.click("text=预览")
    page.wait_for_selector("#licence-face svg")
    screenshot(page, "recording_mem_preview")

    press(desk, "+1 个工作日")
    expect(desk.locator("#now")).to_contain_text("2024/9/11 09:00")
    open_my_licences_on_the_ministry(page, phone_page, urls["mem"])
    with page.expect_download() as download:
        page.click("text=下载")
    assert download.value.suggested_filename.endswith(".ofd")

    press(desk, "停止录制")
    expect(desk.locator("#recording-result")).to_contain_text("全部操作均已写入场景")
    desk.click("#recording-result summary")
    screenshot(desk, "recording_console_stopped_ministry")

    path = var / "recordings" / "ministry-story.yaml"
    scenario = load_file(path)
    actions = [s.action for s in scenario.steps]
    assert actions == [
        "issue", "mem.register", "mem.login", "mem.verify_identity", "mem.my_licences",
        "mem.preview", "wait", "mem.login", "mem.verify_identity", "mem.my_licences",
        "mem.download"], actions
    result = run_scenario(scenario)
    assert result.passed, result.failure_text() + "\n" + path.read_text("utf-8")
