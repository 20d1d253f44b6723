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

from certsim.console import create_app as create_console
from certsim.demo import DEMO_PASSWORD, DEMO_START, HOLDERS
from mem_portal.control import REPLICATION_TICK
from shared.clock import SHANGHAI, SimulatedClock
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
def sim_clock() -> SimulatedClock:
    """One frozen clock shared by both portals, at the demo start (the eve of National Day)."""
    return SimulatedClock(DEMO_START)


@pytest.fixture
def portals(db_url_factory, sim_clock):
    common = {"SYNC_SECRET": SECRET}
    return (make_mem_app(db_url_factory("mem"), sim_clock, SYNC_LAG="3wd", **common),
            make_national_app(db_url_factory("national"), sim_clock, **common))


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
        console, portals):
    mem, national = portals
    key = issue(mem)["certificate_key"]
    answer = press(console, "/api/reset")
    assert answer.status_code == 200
    assert len(answer.get_json()["mem"]["demo"]) >= 5
    assert len(answer.get_json()["national"]["demo"]) == len(HOLDERS)
    assert mem.test_client().get(f"/_sim/certificates/{key}").status_code == 404
    assert national.test_client().get(f"/_sim/licences/{key}").status_code == 404
    for portal in (mem, national):
        login = portal.test_client().post("/api/v1/login", json={
            "login": HOLDERS[0].phone, "password": DEMO_PASSWORD})
        assert login.status_code == 200, login.get_json()
    queue = console.get("/api/state").get_json()["queue"]
    assert {c["payload"]["licence"]["holder_name"] for c in queue} >= {"张三"}


@pytest.mark.parametrize(("path", "body"), [("/api/clock", {"action": "+3wd"}),
                                            ("/api/outage", {"mode": "down"}),
                                            ("/api/replicate", {}), ("/api/reset", {})])
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
