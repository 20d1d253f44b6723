"""The replayer end to end: both portals and the replicator in-process, the CLI and its reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from support.paths import LIBRARY, SCENARIO_FILES

from certsim.cli import build_parser
from scenarios.actions import ACTIONS
from scenarios.cli import main
from scenarios.loader import load_file, load_text, schema
from scenarios.runner import run_scenario
from scenarios.world import InProcessWorld, InProcessWorlds
from shared.clock import SHANGHAI

FILES = SCENARIO_FILES

HEADER = """version: 1
name: {name}
start: "2024-09-27T17:00:00+08:00"
replication:
  lag: 3wd
people:
  zhang:
    name: 张三
    id_number: "110101199003070011"
    phone: "13800138000"
steps:
  - do: issue
    person: zhang
    category: 电工作业
    item: 低压电工作业
    as: c1
"""


LOGGED_IN_AND_CHECKED = """  - do: national.register
    person: zhang
  - do: national.login
    person: zhang
  - do: national.verify_identity
    person: zhang
"""


def scenario_file(tmp_path: Path, name: str, steps: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEADER.format(name=name) + steps, "utf-8")
    return path


def test_every_action_of_the_schema_has_an_implementation_and_no_other_exists():
    assert set(schema()["$defs"]["actions"]) == set(ACTIONS)


def test_the_issue_example_replays_green_with_bind_failing_then_succeeding():
    result = run_scenario(load_file(FILES / "issue_example.yaml"))
    assert result.passed, result.failure_text()
    assert [s.step.action for s in result.steps][4:] == [
        "national.bind", "wait", "national.login", "national.verify_identity", "national.bind",
        "national.unbind"]
    kinds = [(e.lane, e.kind, e.at.isoformat()) for e in result.events]
    assert ("replication", "due", "2024-10-07T16:00:00+00:00") in kinds
    assert ("national", "delivered", "2024-10-07T16:00:00+00:00") in kinds  # at the due moment


def test_a_failed_expectation_names_step_and_simulated_time_and_stops_the_scenario(tmp_path):
    path = scenario_file(tmp_path, "too-early", LOGGED_IN_AND_CHECKED + """  - do: national.bind
    person: zhang
    expect: {bound: [c1]}
  - do: national.logout
    person: zhang
""")
    result = run_scenario(load_file(path))
    assert not result.passed and result.crash is None
    assert result.failed_step.step.number == 5
    assert result.failure_text().startswith(
        "step 5 (national.bind (person=zhang), line 23) failed at 2024-09-27T17:00:00+08:00:")
    assert "expected success, got error not_found" in result.failure_text()
    assert [s.number for s in result.not_run] == [6]


def test_a_reused_world_replays_exactly_like_a_fresh_one():
    scenarios = [load_file(LIBRARY / name) for name in (
        "revoked_and_cancelled.yaml", "national_outage_catch_up.yaml", "delay_weekend.yaml")]
    pool = InProcessWorlds()
    try:
        reused = [run_scenario(s, pool) for s in scenarios]
    finally:
        pool.discard()
    fresh = [run_scenario(s) for s in scenarios]
    for a, b in zip(reused, fresh, strict=True):
        assert a.passed and b.passed
        assert [(s.at, s.summary) for s in a.steps] == [(s.at, s.summary) for s in b.steps]
        assert a.events == b.events


def test_a_crash_is_reported_against_its_scenario_and_the_next_one_still_runs(tmp_path):
    good = load_file(scenario_file(tmp_path, "good", ""))

    def broken_world(scenario):
        raise RuntimeError("the ministry portal would not start")

    crashed = run_scenario(good, broken_world)
    assert crashed.crash and "the ministry portal would not start" in crashed.crash
    assert not crashed.passed
    assert run_scenario(good).passed


def test_the_cli_exits_zero_and_writes_junit_and_html_reports(tmp_path, capsys):
    junit, html = tmp_path / "out" / "junit.xml", tmp_path / "out" / "report.html"
    status = main(["run", str(FILES / "issue_example.yaml"), "--junit", str(junit),
                   "--html", str(html), "--no-color"])
    out = capsys.readouterr().out
    assert status == 0
    bind_line = next(line for line in out.splitlines() if " 9 national.bind" in line)
    assert bind_line.split()[:4] == ["✓", "2024-10-08", "09:00", "周二"]
    assert "1 scenarios: 1 passed, 0 failed" in out
    case = ET.parse(junit).getroot().find("./testsuite/testcase")
    assert case.get("name") == "国庆前签发，3 个工作日后国家平台可绑定"
    assert case.find("failure") is None
    page = html.read_text("utf-8")
    assert "<svg" in page and "c1 绑定" in page and "c1 到期" in page


def test_the_cli_exits_one_on_a_failed_expectation_and_stops_with_fail_fast(tmp_path, capsys):
    failing = scenario_file(tmp_path, "a-failing", """  - do: check
    certificate: c1
    expect: {replicated: true}
""")
    passing = scenario_file(tmp_path, "b-passing", "")
    status = main(["run", str(failing), str(passing), "--fail-fast", "--no-color",
                   "--junit", str(tmp_path / "junit.xml")])
    out = capsys.readouterr().out
    assert status == 1
    assert "expected replicated true, got false" in out
    assert "b-passing" not in out
    failure = ET.parse(tmp_path / "junit.xml").getroot().find("./testsuite/testcase/failure")
    assert failure.get("message").startswith("step 2 (check (certificate=c1), line 17) failed at "
                                              "2024-09-27T17:00:00+08:00")


def test_the_cli_runs_nothing_when_any_file_does_not_load(tmp_path, capsys, monkeypatch):
    built = []
    monkeypatch.setattr(InProcessWorld, "__init__",
                        lambda self, *a, **k: built.append(a) or pytest.fail("a world was built"))
    status = main(["run", str(FILES / "issue_example.yaml"), str(FILES / "unknown_alias.yaml"),
                   "--junit", str(tmp_path / "junit.xml")])
    captured = capsys.readouterr()
    assert status == 2 and built == []
    assert f"{FILES / 'unknown_alias.yaml'}:17:18: unknown certificate 'c2'" in captured.err
    assert "nothing was run" in captured.err
    assert captured.out == "" and not (tmp_path / "junit.xml").exists()


def test_certsim_replay_is_the_same_command():
    args = build_parser().parse_args(["replay", "scenarios/library", "--fail-fast"])
    assert args.paths == ["scenarios/library"] and args.fail_fast


def test_a_scenario_may_override_the_lag_with_any_sync_lag_syntax():
    text = HEADER.format(name="no lag").replace("lag: 3wd", 'lag: "0"') + """  - do: check
    certificate: c1
    expect: {replicated: true, visible_from: "2024-09-27"}
"""
    result = run_scenario(load_text(text, "no-lag.yaml"))
    assert result.passed, result.failure_text()


def test_manual_lag_leaves_visible_from_null_and_nothing_replicates():
    text = HEADER.format(name="manual").replace("lag: 3wd", "lag: manual") + """  - do: wait
    for: 3wd
  - do: check
    certificate: c1
    expect: {replicated: false, visible_from: null}
"""
    result = run_scenario(load_text(text, "manual.yaml"))
    assert result.passed, result.failure_text()
    assert json.loads(json.dumps([e.kind for e in result.events])) == ["issued"]


def test_bind_finding_nothing_answers_the_guides_two_reasons_numbered_as_the_page_shows(tmp_path):
    path = scenario_file(tmp_path, "nothing-yet", LOGGED_IN_AND_CHECKED + """  - do: national.bind
    person: zhang
    expect:
      error: not_found
      guidance: [原因一：特种作业操作证电子证照系统仅支持新版, 原因二：数据存在延迟, "解决方法：可先行前往"]
  - do: national.my_licences
    person: zhang
    expect: {count: 0, guidance: [原因一, 原因二]}
""")
    result = run_scenario(load_file(path))
    assert result.passed, result.failure_text()


def test_a_sync_right_after_the_national_portal_comes_back_delivers_at_once(tmp_path):
    steps = """  - at: "2024-10-07T23:00:00+08:00"
    do: fault
    national: down
  - at: "2024-10-08T00:00:30+08:00"
    do: fault
    national: up
    note: the attempt at 00:00 failed; without 立即同步 the next waits until 00:01
  - do: sync
  - do: check
    certificate: c1
    expect: {replicated: true}
"""
    result = run_scenario(load_file(scenario_file(tmp_path, "recovered", steps)))
    assert result.passed, [step.problems for step in result.steps if not step.passed]


def test_a_world_moving_its_clock_runs_the_replicator_only_once_a_change_is_due():
    start = datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI)
    world = InProcessWorld(start, "3wd")
    try:
        runs = []
        replicate_due = world.stepper.replicator.replicate_due
        world.stepper.replicator.replicate_due = lambda now: runs.append(now) or replicate_due(now)
        key = world.mem.ok("POST", "/_sim/certificates", {
            "name": "张三", "id_number": "110101199003070011", "category": "电工作业",
            "item": "低压电工作业"})["certificate_key"]
        world.move_to(datetime(2024, 10, 7, 23, 59, tzinfo=SHANGHAI))  # due 10-08 00:00
        assert runs == []
        world.move_to(datetime(2024, 10, 9, 9, 0, tzinfo=SHANGHAI))
        assert runs[0] == datetime(2024, 10, 8, 0, 0, tzinfo=SHANGHAI)
        [row] = world.mem.ok("GET", f"/_sim/outbox?key={key}")["changes"]
        assert row["state"] == "delivered"
        assert datetime.fromisoformat(row["delivered_at"]) == runs[0]
    finally:
        world.close()


def test_a_check_after_the_clock_moved_reads_the_outbox_once_and_sees_the_delivery(monkeypatch):
    """`check` reads the latest change from the runner's own observation of the outbox: one
    peek a step (made before the action once the clock moved), not one more of its own."""
    text = HEADER.format(name="check after a move") + """  - do: check
    certificate: c1
    at: "2024-10-08T09:00:00+08:00"
    expect: {replicated: true, visible_from: "2024-10-08"}
"""
    peeks: list[str] = []
    world = InProcessWorld(datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI), "3wd")
    call = world.mem.call
    monkeypatch.setattr(world.mem, "call", lambda method, path, body=None, **kw: (
        peeks.append(path) if path.startswith("/_sim/outbox") else None) or call(
        method, path, body, **kw))
    result = run_scenario(load_text(text, "check-after-a-move.yaml"), lambda _: world)
    assert result.passed, result.failure_text()
    assert len(peeks) == 2  # after the issue, and once for the check the clock moved to
    assert [e.kind for e in result.events] == ["issued", "due", "delivered"]


def test_a_change_due_at_once_is_delivered_within_its_own_step():
    text = HEADER.format(name="lag 0").replace("lag: 3wd", 'lag: "0"') + """  - do: check
    certificate: c1
    expect: {replicated: true, national_revision: 1}
"""
    result = run_scenario(load_text(text, "due-at-once.yaml"))
    assert result.passed, result.failure_text()
    assert [e.kind for e in result.events] == ["issued", "due", "delivered"]
    assert {e.at for e in result.events} == {datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI)}
