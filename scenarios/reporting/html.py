"""The HTML report: a summary, then per scenario its timeline and its steps."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from scenarios.reporting.days import day_label, local_time, span_text
from scenarios.reporting.timeline import LANE_NAMES, build_timeline
from scenarios.results import ScenarioResult
from shared.clock import SHANGHAI, wall_now
from shared.workdays import WorkingCalendar

KIND_NAMES = {"issued": "签发", "reissued": "换发新版", "reviewed": "复审", "renewed": "延期换证",
              "revoked": "撤销", "cancelled": "注销", "due": "到期可同步", "delivered": "已送达",
              "bound": "绑定", "unbound": "解除绑定", "fault": "故障"}


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("scenarios.reporting", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["local_time"] = local_time
    env.filters["span"] = span_text
    return env


def html_report(results: list[ScenarioResult], calendar: WorkingCalendar,
                title: str = "场景回放报告") -> str:
    """Return the whole report as one self-contained HTML page."""
    scenarios = [_scenario(r, f"s{i}", calendar, open_all=len(results) <= 3)
                 for i, r in enumerate(results, 1)]
    failed = sum(1 for r in results if not r.passed)
    return _environment().get_template("report.html").render(
        title=title, scenarios=scenarios, failed=failed, passed=len(results) - failed,
        wall=sum(r.wall_seconds for r in results),
        simulated=sum(r.simulated_seconds for r in results),
        generated=local_time(wall_now()), lane_names=LANE_NAMES, kind_names=KIND_NAMES)


def write_html(results: list[ScenarioResult], path: str | Path,
               calendar: WorkingCalendar) -> None:
    """Write the HTML report to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_report(results, calendar), "utf-8")


def _scenario(result: ScenarioResult, anchor: str, calendar: WorkingCalendar, *,
              open_all: bool) -> dict:
    """What the template shows of one scenario; each change gets an anchor its marks and its
    step link to, where the explanation of its delay is."""
    changes = [{"change": c, "anchor": f"{anchor}-c{i}"}
               for i, c in enumerate(result.changes.values(), 1)]
    links = {c["change"].change_id: "#" + c["anchor"] for c in changes}
    by_step: dict[int, list[dict]] = {}
    for c in changes:
        if c["change"].step is not None:
            by_step.setdefault(c["change"].step, []).append(c)
    return {"result": result, "timeline": build_timeline(result, calendar, links),
            "anchor": anchor, "open": not result.passed or open_all, "changes": changes,
            "step_changes": by_step,
            "days": {s.step.number: day_label(s.at.astimezone(SHANGHAI).date(), calendar)
                     for s in result.steps}}
