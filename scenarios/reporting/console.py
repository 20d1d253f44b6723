"""The console report: each step with its simulated time, ✓ or ✗, expected vs actual."""

from __future__ import annotations

import sys
from typing import TextIO

from scenarios.reporting.days import day_label, local_time, span_text
from scenarios.results import ScenarioResult
from shared.clock import SHANGHAI
from shared.workdays import WorkingCalendar

GREEN, RED, DIM, BOLD, RESET = "\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"


class ConsoleReport:
    """Print results as they come, then a summary line."""

    def __init__(self, calendar: WorkingCalendar, stream: TextIO | None = None,
                 color: bool | None = None):
        self.calendar = calendar
        self.stream = stream or sys.stdout
        self.color = self.stream.isatty() if color is None else color

    def paint(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color else text

    def scenario(self, result: ScenarioResult) -> None:
        """Print one scenario: a heading, its steps, and its verdict."""
        scenario = result.scenario
        self.write(self.paint(f"{scenario.name}", BOLD) + self.paint(f"  ({scenario.path})", DIM))
        for step in result.steps:
            mark = self.paint("✓", GREEN) if step.passed else self.paint("✗", RED)
            when = f"{local_time(step.at)} {day_label(step.at.astimezone(SHANGHAI).date(), self.calendar)}"
            line = f"  {mark} {when:<27} {step.step.number:>2} {step.step.describe()}"
            self.write(line + (self.paint(f"  {step.summary}", DIM) if step.summary else ""))
            for failure in step.failures:
                self.write(self.paint(f"        {failure}", RED))
        if result.crash:
            self.write(self.paint("  ✗ crashed: " + result.crash.rstrip().replace("\n", "\n    "), RED))
        for step in result.not_run:
            self.write(self.paint(f"  · {'':<27} {step.number:>2} {step.describe()} (not run)", DIM))
        verdict = self.paint("✓ passed", GREEN) if result.passed else self.paint("✗ FAILED", RED)
        self.write(f"{verdict} in {result.wall_seconds:.2f} s wall, "
                   f"{span_text(result.simulated_seconds)} simulated\n")

    def summary(self, results: list[ScenarioResult], *, wall: float | None = None,
                workers: int = 1) -> None:
        """Print the totals: the replay's `wall` time (default: the scenarios' own, summed)."""
        failed = [r for r in results if not r.passed]
        wall = sum(r.wall_seconds for r in results) if wall is None else wall
        simulated = sum(r.simulated_seconds for r in results)
        on = f" on {workers} workers" if workers > 1 else ""
        text = (f"{len(results)} scenarios: {len(results) - len(failed)} passed, {len(failed)} "
                f"failed ({wall:.2f} s wall{on}, {span_text(simulated)} simulated)")
        self.write(self.paint(text, RED if failed else GREEN))
        for result in failed:
            self.write(self.paint(f"  ✗ {result.scenario.path}: {result.scenario.name}", RED))

    def write(self, text: str) -> None:
        print(text, file=self.stream)
