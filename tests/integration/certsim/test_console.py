"""The simulator console against both portals in-process: its `requests` calls are routed to the
portals' Flask test clients, so every figure and button goes through the real control planes."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
import requests
from support.mem import make_test_app as make_mem_app
from support.national import make_app as make_national_app
from support.worlds import lay_out_world

from certsim import world
from certsim.console import create_app as create_console
from certsim.demo import DEMO_PASSWORD, DEMO_START, HOLDERS
from mem_portal.control import REPLICATION_TICK
from shared.clock import SHANGHAI
from shared.world import FileStore, WorldClock
from sync import Replicator, SyncConfig
from sync.runner import run_due
from sync.transport import WsgiTransport

MEM_URL, NATIONAL_URL = "http://mem.test", "http://national.test"
SECRET = "console-test-secret"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
HOLDER = {"name": "刘洋", "id_number": "110105198804150012", "category": "电工作业",
          "item": "低压电工作业", "issued_on": "2026-09-30", "authority": "北京市应急管理局"}


class ClientRouter:
    """What the console needs of `requests.Session`, answered by the portals' test clients."""

    def __init__(self, apps: dict[str, object]):
        self.clients = {base: app.test_client() for base, app in apps.items()}
        self.calls: list[tuple[str, str]] = []

    def request(self, method: str, url: str, *, timeout=None, params=None, json=None):
        """Send one call to the app serving `url`'s host and return a real requests.Response."""
        assert timeout, "the console must bound every call with a timeout"
        parts = urlsplit(url)
        self.calls.append((method, parts.path))
        answer = self.clients[f"{parts.scheme}://{parts.netloc}"].open(
            parts.path, method=method, query_string=params, json=json)
        response = requests.Response()
        response.status_code, response._content = answer.status_code, answer.get_data()
        response.headers.update(answer.headers)
        response.url, response.encoding = url, "utf-8"
        return response


class UnreachableHTTP:
    """A network where nothing answers."""

    def request(self, method: str, url: str, **_kwargs):
        raise requests.ConnectionError(f"connection refused: {url}")


@pytest.fixture
def world_store(db_url_factory, tmp_path, monkeypatch) -> FileStore:
    """One world as `certsim run` lays it out: both databases (migrated) and the world file,
    named in this process's environment, so the console's snapshots find them."""
    return lay_out_world(monkeypatch, tmp_path, db_url_factory)


@pytest.fixture
def sim_clock(world_store) -> WorldClock:
    """The world's clock both portals share, paused at the demo start (the eve of National Day)."""
    clock = WorldClock(world_store)
    clock.freeze()
    clock.set(DEMO_START)
    return clock


@pytest.fixture
def portals(world_store, sim_clock):
    common = {"SYNC_SECRET": SECRET}
    return (make_mem_app(world.database_url("mem"), sim_clock, world_store, **common),
            make_national_app(world.database_url("national"), sim_clock, world_store, **common))


@pytest.fixture
def http(portals) -> ClientRouter:
    mem, national = portals
    return ClientRouter({MEM_URL: mem, NATIONAL_URL: national})


@pytest.fixture
def console(http):
    """The console's test client, holding the CSRF token its page carries."""
    app = create_console({"MEM_URL": MEM_URL, "NATIONAL_URL": NATIONAL_URL, "HTTP": http,
                          "SECRET_KEY": "console-test"})
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    client.csrf = CSRF_META.search(page).group(1)
    return client


def press(console, path: str, body: dict | None = None):
    """Press a console button: a JSON POST carrying the page's CSRF token."""
    return console.post(path, json=body or {}, headers={"X-CSRFToken": console.csrf})


def issue(mem) -> dict:
    answer = mem.test_client().post("/_sim/certificates", json=HOLDER)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(SHANGHAI)


def test_the_page_links_both_portals_and_carries_a_csrf_token(console):
    page = console.get("/").get_data(as_text=True)
    assert f'href="{MEM_URL}/"' in page and f'href="{NATIONAL_URL}/"' in page
    for button in ("+1 小时", "+1 个工作日", "+3 个工作日", "立即同步", "模拟停机", "重置为演示数据"):
        assert button in page
    assert console.csrf


def test_the_page_links_each_portals_api_browser(console):
    page = console.get("/").get_data(as_text=True)
    assert f'href="{MEM_URL}/api/docs"' in page and f'href="{NATIONAL_URL}/api/docs"' in page


def test_state_gathers_clock_lag_queue_and_outage_mode_from_both_portals(console, portals):
    mem, _ = portals
    cert = issue(mem)
    state = console.get("/api/state").get_json()
    assert local(state["clock"]["now"]) == DEMO_START and state["clock"]["frozen"] is True
    assert state["replication"]["lag"] == "3wd"
    assert (state["replication"]["pending"], state["replication"]["delivered"]) == (1, 0)
    [change] = state["queue"]
    assert change["certificate_key"] == cert["certificate_key"]
    assert change["payload"]["licence"]["holder_name"] == "刘洋"
    assert local(change["visible_at"]) == datetime(2026, 10, 10, 0, 0, tzinfo=SHANGHAI)
    assert state["faults"]["mode"] == "up"
    assert "sms" not in state


@pytest.mark.parametrize(("moment", "weekday", "label"), [
    (DEMO_START, "星期三", "工作日"),
    (datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI), "星期四", "法定节假日"),
    (datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI), "星期六", "调休上班"),
    (datetime(2026, 10, 11, 9, 0, tzinfo=SHANGHAI), "星期日", "休息日"),
])
def test_state_says_whether_the_simulated_day_is_a_working_day(
        console, sim_clock, moment, weekday, label):
    sim_clock.set(moment)
    day = console.get("/api/state").get_json()["day"]
    assert (day["date"], day["weekday"], day["label"]) == (moment.date().isoformat(), weekday,
                                                           label)
    assert day["working"] is (label in ("工作日", "调休上班"))


def test_state_shows_the_sms_inbox_of_a_phone_on_both_portals(console, portals):
    mem, national = portals
    phone = "13912345678"
    for app in (mem, national):
        sent = app.test_client().post("/api/v1/sms-codes", json={"phone": phone,
                                                                  "purpose": "register"})
        assert sent.status_code == 200, sent.get_json()
    sms = console.get(f"/api/state?phone={phone}").get_json()["sms"]
    [mem_message], [national_message] = sms["mem"]["messages"], sms["national"]["messages"]
    assert mem_message["code"] in mem_message["text"] and "应急管理部" in mem_message["text"]
    assert national_message["code"] in national_message["text"]


def test_state_shows_the_ministrys_open_captchas_with_their_answers_newest_first(console,
                                                                                portals):
    mem, _ = portals
    older, newer = (mem.test_client().get("/api/v1/captcha").get_json()["token"]
                    for _ in range(2))
    captchas = console.get("/api/state").get_json()["captchas"]
    assert [c["token"] for c in captchas["mem"]] == [newer, older]
    answer = mem.test_client().get(f"/_sim/captcha/{newer}").get_json()["answer"]
    assert captchas["mem"][0]["answer"] == answer and captchas["national"] == []


def test_the_page_has_a_favicon_and_a_place_for_the_captcha_answers(console):
    page = console.get("/").get_data(as_text=True)
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page
    assert 'id="captchas"' in page and "当前图片验证码" in page
    icon = console.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_three_working_days_from_the_eve_of_national_day_land_on_the_tenth_of_october(
        console, portals):
    _, national = portals
    moved = press(console, "/api/clock", {"action": "+3wd"})
    assert moved.status_code == 200, moved.get_json()
    assert local(moved.get_json()["now"]) == datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI)
    seen_by_national = national.test_client().get("/_sim/clock").get_json()["now"]
    assert local(seen_by_national) == datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI)


def test_one_hour_and_one_working_day_move_the_clock_the_way_the_buttons_say(console):
    assert local(press(console, "/api/clock", {"action": "+1h"}).get_json()["now"]) == \
        datetime(2026, 9, 30, 11, 0, tzinfo=SHANGHAI)
    # the next working day after Wednesday 30 September is Thursday 8 October
    assert local(press(console, "/api/clock", {"action": "+1wd"}).get_json()["now"]) == \
        datetime(2026, 10, 8, 11, 0, tzinfo=SHANGHAI)


def test_resume_and_freeze_start_and_stop_the_shared_clock(console, sim_clock):
    assert press(console, "/api/clock", {"action": "resume"}).get_json()["frozen"] is False
    assert sim_clock.frozen is False
    assert press(console, "/api/clock", {"action": "freeze"}).get_json()["frozen"] is True
    assert sim_clock.frozen is True


def test_an_unknown_clock_move_is_refused_naming_the_action_and_the_clock_stays(
        console, sim_clock):
    refused = press(console, "/api/clock", {"action": "+9wd"})
    assert refused.status_code == 400
    assert refused.get_json()["field"] == "action"
    assert sim_clock.now() == DEMO_START


def test_the_outage_switch_takes_the_national_ingest_down_and_back_up(console, portals):
    _, national = portals
    assert press(console, "/api/outage", {"mode": "down"}).get_json()["mode"] == "down"
    assert national.test_client().get("/_sim/faults").get_json()["mode"] == "down"
    assert console.get("/api/state").get_json()["faults"]["mode"] == "down"
    assert press(console, "/api/outage", {"mode": "up"}).get_json()["mode"] == "up"
    assert national.test_client().get("/_sim/faults").get_json()["mode"] == "up"


def test_an_unknown_outage_mode_is_refused_with_the_portals_reason(console, portals):
    _, national = portals
    refused = press(console, "/api/outage", {"mode": "sideways"})
    assert refused.status_code == 400
    assert refused.get_json()["field"] == "mode"
    assert national.test_client().get("/_sim/faults").get_json()["mode"] == "up"


def test_replicate_now_asks_the_replicator_process_when_none_runs_in_the_portal(
        console, portals):
    mem, _ = portals
    answer = press(console, "/api/replicate")
    assert answer.status_code == 200
    assert answer.get_json()["ran"] is False
    assert local(answer.get_json()["tick_requested_at"]) == DEMO_START
    mem_status = mem.test_client().get("/_sim/replication").get_json()
    assert mem_status["last_run_at"] is None  # nothing ran: `python -m sync` picks the request up


def test_replicate_now_after_three_working_days_delivers_the_licence(console, portals,
                                                                     sim_clock):
    mem, national = portals
    config = SyncConfig(mem_url=MEM_URL, national_url=NATIONAL_URL, secret=SECRET,
                        holder="console-test")
    replicator = Replicator(WsgiTransport({"mem": mem, "national": national}, SECRET),
                            config)
    mem.extensions[REPLICATION_TICK] = lambda: [
        r.to_json() for r in run_due(replicator, sim_clock)]
    key = issue(mem)["certificate_key"]
    first = press(console, "/api/replicate").get_json()
    assert first["ran"] is True and first["report"][0]["outcome"] == "idle"
    assert national.test_client().get(f"/_sim/licences/{key}").status_code == 404
    press(console, "/api/clock", {"action": "+3wd"})
    second = press(console, "/api/replicate").get_json()
    assert second["report"][0]["results"] == {"applied": 1}
    assert national.test_client().get(f"/_sim/licences/{key}").get_json()["eligible"] is True
    state = console.get("/api/state").get_json()
    assert (state["replication"]["pending"], state["replication"]["delivered"]) == (0, 1)
    [delivered] = state["queue"]
    assert (delivered["certificate_key"], delivered["state"]) == (key, "delivered")
    assert local(delivered["delivered_at"]) == datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI)


def test_reset_puts_the_demo_data_back_on_both_portals_and_both_demo_logins_work(
        console, portals, sim_clock):
    mem, national = portals
    national.test_client().post("/_sim/reset", json={"empty": True})  # as the issue found it
    key = issue(mem)["certificate_key"]
    press(console, "/api/clock", {"action": "+3wd"})
    answer = press(console, "/api/reset")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["name"] == "demo" and len(answer.get_json()["demo"]) >= 5
    assert mem.test_client().get(f"/_sim/certificates/{key}").status_code == 404
    assert national.test_client().get(f"/_sim/licences/{key}").status_code == 404
    for portal in (mem, national):
        login = portal.test_client().post("/api/v1/login", json={
            "login": HOLDERS[0].phone, "password": DEMO_PASSWORD})
        assert login.status_code == 200, login.get_json()
    assert national.test_client().get("/_sim/info").get_json()["counts"]["accounts"] == \
        len(HOLDERS)
    # the clock is back at the demo start, running
    assert abs((sim_clock.now() - DEMO_START).total_seconds()) < 60 and not sim_clock.frozen
    queue = console.get("/api/state").get_json()["queue"]
    assert {c["payload"]["licence"]["holder_name"] for c in queue} >= {"张三"}


def test_the_national_day_story_can_be_shown_twice_in_a_row(console, portals, sim_clock):
    mem, national = portals
    replicator = Replicator(WsgiTransport({"mem": mem, "national": national}, SECRET),
                            SyncConfig(mem_url=MEM_URL, national_url=NATIONAL_URL,
                                       secret=SECRET, holder="console-test"))


    def tick() -> list[dict]:
        # `python -m sync` gives the lease up when a snapshot asks (it polls for that); this
        # in-process stand-in has no poller, so it gives the lease up after each run.
        reports = [r.to_json() for r in run_due(replicator, sim_clock)]
        replicator.release()
        return reports

    mem.extensions[REPLICATION_TICK] = tick
    for _ in range(2):
        press(console, "/api/reset")
        press(console, "/api/clock", {"action": "freeze"})
        [change] = [c for c in console.get("/api/state").get_json()["queue"]  # today's issue
                    if c["payload"]["licence"]["item"] == "熔化焊接与热切割作业"
                    and c["payload"]["licence"]["holder_name"] == "张三"]
        assert local(change["visible_at"]) == datetime(2026, 10, 10, 0, 0, tzinfo=SHANGHAI)
        press(console, "/api/clock", {"action": "set", "at": "2026-10-09T23:59:00+08:00"})
        press(console, "/api/replicate")
        key = change["certificate_key"]
        assert national.test_client().get(f"/_sim/licences/{key}").status_code == 404
        moved = press(console, "/api/clock", {"action": "next_due"}).get_json()
        assert local(moved["now"]) == datetime(2026, 10, 10, 0, 0, tzinfo=SHANGHAI)
        press(console, "/api/replicate")
        assert national.test_client().get(f"/_sim/licences/{key}").status_code == 200


def test_set_time_moves_the_clock_to_the_instant_given(console, sim_clock):
    moved = press(console, "/api/clock", {"action": "set", "at": "2026-10-01T23:59:00+08:00"})
    assert moved.status_code == 200, moved.get_json()
    assert sim_clock.now() == datetime(2026, 10, 1, 23, 59, tzinfo=SHANGHAI)
    day = console.get("/api/state").get_json()["day"]
    assert (day["label"], day["holiday"]) == ("法定节假日", "国庆节")


@pytest.mark.parametrize("at", ["2026-10-01T23:59:00", "2026-10-01 23:59", "明天", None,
                                "2031-01-01T00:00:00+08:00"])
def test_a_time_without_an_offset_or_outside_the_calendar_is_refused_and_the_clock_stays(
        console, sim_clock, at):
    refused = press(console, "/api/clock", {"action": "set", "at": at})
    assert refused.status_code == 400
    assert refused.get_json()["field"] in ("set", "date")
    assert sim_clock.now() == DEMO_START


def test_set_time_before_data_either_portal_holds_is_refused_pointing_at_snapshots(
        console, portals, sim_clock):
    mem, national = portals
    sim_clock.set(datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI))
    national.test_client().post("/_sim/reset")  # the demo accounts, written at the demo start
    sent = national.test_client().post("/api/v1/sms-codes", json={"phone": "13912345678",
                                                                  "purpose": "register"})
    assert sent.status_code == 200
    refused = press(console, "/api/clock", {"action": "set", "at": "2026-10-08T08:00:00+08:00"})
    assert refused.status_code == 400 and "快照" in refused.get_json()["message"]
    assert sim_clock.now() == datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)


def test_next_due_with_an_empty_queue_says_so(console, sim_clock):
    refused = press(console, "/api/clock", {"action": "next_due"})
    assert refused.status_code == 400 and "没有待到期的变更" in refused.get_json()["message"]
    assert sim_clock.now() == DEMO_START


def test_each_pending_change_in_the_queue_carries_its_delay_explanation(console, portals):
    mem, _ = portals
    issue(mem)
    [change] = console.get("/api/state").get_json()["queue"]
    lines = change["explanation"]
    assert lines[0] == "2026-10-10T00:00:00+08:00"
    assert any("10/1–10/7 国庆节" in line for line in lines)
    assert any("10/10 周六 调休上班" in line for line in lines)


def test_a_snapshot_saved_from_the_console_brings_the_world_back(console, portals, sim_clock):
    mem, _ = portals
    saved = press(console, "/api/snapshots", {"action": "save", "name": "before-issue"})
    assert saved.status_code == 200, saved.get_json()
    key = issue(mem)["certificate_key"]
    press(console, "/api/clock", {"action": "+1wd"})
    listed = console.get("/api/snapshots").get_json()["snapshots"]
    assert [s["name"] for s in listed] == ["demo", "before-issue"]
    assert listed[1]["clock"] == "2026-09-30T10:00:00+08:00"
    restored = press(console, "/api/snapshots", {"action": "restore", "name": "before-issue"})
    assert restored.status_code == 200, restored.get_json()
    assert mem.test_client().get(f"/_sim/certificates/{key}").status_code == 404
    assert sim_clock.now() == DEMO_START
    assert press(console, "/api/snapshots", {"action": "delete", "name": "before-issue"}
                 ).status_code == 200
    assert [s["name"] for s in console.get("/api/snapshots").get_json()["snapshots"]] == ["demo"]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"action": "restore", "name": "nope"}, 404, "snapshot"),
    ({"action": "save", "name": "Bad Name"}, 400, "name"),
    ({"action": "save", "name": "demo"}, 400, "name"),
    ({"action": "delete", "name": "demo"}, 400, "name"),
    ({"action": "rename", "name": "x"}, 400, "action"),
])
def test_a_bad_snapshot_request_names_the_problem_and_changes_nothing(
        console, sim_clock, body, status, field):
    refused = press(console, "/api/snapshots", body)
    assert (refused.status_code, refused.get_json()["field"]) == (status, field)
    assert [s["name"] for s in console.get("/api/snapshots").get_json()["snapshots"]] == ["demo"]
    assert sim_clock.now() == DEMO_START


@pytest.mark.parametrize(("path", "body"), [("/api/clock", {"action": "+3wd"}),
                                            ("/api/outage", {"mode": "down"}),
                                            ("/api/replicate", {}), ("/api/reset", {}),
                                            ("/api/snapshots", {"action": "save", "name": "x"})])
def test_a_button_press_without_the_csrf_token_is_refused_and_changes_nothing(
        console, http, sim_clock, path, body):
    before = len(http.calls)
    refused = console.post(path, json=body)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "csrf"
    assert http.calls[before:] == []
    assert sim_clock.now() == DEMO_START


def test_an_unreachable_portal_is_reported_as_a_bad_gateway_in_chinese():
    app = create_console({"MEM_URL": MEM_URL, "NATIONAL_URL": NATIONAL_URL,
                          "HTTP": UnreachableHTTP(), "SECRET_KEY": "console-test"})
    answer = app.test_client().get("/api/state")
    assert answer.status_code == 502
    assert answer.get_json()["error"] == "portal_unreachable"
    assert "门户无法访问" in answer.get_json()["message"]


def test_the_console_and_both_portals_keep_their_sessions_in_cookies_of_their_own(console,
                                                                                 portals):
    """Cookies are per host, not per port: the console and both portals on 127.0.0.1 share one
    cookie jar in a browser, so each needs its own cookie name (the console used Flask's
    default, `session`) and the console works with the portals' cookies beside its own."""
    mem, national = portals
    for portal in (mem, national):
        name = portal.config["SESSION_COOKIE_NAME"]
        console.set_cookie(name, "a portal's session", domain="localhost")
    assert press(console, "/api/clock", {"action": "+1h"}).status_code == 200
    names = {app.config["SESSION_COOKIE_NAME"] for app in (*portals, console.application)}
    assert len(names) == 3
