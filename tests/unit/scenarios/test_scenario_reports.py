"""Report writers on hand-made results: console, JUnit XML, HTML timeline geometry."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

from scenarios.model import Scenario, Step
from scenarios.reporting.console import ConsoleReport
from scenarios.reporting.html import html_report
from scenarios.reporting.junit import junit_xml
from scenarios.reporting.timeline import build_timeline
from scenarios.results import Change, Event, ScenarioResult, StepResult
from shared.clock import SHANGHAI
from shared.workdays import WorkingCalendar

START = datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI)
CALENDAR = WorkingCalendar()


def make_step(number: int, action: str, **params) -> Step:
    return Step(number=number, action=action, params=params, expect={}, at=None, note=None,
                line=10 + 3 * number, column=5)


def scenario_result(*, failing: bool) -> ScenarioResult:
    steps = [make_step(1, "issue", person="zhang", category="电工作业", item="低压电工作业",
                       **{"as": "c1"}),
             make_step(2, "national.bind", person="zhang"),
             make_step(3, "national.unbind", person="zhang", certificate="c1")]
    scenario = Scenario(path=Path("library/national_day.yaml"), name="国庆前签发", start=START,
                        steps=steps)
    due = datetime(2024, 10, 8, 0, 0, tzinfo=SHANGHAI)
    bind_at = due + timedelta(hours=9)
    result = ScenarioResult(scenario, end=bind_at, wall_seconds=0.05)
    result.steps = [StepResult(steps[0], START, True, "c1 = 2024…"),
                    StepResult(steps[1], bind_at, not failing, "not_found",
                               ["expected bound [c1], got error not_found: 未查询到"]
                               if failing else [])]
    if not failing:
        result.steps.append(StepResult(steps[2], bind_at, True, "已解除绑定 c1"))
    result.events = [Event(START, "ministry", "issued", "c1", "c1 签发（新版）"),
                     Event(due, "replication", "due", "c1", "c1 到期"),
                     Event(due, "national", "delivered", "c1", "c1 送达"),
                     Event(bind_at, "national", "bound", "c1", "c1 绑定")]
    return result


def test_the_console_shows_each_step_with_its_simulated_time_and_the_failure():
    out = io.StringIO()
    report = ConsoleReport(CALENDAR, out, color=False)
    report.scenario(scenario_result(failing=True))
    text = out.getvalue()
    assert "✓ 2024-09-27 17:00 周五" in text
    assert "✗ 2024-10-08 09:00 周二" in text
    assert "expected bound [c1], got error not_found: 未查询到" in text
    assert "3 national.unbind (person=zhang, certificate=c1) (not run)" in text
    assert "✗ FAILED" in text


def test_junit_has_one_testcase_per_scenario_and_the_failure_names_step_and_time():
    root = ET.fromstring(junit_xml([scenario_result(failing=True),
                                    scenario_result(failing=False)]))
    assert root.get("tests") == "2" and root.get("failures") == "1"
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ["国庆前签发", "国庆前签发"]
    failure = cases[0].find("failure")
    assert failure.get("message") == ("step 2 (national.bind (person=zhang), line 16) failed at "
                                      "2024-10-08T09:00:00+08:00:")
    assert "expected bound [c1]" in failure.text
    assert cases[1].find("failure") is None


def test_the_timeline_puts_each_event_on_its_lane_in_time_order_and_shades_rest_days():
    timeline = build_timeline(scenario_result(failing=False), CALENDAR)
    lanes = {lane["key"]: lane for lane in timeline.lanes}
    issued, due, delivered, bound = timeline.marks
    assert lanes["ministry"]["y"] <= issued.y < lanes["replication"]["y"]
    assert lanes["replication"]["y"] <= due.y < lanes["national"]["y"]
    assert issued.x < due.x == delivered.x < bound.x
    rest = [d for d in timeline.rest_days if d["kind"] == "rest"]
    shift = [d for d in timeline.rest_days if d["kind"] == "shift"]
    assert len(rest) == 8   # 28 September and 1-7 October
    assert len(shift) == 1  # Sunday 29 September, a 调休 working day
    # 27 September starts at 17:00: too narrow for its own label, the axis starts at 9/28
    assert [t["label"] for t in timeline.ticks][:3] == ["9/28", "9/29", "9/30"]


def test_labels_at_the_same_moment_on_one_lane_go_to_different_rows():
    result = scenario_result(failing=False)
    moment = result.events[-1].at
    result.events += [Event(moment, "national", "unbound", "c1", "c1 解除绑定"),
                      Event(moment, "national", "bound", "c2", "c2 绑定")]
    marks = [m for m in build_timeline(result, CALENDAR).marks if m.x == max(
        m.x for m in build_timeline(result, CALENDAR).marks)]
    assert len({m.label_y for m in marks}) == len(marks) == 3


def test_the_html_report_is_one_page_with_a_timeline_per_scenario():
    page = html_report([scenario_result(failing=True), scenario_result(failing=False)], CALENDAR)
    assert page.startswith("<!doctype html>")
    assert page.count("<svg") == 2
    for lane in ("应急管理部", "数据同步", "国家政务服务平台"):
        assert lane in page
    assert "c1 到期" in page and "c1 送达" in page and "c1 绑定" in page
    assert "expected bound [c1], got error not_found" in page
    assert "http://" not in page.replace("http://www.w3.org", "")  # no external assets


EXPLANATION = ["2024-10-08T00:00:00+08:00", "变更：签发，写入于 2024-09-27T17:00:00+08:00",
               "跳过 10/1–10/7 国庆节", "自第 3 个工作日 00:00 起可见：2024-10-08T00:00:00+08:00"]


def explained_result() -> ScenarioResult:
    """The passing result, its issue drawn from the outbox with the change's explanation."""
    result = scenario_result(failing=False)
    due = result.events[1].at
    result.events[1:3] = [Event(due, "replication", "due", "c1", "c1 到期", "change-1"),
                          Event(due, "national", "delivered", "c1", "c1 送达", "change-1")]
    result.changes["change-1"] = Change("change-1", "c1", "issued", START, due, EXPLANATION,
                                        step=1)
    return result


def test_the_html_report_explains_why_each_change_becomes_visible_when_it_does():
    page = html_report([explained_result()], CALENDAR)
    row = page[page.index('<tr id="s1-c1">'):]
    row = row[:row.index("</tr>")]
    assert "为何此时可见" in row and "2024-10-08 00:00" in row
    for line in EXPLANATION:
        assert line in row
    assert page.count('<a href="#s1-c1">') == 3  # the due and delivered marks, the issue step
    assert "为何此时可见：c1 签发 →" in page


def test_the_timeline_links_the_marks_of_a_change_to_its_explanation():
    timeline = build_timeline(explained_result(), CALENDAR, {"change-1": "#s1-c1"})
    assert [(m.kind, m.href) for m in timeline.marks] == [
        ("issued", None), ("due", "#s1-c1"), ("delivered", "#s1-c1"), ("bound", None)]

