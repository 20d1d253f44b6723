"""Replaying against live servers (`--mem-url`, `--national-url`): real HTTP, control-plane clock.

Both portals are served by waitress on loopback with file databases and one simulated clock;
the ministry's "tick now" hook runs a replicator that reaches them over HTTP (requests), as
`python -m sync` would. The replayer only knows the two URLs.

`live_portals` keep a world of their own (in memory); `served_world` are on this process's
world (var/ under tmp_path), as `certsim run` serves them: a replay saves that world first and
puts it back at the end.
"""

from __future__ import annotations

import pytest
import requests
from support.paths import LIBRARY, SCENARIO_FILES
from support.served import LiveServer

import mem_portal
import national_portal
from certsim import apps as served_apps
from certsim import snapshots, world
from mem_portal.control import REPLICATION_TICK
from mem_portal.models import TABLES as MEM_TABLES
from national_portal.models import TABLES as NATIONAL_TABLES
from scenarios import cli
from scenarios.cli import main
from scenarios.live import KEPT_AS
from scenarios.loader import load_file
from scenarios.runner import live, run_scenario
from shared.clock import SimulatedClock
from shared.db import create_schema
from sync import HttpTransport, Replicator, SimulatedStepper, SyncConfig

SECRET = "live-replay-secret"

TABLES = {"mem": MEM_TABLES, "national": NATIONAL_TABLES}


def serve(apps: dict, clock) -> tuple[dict, list]:
    """Serve the apps; answer the ministry's tick with an HTTP replicator that gives the lease
    back after each run (as `python -m sync` does when a snapshot asks for it)."""
    served = {name: LiveServer(app) for name, app in apps.items()}
    urls = {name: s.url for name, s in served.items()}
    config = SyncConfig(mem_url=urls["mem"], national_url=urls["national"], secret=SECRET,
                        holder="live-test", backoff_base=60, backoff_max=3600)
    stepper = SimulatedStepper(Replicator(HttpTransport(urls, SECRET), config), clock)

    def tick() -> dict:
        reports = [r.to_json() for r in stepper.drain()]
        stepper.replicator.release()
        return {"delivered": sum(sum(r["results"].values()) for r in reports)}

    apps["mem"].extensions[REPLICATION_TICK] = tick
    return urls, list(served.values())


def stop(apps: dict, servers: list) -> None:
    for server in servers:
        server.stop()
    for app in apps.values():
        app.extensions["certsim"].engine.dispose()


@pytest.fixture
def live_portals(tmp_path):
    """Serve both portals on a world of their own and attach an HTTP replicator."""
    clock = SimulatedClock()
    common = {"SIM_ENABLED": True, "SYNC_SECRET": SECRET, "TESTING": True}
    apps = {name: factory.create_app(
        {**common, "DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite3"}, clock=clock)
        for name, factory in (("mem", mem_portal), ("national", national_portal))}
    for name, app in apps.items():
        create_schema(app.extensions["certsim"].engine, TABLES[name])
    urls, servers = serve(apps, clock)
    yield urls
    stop(apps, servers)


@pytest.fixture
def served_world(tmp_path, monkeypatch):
    """Serve both portals as `certsim run` does, on this process's world, with a demo under
    way: the demo, the clock on 2 October 2026 15:00, a licence issued to 李梅 then, and what
    was due replicated."""
    monkeypatch.setenv("CERTSIM_VAR_DIR", str(tmp_path))
    for variable in ("MEM_DATABASE_URL", "NATIONAL_DATABASE_URL", "CERTSIM_WORLD",
                     "CERTSIM_CLOCK", "SYNC_LAG"):
        monkeypatch.delenv(variable, raising=False)
    for name in TABLES:
        world.migrate(name)
    common = {"SIM_ENABLED": True, "SYNC_SECRET": SECRET, "TESTING": True}
    apps = {"mem": served_apps.ministry(common), "national": served_apps.national(common)}
    urls, servers = serve(apps, world.clock())
    demo = Demo(urls)
    yield demo
    stop(apps, servers)


class Demo:
    """The live world before a replay, and what to compare it with after."""

    def __init__(self, urls: dict):
        self.urls = urls
        for name in urls:
            self.call(name, "POST", "/_sim/reset", {})
        self.call("mem", "POST", "/_sim/clock", {"set": "2026-10-02T15:00:00+08:00",
                                                 "freeze": True})
        self.key = self.call("mem", "POST", "/_sim/certificates", {
            "name": "李梅", "id_number": "110102198505120025", "category": "电工作业",
            "item": "低压电工作业"})["certificate_key"]
        self.call("mem", "POST", "/_sim/replication/tick", {})  # what is due reaches the nation
        self.before = self.state()

    def call(self, name: str, method: str, path: str, body: dict | None = None) -> dict:
        reply = requests.request(method, self.urls[name] + path, json=body, timeout=10)
        assert reply.status_code < 400, reply.text
        return reply.json()

    def state(self) -> dict:
        """What a replay must give back: both portals' rows (but the nonces of signed calls,
        wall-clock bookkeeping no snapshot keeps), the clock, the lag, the licence."""
        counts = {name: self.call(name, "GET", "/_sim/info")["counts"] for name in self.urls}
        for figures in counts.values():
            figures.pop("used_nonces")
        return {"counts": counts,
                "clock": self.call("mem", "GET", "/_sim/clock")["now"],
                "lag": self.call("mem", "GET", "/_sim/lag"),
                "licence": requests.get(f"{self.urls['mem']}/_sim/certificates/{self.key}",
                                        timeout=10).status_code}

    def replay(self, *paths, flags=()) -> int:
        return main(["run", *map(str, paths), "--no-color", "--mem-url", self.urls["mem"],
                     "--national-url", self.urls["national"], *flags])


def test_the_national_day_scenario_replays_green_against_live_servers(live_portals):
    scenario = load_file(LIBRARY / "delay_national_day.yaml")
    result = run_scenario(scenario, live(live_portals["mem"], live_portals["national"]))
    assert result.passed, result.failure_text()
    delivered = [e for e in result.events if e.kind == "delivered"]
    assert [e.at.isoformat() for e in delivered] == ["2024-10-07T16:00:00+00:00"]


def test_the_cli_replays_several_scenarios_against_the_same_live_servers(live_portals, capsys):
    status = main(["run", str(LIBRARY / "face_check_failing.yaml"),
                   str(LIBRARY / "delay_tiaoxiu_sunday.yaml"), "--no-color", "--keep-replay-world",
                   "--mem-url", live_portals["mem"], "--national-url", live_portals["national"]])
    assert status == 0, capsys.readouterr().out
    assert "2 scenarios: 2 passed, 0 failed" in capsys.readouterr().out


def test_a_live_replay_saves_the_world_the_portals_serve_and_puts_it_back(served_world, capsys):
    status = served_world.replay(LIBRARY / "delay_tiaoxiu_sunday.yaml",
                                 LIBRARY / "face_check_failing.yaml")
    assert status == 0, capsys.readouterr()
    assert served_world.state() == served_world.before
    assert served_world.before["licence"] == 200
    assert KEPT_AS not in snapshots.names()


def test_the_world_is_put_back_after_a_failing_scenario_and_after_a_crash(served_world, tmp_path,
                                                                         monkeypatch, capsys):
    failing = tmp_path / "failing.yaml"
    failing.write_text(SCENARIO_FILES.joinpath("issue_example.yaml").read_text("utf-8").replace(
        "expect: {bound: [c1]}", "expect: {bound: []}"), "utf-8")
    assert served_world.replay(failing) == 1
    assert served_world.state() == served_world.before

    def interrupted(self, result):
        raise KeyboardInterrupt  # Ctrl-C while the first result is printed
    monkeypatch.setattr(cli.ConsoleReport, "scenario", interrupted)
    with pytest.raises(KeyboardInterrupt):
        served_world.replay(LIBRARY / "delay_weekend.yaml")
    assert served_world.state() == served_world.before
    assert KEPT_AS not in snapshots.names()


def test_with_keep_replay_world_the_replay_leaves_the_world_as_it_ended(served_world, capsys):
    status = served_world.replay(LIBRARY / "delay_weekend.yaml", flags=["--keep-replay-world"])
    assert status == 0, capsys.readouterr()
    after = served_world.state()
    assert after["licence"] == 404  # the scenario's world, not the demo
    assert after["clock"] != served_world.before["clock"]
    assert snapshots.names() == ["demo"]


def test_a_demo_started_scenario_replays_green_live_and_the_world_comes_back(served_world,
                                                                             capsys):
    status = served_world.replay(LIBRARY / "demo_national_day.yaml")
    assert status == 0, capsys.readouterr().out
    assert "1 scenarios: 1 passed, 0 failed" in capsys.readouterr().out
    assert served_world.state() == served_world.before


def test_a_scenario_starts_live_from_a_snapshot_saved_on_this_machine(served_world, tmp_path,
                                                                      capsys):
    snapshots.save("mid-holiday")
    scenario = tmp_path / "mid-holiday.yaml"
    scenario.write_text(SCENARIO_FILES.joinpath("snapshot_example.yaml").read_text(
        "utf-8").replace("snapshot: demo", "snapshot: mid-holiday"), "utf-8")
    status = served_world.replay(scenario)
    assert status == 0, capsys.readouterr().out
    assert "✓ 2026-10-02 15:00" in capsys.readouterr().out  # the time the snapshot holds
    assert served_world.state() == served_world.before


def test_a_live_replay_is_refused_when_the_portals_serve_another_world(live_portals, capsys):
    key = requests.post(f"{live_portals['mem']}/_sim/certificates", json={
        "name": "李梅", "id_number": "110102198505120025", "category": "电工作业",
        "item": "低压电工作业"}, timeout=10).json()["certificate_key"]
    status = main(["run", str(LIBRARY / "delay_weekend.yaml"), "--no-color",
                   "--mem-url", live_portals["mem"], "--national-url", live_portals["national"]])
    err = capsys.readouterr().err
    assert status == 2
    assert f"the mem portal at {live_portals['mem']} is not on this process's world" in err
    assert "pass --keep-replay-world" in err and err.rstrip().endswith("nothing was run")
    assert len(err.strip().splitlines()) == 1
    assert requests.get(f"{live_portals['mem']}/_sim/certificates/{key}",
                        timeout=10).status_code == 200  # nothing was reset


def test_a_live_replay_is_refused_when_this_process_reaches_another_database(
        served_world, tmp_path, monkeypatch, capsys):
    other = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    monkeypatch.setenv("NATIONAL_DATABASE_URL", other)  # same world store, another database
    assert served_world.replay(LIBRARY / "delay_weekend.yaml") == 2
    err = capsys.readouterr().err
    assert f"the national portal at {served_world.urls['national']} is not on this process's " \
           f"world (its database is sqlite:///{tmp_path / 'national.sqlite3'}, this process's " \
           f"{other})" in err
    monkeypatch.delenv("NATIONAL_DATABASE_URL")
    assert served_world.state() == served_world.before


def test_a_snapshot_left_by_an_unfinished_replay_is_never_overwritten(served_world, capsys):
    snapshots.save(KEPT_AS)
    assert served_world.replay(LIBRARY / "delay_weekend.yaml") == 2
    assert f"certsim snapshot restore {KEPT_AS}" in capsys.readouterr().err
    assert served_world.state() == served_world.before


def test_the_live_factory_alone_replays_without_saving(live_portals):
    factory = live(live_portals["mem"], live_portals["national"])
    result = run_scenario(load_file(LIBRARY / "delay_weekend.yaml"), factory)
    assert result.passed, result.failure_text()
