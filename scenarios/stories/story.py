"""One generated story as it plays: scenario v1 steps run by the scenario runner, checked.

Each step is the dict a scenario file holds; it runs through `scenarios.runner.run_step` against
the in-process portals, carrying the `expect` the reference model predicts. After each step the
national copies and the ministry's outbox are compared with the model through the control plane.
A broken rule raises `RuleBroken`, which carries the steps that encode it in a scenario file.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from scenarios.context import Context
from scenarios.model import Person, Scenario, Step
from scenarios.portals import ApiError
from scenarios.runner import run_step
from scenarios.stories.model import StoryModel
from shared.clock import SHANGHAI
from shared.web.errors import STATUS

TIMING = "变更在规则时间之前不得在国家平台可见、自规则时间起必须可见（精确到分钟）" \
         " (a change is visible nationally from its rule time, never before, to the minute)"
OUTAGE = "国家平台停机前后变更不丢失、不重复" \
         " (nothing is lost or duplicated across national outages)"
LATEST = "已绑定的证照显示其最新版本（含撤销、注销）" \
         " (a bound licence shows its latest revision, revoked and cancelled included)"
ISOLATION = "持证人看不到他人的证照 (no holder ever sees another's licence)"
DOCUMENTED = "每一次拒绝都是有文档的错误码 (every refusal is a documented error code)"
MINISTRY = "应急管理部按规则签发、变更并展示证照" \
           " (the ministry issues, changes and lists licences by the rules)"
ACCOUNTS = "持证人注册、登录、实人认证 (holders register, log in and pass the face check)"
RUNNER_KEYS = ("do", "expect", "at", "note")


class RuleBroken(Exception):
    """A rule did not hold; `encoding` are the steps to append so a replay fails on it."""

    def __init__(self, rule: str, details: list[str], encoding: list[dict] | None = None):
        super().__init__(f"{rule}: " + "; ".join(details))
        self.rule, self.details, self.encoding = rule, details, encoding or []


def shanghai(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


class Story:
    """A story in progress: its scenario, the world it runs in, the model, what it played."""

    def __init__(self, world_factory, start: datetime, lag: str, people: dict[str, Person],
                 model: StoryModel):
        self.scenario = Scenario(path=Path("generated-story.yaml"), name="generated story",
                                 start=start, steps=[], people=people, lag=lag)
        self.world = world_factory(self.scenario)
        self.context = Context(self.world, self.scenario, model.calendar, [], changes={})
        self.model = model
        self.steps: list[dict] = []
        self.checks = 0  # expectations and invariants evaluated
        self.broken: RuleBroken | None = None

    def broke(self, rule: str, details: list[str], encoding: list[dict] | None = None
              ) -> RuleBroken:
        """Note the rule this story broke (the hunt writes the story out) and return it."""
        self.broken = RuleBroken(rule, details, encoding)
        return self.broken

    def now(self) -> datetime:
        return self.context.now()

    def play(self, spec: dict, rule: str) -> str | None:
        """Run one step (its `expect` as the model predicts it); return its error code."""
        self.steps.append(spec)
        step = Step(number=len(self.steps), action=spec["do"],
                    params={k: v for k, v in spec.items() if k not in RUNNER_KEYS},
                    expect=dict(spec.get("expect", {})), at=None, note=spec.get("note"),
                    line=0, column=0)
        result = run_step(self.context, step)
        self.checks += 1 + len(step.expect)
        if result.error is not None and result.error not in STATUS:
            raise self.broke(DOCUMENTED, [f"step {step.number} {step.describe()}: error code "
                                          f"{result.error!r} is not documented"])
        if not result.passed:
            raise self.broke(self._classify(spec, rule, result.failures),
                             [f"step {step.number} {step.describe()}: {line}"
                              for line in result.failures])
        return result.error

    def _classify(self, spec: dict, rule: str, failures: list[str]) -> str:
        """A failure naming another holder's licence breaks isolation, else the step's rule."""
        person = spec.get("person")
        if person is not None:
            others = self.model.others(person)
            text = " ".join(failures)
            if any(re.search(rf"\b{re.escape(alias)}\b", text) for alias in others):
                return ISOLATION
        return rule

    # -- invariants through the control plane ----------------------------------------------

    def verify_outbox_time(self, alias: str) -> None:
        """The ministry fixed the latest change's visible_at at the model's rule time."""
        licence = self.model.licences[alias]
        rows = self._outbox(licence.key)
        self.checks += 1
        wanted = licence.latest.visible_at
        got = datetime.fromisoformat(rows[-1]["visible_at"]) if rows and rows[-1].get(
            "visible_at") else None
        if len(rows) != len(licence.revisions) or got != wanted:
            raise self.broke(TIMING, [
                f"{alias} revision {licence.latest.number} ({licence.latest.kind} at "
                f"{shanghai(licence.latest.written_at)}): rule time {shanghai(wanted)}, the "
                f"ministry made it visible from {shanghai(got) if got else None} "
                f"({len(rows)} outbox rows, {len(licence.revisions)} revisions expected)"],
                [{"do": "check", "certificate": alias,
                  "expect": {"visible_at": shanghai(wanted)}}])

    def verify_national(self) -> None:
        """Every national copy holds the revision the model says; the outbox agrees."""
        now = self.now()
        for alias, licence in self.model.licences.items():
            if self.model.uncertain(alias, now):
                continue
            wanted = self.model.national_revision(alias)
            got = self._national_revision(licence.key)
            delivered = sorted(r["revision"] for r in self._outbox(licence.key)
                               if r.get("state") == "delivered")
            self.checks += 2
            encoding = [{"do": "check", "certificate": alias,
                         "expect": {"national_revision": wanted}}]
            if got != wanted:
                rule = OUTAGE if got < wanted and self._had_outage() else TIMING
                raise self.broke(rule, [self._revision_said(alias, wanted, got, now)], encoding)
            if delivered != list(range(1, got + 1)):
                raise self.broke(OUTAGE, [f"{alias}: the national copy is at revision {got} but "
                                          f"the ministry's outbox marks {delivered} delivered"],
                                 encoding)

    def _revision_said(self, alias: str, wanted: int, got: int, now: datetime) -> str:
        licence = self.model.licences[alias]
        times = ", ".join(f"r{r.number} {r.kind} visible from {shanghai(r.visible_at)}"
                          for r in licence.revisions)
        return (f"at {shanghai(now)} the national copy of {alias} is at revision {got}, "
                f"the rule says {wanted} ({times})")

    def _had_outage(self) -> bool:
        return any(s["do"] == "fault" for s in self.steps)

    def _outbox(self, key: str) -> list[dict]:
        return self.world.mem.ok("GET", f"/_sim/outbox?key={key}&limit=1000")["changes"]

    def _national_revision(self, key: str) -> int:
        try:
            return self.world.national.ok("GET", f"/_sim/licences/{key}").get("revision", 0)
        except ApiError as error:
            if error.code != "not_found":
                raise
            return 0

    def close(self) -> None:
        self.world.close()
