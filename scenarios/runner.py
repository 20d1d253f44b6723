"""Replay scenarios: each in a fresh world, step by step, stopping at the first unmet expectation."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from time import perf_counter

from scenarios.actions import ACTIONS
from scenarios.context import Context, Outcome
from scenarios.expectations import compare
from scenarios.guidance import answer_facts
from scenarios.live import LiveWorlds
from scenarios.model import Scenario, Step
from scenarios.portals import ApiError
from scenarios.results import ScenarioResult, StepResult
from scenarios.starting import StartError, name_certificates
from scenarios.world import InProcessWorld, InProcessWorlds, World
from shared.settings import read_settings
from shared.workdays import WorkingCalendar

WorldFactory = Callable[[Scenario], World]
# Steps that write a change: the replicator runs at once, as a live one would, so a change due
# now (lag 0) is delivered now.
WRITES_CHANGES = frozenset({"issue", "review", "renew", "revoke", "cancel", "fault"})
# Only these steps (and a step whose `at` moved the clock past a due change) can write or
# deliver a change: observe after them.
MOVES_REPLICATION = WRITES_CHANGES | {"wait", "sync"}


def in_process(scenario: Scenario) -> World:
    """Build both apps and the replicator on one simulated clock at the scenario's start."""
    return InProcessWorld(scenario.start, scenario.lag, snapshot=scenario.snapshot)


def live(mem_url: str, national_url: str, *, keep: bool = False) -> LiveWorlds:
    """Return a factory that replays against servers already running (their data is reset).

    Used with `with`, it saves the world they serve first and puts it back at the end (unless
    `keep`); called alone, it just replays.
    """
    return LiveWorlds(mem_url, national_url, keep=keep)


def run_scenario(scenario: Scenario, world_factory: WorldFactory = in_process,
                 calendar: WorkingCalendar | None = None) -> ScenarioResult:
    """Replay one scenario and return what happened; never raises for a failing step."""
    result = ScenarioResult(scenario)
    started = perf_counter()
    world = None
    try:
        world = world_factory(scenario)
        context = Context(world, scenario, calendar or read_settings(os.environ).calendar(),
                          result.events, changes=result.changes)
        context.certificates.update(name_certificates(scenario, world.mem))
        context.observe_replication()  # what the starting snapshot holds of the named ones
        for step in scenario.steps:
            outcome = run_step(context, step)
            result.steps.append(outcome)
            if not outcome.passed:
                break
    except StartError as error:  # the world lacks what the scenario names: say which
        result.crash = str(error)
    except Exception:  # a crash is reported against the scenario, the replay goes on
        result.crash = traceback.format_exc(limit=8)
    finally:
        if world is not None:
            result.end = _safe_now(world)
            world.close(crashed=result.crash is not None)
        result.events.sort(key=lambda e: e.at)
        result.wall_seconds = perf_counter() - started
    return result


def run_step(context: Context, step: Step) -> StepResult:
    """Move the clock to the step's `at`, run its action, compare, record the timeline."""
    started = perf_counter()
    moved = step.at is not None and step.at != context.now() and context.world.move_to(step.at)
    at = context.now()
    changing = moved or step.action in MOVES_REPLICATION  # else the outbox is as last observed
    if changing:
        context.observed = None  # an action reading the outbox observes it first (`check`)
    try:
        outcome = ACTIONS[step.action](context, step)
    except ApiError as error:
        outcome = Outcome(error=error.code, fields=error.fields, message=error.message,
                          facts=answer_facts(error.reply) if error.reply else {},
                          summary=f"{error.code}: {error.said}")
    failures = compare(step, outcome)
    if changing and (context.observed is None or step.action in MOVES_REPLICATION):
        due_now = context.observe_replication(step.number)
        if due_now and step.action in WRITES_CHANGES:  # e.g. lag 0: deliver it now
            context.world.deliver_due()
            context.observe_replication(step.number)
    return StepResult(step=step, at=at, passed=not failures, summary=outcome.summary,
                      failures=failures, wall_ms=(perf_counter() - started) * 1000,
                      error=outcome.error)


def run_all(scenarios: Iterable[Scenario], world_factory: WorldFactory | None = None, *,
            calendar: WorkingCalendar | None = None,
            fail_fast: bool = False) -> Iterator[ScenarioResult]:
    """Replay scenarios in order, yielding each result; stop after a failure with `fail_fast`.

    Without a factory, one pair of in-process apps serves every scenario, restarted in between.
    """
    calendar = calendar or read_settings(os.environ).calendar()
    pool = InProcessWorlds() if world_factory is None else None
    try:
        for scenario in scenarios:
            result = run_scenario(scenario, world_factory or pool, calendar)
            yield result
            if fail_fast and not result.passed:
                return
    finally:
        if pool is not None:
            pool.discard()


def _safe_now(world: World):
    try:
        return world.now()
    except Exception:  # the world is broken already; the crash says why
        return None
