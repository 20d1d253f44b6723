"""Scenarios starting from a snapshot: which names the loader knows, which time each start gets,
and the certificates a scenario names in the snapshot."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from support.paths import SCENARIO_FILES

from scenarios.loader import ScenarioLoadError, load_file, load_text
from shared.clock import SHANGHAI

DEMO_START = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    """This machine's var/ (where saved snapshots live), empty."""
    monkeypatch.setenv("CERTSIM_VAR_DIR", str(tmp_path))
    return tmp_path


def saved(var_dir, name: str, at: datetime | None, anchor: datetime | None = None) -> None:
    """Write what `certsim snapshot save` leaves for the world (its rows do not matter here)."""
    folder = var_dir / "snapshots" / name
    folder.mkdir(parents=True)
    clock = {"at": at.isoformat(), "anchor": anchor.isoformat() if anchor else None} if at \
        else None
    (folder / "world.json").write_text(json.dumps({"clock": clock, "lag": "1wd"}))


def scenario(start: str, extra: str = "") -> str:
    return (f"version: 1\nname: t\nstart: {start}\npeople:\n  zhang: {{name: 张三, id_number: "
            f"\"110101199003070011\"}}\n{extra}steps:\n  - do: sync\n")


def test_the_snapshot_example_starts_at_the_demo_time_with_its_certificates_named(var_dir):
    loaded = load_file(SCENARIO_FILES / "snapshot_example.yaml")
    assert (loaded.snapshot, loaded.start) == ("demo", DEMO_START)
    welding = loaded.certificates["welding"]
    assert (welding.person, welding.item, welding.line) == ("zhang", "熔化焊接与热切割作业", 13)


def test_an_unknown_snapshot_is_refused_listing_the_saved_ones_too(var_dir):
    saved(var_dir, "before-national-day", DEMO_START)
    with pytest.raises(ScenarioLoadError) as caught:
        load_text(scenario("{snapshot: national-day}"), "t.yaml")
    assert str(caught.value) == (
        "t.yaml:3:19: start.snapshot: unknown snapshot 'national-day' (known: demo, "
        "before-national-day); save one with `certsim snapshot save`")


def test_a_saved_snapshot_with_a_frozen_clock_starts_at_its_time_unless_told_later(var_dir):
    saved(var_dir, "frozen", DEMO_START + timedelta(hours=2))
    assert load_text(scenario("{snapshot: frozen}"), "t.yaml").start == DEMO_START + timedelta(
        hours=2)
    later = load_text(scenario('{snapshot: frozen, at: "2026-10-08T09:00:00+08:00"}'), "t.yaml")
    assert later.start == datetime(2026, 10, 8, 9, tzinfo=SHANGHAI)
    with pytest.raises(ScenarioLoadError, match="is before 2026-09-30T12:00:00"):
        load_text(scenario('{snapshot: frozen, at: "2026-09-30T11:59:00+08:00"}'), "t.yaml")


def test_a_snapshot_saved_while_its_clock_ran_starts_at_the_time_it_showed_when_saved(var_dir):
    # `save` reads a running clock at the save: `at` is what it showed, `anchor` the wall time
    saved(var_dir, "running", DEMO_START + timedelta(minutes=90),
          anchor=datetime(2025, 1, 1, 9, 30, tzinfo=SHANGHAI))
    start = load_text(scenario("{snapshot: running}"), "t.yaml").start
    assert start == DEMO_START + timedelta(minutes=90)


def test_a_snapshot_saved_in_real_time_needs_an_explicit_start_time(var_dir):
    saved(var_dir, "real-time", None)
    with pytest.raises(ScenarioLoadError, match="holds no simulated time: give start.at"):
        load_text(scenario("{snapshot: real-time}"), "t.yaml")
    assert load_text(scenario('{snapshot: real-time, at: "2026-01-05T09:00:00+08:00"}'),
                     "t.yaml").snapshot == "real-time"


def test_a_named_certificate_cannot_be_named_again_by_an_issue_step(var_dir):
    text = scenario("{snapshot: demo}", "certificates:\n  c1: {person: zhang, item: 低压电工作业}\n")
    text = text.replace("  - do: sync\n", "  - do: issue\n    person: zhang\n    category: 电工作业\n"
                                          "    item: 低压电工作业\n    as: c1\n")
    with pytest.raises(ScenarioLoadError) as caught:
        load_text(text, "t.yaml")
    assert "t.yaml:13:9: certificate 'c1' is already named by `certificates`" == str(caught.value)


def test_a_named_certificate_of_someone_not_listed_is_refused(var_dir):
    with pytest.raises(ScenarioLoadError, match=r"^t.yaml:7:16: unknown person 'li': list it under `people`"):
        load_text(scenario("{snapshot: demo}", "certificates:\n  c1: {person: li, item: X}\n"),
                  "t.yaml")
