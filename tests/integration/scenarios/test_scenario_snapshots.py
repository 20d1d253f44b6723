"""Scenarios starting from a snapshot, replayed in-process: the demo (its holders log in and see
their licences), a snapshot saved on this machine, and the pool switching between such starts
and empty ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from support.paths import LIBRARY, SCENARIO_FILES

from certsim import snapshots, world
from scenarios.loader import load_file, load_text
from scenarios.runner import run_scenario
from scenarios.world import InProcessWorlds
from shared.clock import SHANGHAI
from shared.world import WorldClock

DEMO_DAY = LIBRARY / "demo_national_day.yaml"


def test_the_demo_national_day_story_replays_green_with_the_delay_explained():
    result = run_scenario(load_file(DEMO_DAY))
    assert result.passed, result.failure_text()
    due = [(e.certificate, e.at.isoformat()) for e in result.events if e.kind == "due"]
    assert due == [("welding", "2026-10-09T16:00:00+00:00")]  # 10 October 00:00 in Beijing
    [change] = result.changes.values()  # the demo's own history is older than the start
    assert (change.certificate, change.kind, change.step) == ("welding", "issued", None)
    assert any("国庆节" in line for line in change.explanation), change.explanation


def test_a_reused_world_switches_between_empty_and_snapshot_starts_like_fresh_worlds():
    scenarios = [load_file(path) for path in (
        LIBRARY / "delay_weekend.yaml", DEMO_DAY, SCENARIO_FILES / "snapshot_example.yaml",
        LIBRARY / "delay_weekend.yaml")]
    pool = InProcessWorlds()
    try:
        reused = [run_scenario(s, pool) for s in scenarios]
    finally:
        pool.discard()
    fresh = [run_scenario(s) for s in scenarios]
    for a, b in zip(reused, fresh, strict=True):
        assert a.passed and b.passed, a.failure_text() or b.failure_text()
        assert [(s.at, s.summary) for s in a.steps] == [(s.at, s.summary) for s in b.steps]
        assert a.events == b.events


def test_a_certificate_the_snapshot_does_not_hold_stops_the_scenario_naming_its_line():
    text = SCENARIO_FILES.joinpath("snapshot_example.yaml").read_text("utf-8").replace(
        "welding: {person: zhang, item: 熔化焊接与热切割作业}", "welding: {person: zhang, item: 高压电工作业}")
    result = run_scenario(load_text(text, "missing.yaml"))
    assert not result.passed and result.steps == []
    assert result.crash == ("certificates.welding (line 13): snapshot 'demo' holds no 高压电工作业 "
                            "certificate of 张三 (110101199003070011)")


@pytest.fixture
def saved_after_the_holiday(tmp_path, monkeypatch):
    """A snapshot saved on this machine: the demo on 8 October 2026 09:00 (frozen), lag 1wd."""
    monkeypatch.setenv("CERTSIM_VAR_DIR", str(tmp_path))
    for variable in ("MEM_DATABASE_URL", "NATIONAL_DATABASE_URL", "CERTSIM_WORLD"):
        monkeypatch.delenv(variable, raising=False)
    snapshots.restore("demo")
    store = world.settings().world()
    store.update(lambda state: replace(state, lag="1wd", lag_seed=0))
    clock = WorldClock(store)
    clock.freeze()
    clock.set(datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI))
    snapshots.save("after-holiday")
    return "after-holiday"


def test_a_scenario_starts_from_a_saved_snapshot_with_its_data_time_and_lag(
        saved_after_the_holiday):
    text = SCENARIO_FILES.joinpath("snapshot_example.yaml").read_text("utf-8").replace(
        "snapshot: demo", f"snapshot: {saved_after_the_holiday}")
    text = text.replace('expect: {replicated: false, visible_from: "2026-10-10"}', """expect: {replicated: false, visible_from: "2026-10-10"}
  - do: issue
    person: zhang
    category: 电工作业
    item: 高压电工作业
    as: high
  - do: check
    certificate: high
    expect: {replicated: false, visible_from: "2026-10-09"}
""")
    scenario = load_text(text, "after-holiday.yaml")
    assert scenario.start == datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    result = run_scenario(scenario)
    assert result.passed, result.failure_text()
    assert [s.at for s in result.steps][-1] == scenario.start
