"""Replaying against live servers (`--mem-url`, `--national-url`): real HTTP, control-plane clock.

Both portals are served by waitress on loopback with file databases and one simulated clock;
the ministry's "tick now" hook runs a replicator that reaches them over HTTP (requests), as
`python -m sync` would. The replayer only knows the two URLs.
"""

from __future__ import annotations

import threading

import pytest
from support.paths import LIBRARY

import mem_portal
import national_portal
from mem_portal.control import REPLICATION_TICK
from mem_portal.models import TABLES as MEM_TABLES
from national_portal.models import TABLES as NATIONAL_TABLES
from scenarios.cli import main
from scenarios.loader import load_file
from scenarios.runner import live, run_scenario
from shared.clock import SimulatedClock
from shared.db import create_schema
from sync import HttpTransport, Replicator, SimulatedStepper, SyncConfig

SECRET = "live-replay-secret"

TABLES = {"mem": MEM_TABLES, "national": NATIONAL_TABLES}


class Served:
    """A WSGI app on a free loopback port, in a daemon thread."""

    def __init__(self, app):
        from waitress.server import create_server

        self.server = create_server(app, host="127.0.0.1", port=0, threads=4,
                                    asyncore_loop_timeout=0.2)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.trigger.pull_trigger(
            lambda: [channel.close() for channel in list(self.server._map.values())])
        self.thread.join(timeout=5)
        self.server.task_dispatcher.shutdown(timeout=5)


@pytest.fixture
def live_portals(tmp_path):
    """Serve both portals and attach an HTTP replicator to the ministry's tick hook."""
    clock = SimulatedClock()
    common = {"SIM_ENABLED": True, "SYNC_SECRET": SECRET, "TESTING": True}
    apps = {name: factory.create_app(
        {**common, "DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite3"}, clock=clock)
        for name, factory in (("mem", mem_portal), ("national", national_portal))}
    for name, app in apps.items():
        create_schema(app.extensions["certsim"].engine, TABLES[name])
    served = {name: Served(app) for name, app in apps.items()}
    urls = {name: s.url for name, s in served.items()}
    config = SyncConfig(mem_url=urls["mem"], national_url=urls["national"], secret=SECRET,
                        holder="live-test", backoff_base=60, backoff_max=3600)
    stepper = SimulatedStepper(Replicator(HttpTransport(urls, SECRET), config), clock)

    def tick() -> dict:
        reports = [r.to_json() for r in stepper.drain()]
        return {"delivered": sum(sum(r["results"].values()) for r in reports)}

    apps["mem"].extensions[REPLICATION_TICK] = tick
    yield urls
    for server in served.values():
        server.stop()
    for app in apps.values():
        app.extensions["certsim"].engine.dispose()


def test_the_national_day_scenario_replays_green_against_live_servers(live_portals):
    scenario = load_file(LIBRARY / "delay_national_day.yaml")
    result = run_scenario(scenario, live(live_portals["mem"], live_portals["national"]))
    assert result.passed, result.failure_text()
    delivered = [e for e in result.events if e.kind == "delivered"]
    assert [e.at.isoformat() for e in delivered] == ["2024-10-07T16:00:00+00:00"]


def test_the_cli_replays_several_scenarios_against_the_same_live_servers(live_portals, capsys):
    status = main(["run", str(LIBRARY / "face_check_failing.yaml"),
                   str(LIBRARY / "delay_tiaoxiu_sunday.yaml"), "--no-color",
                   "--mem-url", live_portals["mem"], "--national-url", live_portals["national"]])
    assert status == 0, capsys.readouterr().out
    assert "2 scenarios: 2 passed, 0 failed" in capsys.readouterr().out
