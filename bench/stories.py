"""Generated stories (`certsim fuzz`): stories/s, against replaying a library file of similar
length in the same run (both in-process, apps built once).

The ratio says what generating and checking cost on top of replay: hypothesis drawing the
steps, the reference model, and the invariants read through the control plane after each step.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from time import perf_counter

from scenarios.loader import load_files
from scenarios.runner import run_all
from scenarios.stories.hunt import hunt
from shared.settings import read_settings

LIBRARY = Path(__file__).resolve().parent.parent / "scenarios" / "library"
SIMILAR = LIBRARY / "national_bind_details_unbind.yaml"   # ~20 steps, like a 15-rule story
STORIES, SEED, MAX_RULES = 20, 16, 15
GOAL_RATIO = 0.25  # a generated story may cost up to four replays of a similar file


def replay_rate(calendar, repeats: int = 20) -> tuple[float, int]:
    """Replay the similar file `repeats` times in one pool; return (scenarios/s, its steps)."""
    scenario = load_files([SIMILAR], calendar)[0]
    list(run_all([scenario], calendar=calendar))  # warm the imports and caches
    started = perf_counter()
    results = list(run_all([scenario] * repeats, calendar=calendar))
    seconds = perf_counter() - started
    if not all(r.passed for r in results):
        raise RuntimeError(f"{SIMILAR.name} does not replay green")
    return repeats / seconds, len(scenario.steps)


def run() -> list[dict]:
    logging.getLogger("sync").addHandler(logging.NullHandler())
    calendar = read_settings(os.environ).calendar()
    baseline, steps = replay_rate(calendar)
    with tempfile.TemporaryDirectory() as out:
        report = hunt(STORIES, SEED, calendar, out=Path(out), max_rules=MAX_RULES)
    if not report.passed:
        raise RuntimeError(f"generated stories broke a rule: {report.failure or report.crash}")
    rate = report.stories_per_second
    ratio = rate / baseline
    return [{"name": f"generated stories (`certsim fuzz`, seed {SEED}, {report.generated} "
                     f"stories, {report.steps / report.stories:.0f} steps each, "
                     f"{report.checks} rules checked)", "value": rate, "unit": "stories/s",
             "baseline": f"replaying {SIMILAR.name} ({steps} steps): {baseline:.1f} "
                         "scenarios/s", "baseline_value": baseline, "ratio": ratio,
             "goal": f"≥ {GOAL_RATIO:g} × the replay rate", "met": ratio >= GOAL_RATIO}]
