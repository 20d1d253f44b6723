"""The JUnit XML report: one testcase per scenario; a failure names the step and its time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from scenarios.results import ScenarioResult


def junit_xml(results: list[ScenarioResult], suite: str = "certsim scenarios") -> bytes:
    """Return the JUnit XML document for `results`."""
    failures = sum(1 for r in results if not r.passed and not r.crash)
    errors = sum(1 for r in results if r.crash)
    wall = f"{sum(r.wall_seconds for r in results):.3f}"
    root = ET.Element("testsuites", name=suite, tests=str(len(results)),
                      failures=str(failures), errors=str(errors), time=wall)
    tree = ET.SubElement(root, "testsuite", name=suite, tests=str(len(results)),
                         failures=str(failures), errors=str(errors), skipped="0", time=wall)
    for result in results:
        _testcase(tree, result)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _testcase(parent: ET.Element, result: ScenarioResult) -> None:
    scenario = result.scenario
    case = ET.SubElement(parent, "testcase", name=scenario.name,
                         classname=f"scenarios.{scenario.path.stem}", file=str(scenario.path),
                         line="1", time=f"{result.wall_seconds:.3f}")
    if result.crash:
        ET.SubElement(case, "error", message=result.failure_text().splitlines()[0],
                      type="crash").text = result.failure_text()
    elif not result.passed:
        text = result.failure_text()
        failed = result.failed_step
        ET.SubElement(case, "failure", message=text.splitlines()[0],
                      type="ExpectationFailed").text = text
        if failed is not None:
            case.set("line", str(failed.step.line))
    ET.SubElement(case, "system-out").text = "\n".join(
        f"{'✓' if s.passed else '✗'} {s.at.isoformat()} {s.step.number} {s.step.describe()}"
        + (f"  {s.summary}" if s.summary else "") for s in result.steps)


def write_junit(results: list[ScenarioResult], path: str | Path) -> None:
    """Write the JUnit XML report to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(junit_xml(results))
