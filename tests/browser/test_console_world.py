"""The console steers the one world, clicked in Chromium: 设定时间, 下一次到期, 重置为演示数据
and snapshots, against both portals (as `certsim run` serves them, with their demo) and the
real replicator (APScheduler thread, tick watcher) on one world file.

The story twice in a row without restarting anything: reset to the demo, pause, set the clock
to the last minute before 张三's new licence is visible nationally, jump to the next due
moment (Saturday 10 October 00:00, a 调休 working day), deliver; save that world; reset again
(the clock goes back to the demo start); restore the saved world.
"""

from __future__ import annotations

import pytest
import requests
from support.replication import WatchedReplicator
from support.worlds import lay_out_world

from certsim.apps import ministry, national
from certsim.console import create_app as create_console
from shared.world import FileStore, WorldClock
from sync import HttpTransport, SyncConfig
from sync.runner import build_scheduler

pytestmark = pytest.mark.browser

SECRET = "browser-console-secret"
NEW_ITEM = "熔化焊接与热切割作业"  # 张三's licence issued at the demo start
NEW_ROW = f"张三 · {NEW_ITEM}"


@pytest.fixture
def served(tmp_path, live_server, monkeypatch):
    """Both portals, the console and the replicator on one world under tmp_path."""
    store = lay_out_world(monkeypatch, tmp_path)
    common = {"SECRET_KEY": "browser-console", "SIM_ENABLED": True, "PUBLIC_URL": "",
              "SYNC_SECRET": SECRET}
    urls = {"mem": live_server(ministry(common, world=FileStore(store.path))),
            "national": live_server(national(common, world=FileStore(store.path)))}
    console = live_server(create_console({"MEM_URL": urls["mem"],
                                          "NATIONAL_URL": urls["national"]}))
    # a long interval: the replicator runs when asked (立即同步, a snapshot's handover request)
    config = SyncConfig(mem_url=urls["mem"], national_url=urls["national"], secret=SECRET,
                        interval=3600, tick_poll=0.2, holder="console-replicator")
    transport = HttpTransport(urls, SECRET, timeout=5)
    replicator = WatchedReplicator(transport, config)
    scheduler = build_scheduler(replicator, WorldClock(FileStore(store.path)), config,
                                blocking=False)
    scheduler.start()
    replicator.wait_for_run(0)
    yield urls, console, replicator
    scheduler.shutdown(wait=True)
    replicator.release()
    transport.close()


def test_the_national_day_story_twice_from_the_console_with_a_snapshot_between(
        served, page, screenshot):
    from playwright.sync_api import expect

    urls, console, replicator = served
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() before a reset/restore
    page.goto(console + "/")
    expect(page.locator("#snapshots")).to_contain_text("demo")
    for round_ in (1, 2):
        page.click("button:has-text('重置为演示数据')")
        expect(page.locator("#now")).to_contain_text("2026/9/30 10:0")
        expect(page.locator("#clock-mode")).to_have_text("走时中")
        page.click("button:has-text('暂停时钟')")
        expect(page.locator("#clock-mode")).to_have_text("已暂停")
        new_licence = page.locator("#queue tr.pending", has_text=NEW_ROW)
        expect(new_licence).to_contain_text("2026/10/10 00:00:00")
        new_licence.locator("summary:has-text('为何此时可见')").click()
        expect(new_licence.locator("pre")).to_contain_text("国庆节")
        expect(new_licence.locator("pre")).to_contain_text("10/10 周六 调休上班")

        page.fill("#set-at", "2026-10-09T23:59:00")
        page.click("#set-form button:has-text('设定')")
        expect(page.locator("#now")).to_have_text("2026/10/9 23:59:00")
        expect(page.locator("#day-label")).to_have_text("工作日")
        expect(new_licence.locator("pre")).to_be_visible()  # still open after the refreshes
        screenshot(page, f"console_world_{round_}_before_due")

        runs = len(replicator.runs)
        page.click("button:has-text('下一次到期')")
        expect(page.locator("#now")).to_have_text("2026/10/10 00:00:00")
        expect(page.locator("#day-label")).to_have_text("调休上班")
        page.click("button:has-text('立即同步')")
        assert NEW_ITEM in _delivered_items(replicator, runs, urls["mem"])
        expect(page.locator("#queue tr.delivered", has_text=NEW_ROW)).to_be_visible()
        screenshot(page, f"console_world_{round_}_delivered")

    page.fill("#snapshot-name", "after-delivery")
    page.click("button:has-text('保存当前世界为快照')")
    saved = page.locator("#snapshots tr", has_text="after-delivery")
    expect(saved).to_contain_text("2026/10/10 00:00:00")
    page.click("button:has-text('重置为演示数据')")
    expect(page.locator("#now")).to_contain_text("2026/9/30 10:0")
    saved.locator("button:has-text('恢复')").click()
    expect(page.locator("#now")).to_have_text("2026/10/10 00:00:00")
    expect(page.locator("#queue tr.delivered", has_text=NEW_ROW)).to_be_visible()
    screenshot(page, "console_world_restored")

    page.fill("#set-at", "2026-09-30T09:00:00")
    page.click("#set-form button:has-text('设定')")
    expect(page.locator("#error")).to_contain_text("快照")
    expect(page.locator("#now")).to_have_text("2026/10/10 00:00:00")


def _delivered_items(replicator: WatchedReplicator, runs: int, mem_url: str) -> set[str]:
    """Wait for the run 立即同步 asked for; return the items delivered so far."""
    report = replicator.wait_for_run(runs)
    assert report.error is None, report.error
    rows = requests.get(f"{mem_url}/_sim/outbox", timeout=5,
                        params={"state": "delivered", "payload": 1, "limit": 100}).json()
    return {row["payload"]["licence"]["item"] for row in rows["changes"]}
