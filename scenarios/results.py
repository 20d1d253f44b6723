"""What a replay found: per step, per scenario, and the timeline the HTML report draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from scenarios.model import Scenario, Step

LANES = ("ministry", "replication", "national")


@dataclass(frozen=True)
class Event:
    """Something that happened to a licence, placed on a lane of the timeline."""

    at: datetime
    lane: str          # ministry, replication, national
    kind: str          # issued, reviewed, renewed, revoked, cancelled, due, delivered, bound, ...
    certificate: str   # the scenario's alias (or the key when it has none)
    label: str         # what the report prints next to the mark
    change: str | None = field(default=None, compare=False)  # outbox change id (random)


@dataclass
class Change:
    """A change of a named licence written during the scenario, and why it becomes visible on
    the national portal when it does (the ministry's explanation, as last seen)."""

    change_id: str
    certificate: str            # the scenario's alias
    kind: str                   # issued, reviewed, reissued, renewed, revoked, cancelled
    written_at: datetime
    visible_at: datetime | None  # None: held for a manual release
    explanation: list[str] = field(default_factory=list)
    step: int | None = None     # the step that wrote it (None: the starting snapshot)


@dataclass
class StepResult:
    """How one step went: its simulated time, pass or fail, and expected vs actual on failure."""

    step: Step
    at: datetime
    passed: bool
    summary: str = ""                                   # what happened, in a few words
    failures: list[str] = field(default_factory=list)   # "expected …, got …" lines
    wall_ms: float = 0.0
    error: str | None = None                            # the error code the step met, if any


@dataclass
class ScenarioResult:
    """A replayed scenario: its steps (until the first failure), events and times."""

    scenario: Scenario
    steps: list[StepResult] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    changes: dict[str, Change] = field(default_factory=dict)  # by change id, in order seen
    end: datetime | None = None     # simulated time at the end
    wall_seconds: float = 0.0
    crash: str | None = None        # an unexpected exception, with its traceback

    @property
    def passed(self) -> bool:
        return self.crash is None and all(s.passed for s in self.steps) and len(
            self.steps) == len(self.scenario.steps)

    @property
    def failed_step(self) -> StepResult | None:
        return next((s for s in self.steps if not s.passed), None)

    @property
    def not_run(self) -> list[Step]:
        return self.scenario.steps[len(self.steps):]

    @property
    def simulated_seconds(self) -> float:
        return ((self.end or self.scenario.start) - self.scenario.start).total_seconds()

    def failure_text(self) -> str:
        """Say which step failed at what simulated time, and why."""
        if self.crash:
            step = self.not_run[0] if self.not_run else None
            where = f"step {step.number} ({step.action}, line {step.line}) " if step else ""
            return f"{where}crashed:\n{self.crash}"
        failed = self.failed_step
        if failed is None:
            return ""
        step = failed.step
        return (f"step {step.number} ({step.describe()}, line {step.line}) failed at "
                f"{failed.at.isoformat()}:\n  " + "\n  ".join(failed.failures))
