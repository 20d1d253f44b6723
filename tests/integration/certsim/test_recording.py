"""Recording a session over both portals' JSON APIs and the back office, then replaying the file
it becomes: the world store is where the two portals (and the CLI) meet, so one recording
covers them all."""

from __future__ import annotations

from datetime import datetime

import pytest
from support.mem import make_test_app as make_mem_app
from support.national import make_app as make_national_app
from support.worlds import lay_out_world

from certsim import recording, snapshots, world
from certsim.demo import DEMO_PASSWORD
from mem_portal.control import REPLICATION_TICK
from scenarios.loader import load_text
from scenarios.runner import run_scenario
from shared.clock import SHANGHAI
from shared.world import FileStore, WorldClock
from sync import Replicator, SyncConfig
from sync.runner import run_due
from sync.transport import WsgiTransport

SECRET = "recording-test-secret"
TUESDAY = datetime(2024, 9, 10, 9, 0, tzinfo=SHANGHAI)
ZHANG = {"name": "张三", "id_number": "110101199003070011", "phone": "13800138000"}
PASSWORD = "Rec@2024x"


@pytest.fixture
def world_store(tmp_path, monkeypatch) -> FileStore:
    """One world as `certsim run` lays it out (SQLite files and a world file, named in this
    process's environment), its clock paused on Tuesday 10 September 2024 09:00."""
    store = lay_out_world(monkeypatch, tmp_path)
    WorldClock(store).freeze()
    WorldClock(store).set(TUESDAY)
    return store


@pytest.fixture
def portals(world_store):
    clock = WorldClock(world_store)
    mem = make_mem_app(world.database_url("mem"), clock, world_store, SYNC_SECRET=SECRET)
    national = make_national_app(world.database_url("national"), clock, world_store,
                                 SYNC_SECRET=SECRET)
    replicator = Replicator(WsgiTransport({"mem": mem, "national": national}, SECRET),
                            SyncConfig(mem_url="http://mem.test",
                                       national_url="http://national.test", secret=SECRET,
                                       holder="recording-test"))
    mem.extensions[REPLICATION_TICK] = lambda: [r.to_json() for r in run_due(replicator, clock)]
    return mem.test_client(), national.test_client()


class Holder:
    """One holder on one portal, through its JSON API only."""

    def __init__(self, client, person: dict, password: str = PASSWORD):
        self.client, self.person, self.password, self.auth = client, person, password, {}

    def ok(self, method: str, path: str, body=None, status: int = 200) -> dict:
        answer = self.client.open(path, method=method, json=body, headers=self.auth)
        assert answer.status_code == status, answer.get_json()
        return answer.get_json() or {}

    def register(self, captcha: bool = False) -> dict:
        phone = self.person["phone"]
        self.ok("POST", "/api/v1/sms-codes", {"phone": phone, "purpose": "register"})
        code = self.ok("GET", f"/_sim/sms?phone={phone}")["messages"][0]["code"]
        form = {**self.person, "id_valid_from": None, "password": self.password,
                "confirm_password": self.password, "sms_code": code, "agree": True}
        if captcha:
            token = self.ok("GET", "/api/v1/captcha")["token"]
            form |= {"captcha_token": token,
                     "captcha_answer": self.ok("GET", f"/_sim/captcha/{token}")["answer"]}
        answer = self.ok("POST", "/api/v1/register", form, status=201)
        if ticket := answer.get("face_check"):  # the ministry's 实人认证 step
            self.ok("POST", f"/_sim/face-checks/{ticket['token']}", {"outcome": "pass"})
            self.ok("POST", "/api/v1/register/complete", {"token": ticket["token"]})
        return answer

    def log_in(self, password: str | None = None, status: int = 200) -> dict:
        self.auth = {}
        answer = self.ok("POST", "/api/v1/login", {"login": self.person["phone"],
                                                   "password": password or self.password},
                         status=status)
        if status == 200:
            self.auth = {"Authorization": f"Bearer {answer['token']}"}
        return answer

    def verify(self, purpose: str) -> None:
        ticket = self.ok("POST", "/api/v1/face-checks", {"purpose": purpose}, status=201)
        self.ok("POST", f"/_sim/face-checks/{ticket['token']}", {"outcome": "pass"})


def replay(recorded) -> None:
    """Load the file the recording wrote and replay it in-process: it must pass."""
    scenario = load_text(recorded.to_yaml(), "recorded.yaml")
    result = run_scenario(scenario)
    assert result.passed, result.failure_text() + "\n" + recorded.to_yaml()


def test_a_session_over_both_json_apis_with_the_clock_moving_replays_green(portals):
    mem, national = portals
    started = recording.start("api-story")
    assert started["snapshot"] is None  # an empty world: the file starts at a time

    nation = Holder(national, ZHANG)
    nation.register()
    issued = Holder(mem, ZHANG).ok("POST", "/_sim/certificates", {
        "name": ZHANG["name"], "id_number": ZHANG["id_number"], "category": "电工作业",
        "item": "低压电工作业"}, status=201)
    key = issued["certificate_key"]
    nation.log_in(password="Wrong@2024", status=401)
    nation.log_in()
    nation.verify("bind")
    nation.ok("POST", "/api/v1/licences/bind", {"type": "特种作业操作证"}, status=404)
    nation.ok("POST", "/_sim/clock", {"advance": "3wd"}, status=405)  # the ministry moves it
    Holder(mem, ZHANG).ok("POST", "/_sim/clock", {"advance": "3wd"})
    Holder(mem, ZHANG).ok("POST", "/_sim/replication/tick")
    nation.log_in()
    nation.verify("bind")
    assert nation.ok("POST", "/api/v1/licences/bind", {"type": "特种作业操作证"})["bound"] == [key]
    nation.ok("GET", f"/api/v1/licences/{key}")
    nation.ok("DELETE", f"/api/v1/licences/{key}/binding")
    ministry = Holder(mem, ZHANG)
    ministry.register(captcha=True)
    ministry.log_in()
    ministry.verify("licences")
    assert len(ministry.ok("GET", "/api/v1/licences")["licences"]) == 1

    recorded = recording.stop()
    assert recording.status() == {"recording": False}
    steps = [step["do"] for step in recorded.document["steps"]]
    assert steps == ["national.register", "issue", "national.login", "national.login",
                     "national.verify_identity", "national.bind", "wait", "sync",
                     "national.login", "national.verify_identity", "national.bind",
                     "national.details", "national.unbind", "mem.register", "mem.login",
                     "mem.verify_identity", "mem.my_licences"]
    assert recorded.document["people"] == {"张三": {**ZHANG, "password": PASSWORD}}
    assert [u.path for u in recorded.unexpressed] == []  # the 404 above changed nothing
    replay(recorded)


def test_a_recording_started_on_the_demo_names_its_snapshot_and_replays_green_from_it(
        portals, world_store):
    mem, national = portals
    snapshots.restore(snapshots.DEMO, world_store)
    WorldClock(world_store).freeze()  # the demo's clock runs; a test's must not
    started = recording.start("Demo Story")
    assert started["snapshot"] == "demo-story" and "demo-story" in snapshots.names()

    ministry = Holder(mem, ZHANG, password=DEMO_PASSWORD)
    ministry.log_in()
    ministry.verify("licences")
    listed = ministry.ok("GET", "/api/v1/licences")["licences"]
    ministry.ok("GET", f"/api/v1/licences/{listed[0]['key']}")
    Holder(mem, ZHANG).ok("POST", "/_sim/clock", {"advance": "1wd"})
    Holder(mem, ZHANG).ok("POST", "/_sim/replication/tick")  # the demo's older licences
    nation = Holder(national, ZHANG, password=DEMO_PASSWORD)
    nation.log_in()
    nation.verify("bind")
    nation.ok("POST", "/api/v1/licences/bind", {"type": "特种作业操作证"})

    recorded = recording.stop()
    document = recorded.document
    assert document["start"] == {"snapshot": "demo-story"}
    assert document["people"]["张三"]["password"] == DEMO_PASSWORD
    assert {c["person"] for c in document["certificates"].values()} == {"张三"}
    assert recorded.unexpressed == []
    replay(recorded)


def test_what_the_format_cannot_say_is_reported_at_stop_with_its_request(portals, world_store):
    mem, _ = portals
    recording.start("with-gaps")
    Holder(mem, ZHANG).ok("PUT", "/_sim/lag", {"lag": "1wd"})
    Holder(mem, ZHANG).ok("POST", "/_sim/certificates", {
        "name": ZHANG["name"], "id_number": ZHANG["id_number"], "category": "电工作业",
        "item": "低压电工作业"}, status=201)
    recorded = recording.stop()
    assert [u.line() for u in recorded.unexpressed] == [
        "2024-09-10 09:00:00 PUT /_sim/lag: the scenario format has no step for this request"]
    assert [s["do"] for s in recorded.document["steps"]] == ["issue"]  # the rest is written
    replay(recorded)


def test_a_refused_sms_code_request_is_reported_at_stop_not_folded_into_a_step(portals,
                                                                               world_store):
    mem, _ = portals
    recording.start("sms-too-soon")
    holder = Holder(mem, ZHANG)
    holder.ok("POST", "/api/v1/sms-codes", {"phone": ZHANG["phone"], "purpose": "register"})
    holder.ok("POST", "/api/v1/sms-codes", {"phone": ZHANG["phone"], "purpose": "register"},
              status=400)  # one code a minute
    recorded = recording.stop()
    assert [u.line().split(":", 3)[:3] for u in recorded.unexpressed] == [
        ["2024-09-10 09", "00", "00 POST /api/v1/sms-codes"]]


def test_the_back_office_and_clock_commands_are_recorded_too(portals, world_store, capsys):
    from certsim.cli import main

    recording.start("cli")
    assert main(["issue", "--name", ZHANG["name"], "--id-number", ZHANG["id_number"],
                 "--category", "电工作业", "--item", "低压电工作业"]) == 0
    licence_id = capsys.readouterr().out.strip()
    assert main(["clock", "advance", "1wd"]) == 0
    assert main(["revoke", licence_id, "--reason", "违规"]) == 0
    recorded = recording.stop()
    assert [(s["do"], s.get("reason")) for s in recorded.document["steps"]] == [
        ("issue", None), ("wait", None), ("revoke", "违规")]
    replay(recorded)


def test_record_writes_the_file_when_stopped_from_elsewhere(portals, world_store, tmp_path):
    from certsim.cli import main

    recording.start("elsewhere")
    Holder(portals[0], ZHANG).ok("POST", "/_sim/clock", {"advance": "2h"})
    out = tmp_path / "out" / "story.yaml"
    assert main(["record", "--stop", "--out", str(out)]) == 0
    assert "until: '2024-09-10T11:00:00+08:00'" in out.read_text("utf-8")
