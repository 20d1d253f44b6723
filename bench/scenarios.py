"""Scenario library replay: wall time (goal: the whole library under 5 s) and simulated-to-wall.

Baselines, measured in the same run: the interpreter importing everything the replay needs
(for the cold run), the simulated time the library covers (for the warm run: the ratio is how
much faster than real time the replay goes), and one control-plane round trip through the
Flask test client (for the cost of a step).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from time import perf_counter

from scenarios.loader import load_files
from scenarios.runner import run_all
from scenarios.world import InProcessWorlds
from shared.settings import read_settings

LIBRARY = Path(__file__).resolve().parent.parent / "scenarios" / "library"
GOAL_SECONDS = 5.0
IMPORTS = "import mem_portal, national_portal, sync, scenarios.runner, scenarios.cli"


def timed_process(*args: str) -> float:
    """Return the wall seconds of a fresh Python process running `args`."""
    env = {**os.environ, "CERTSIM_FAST_HASH": os.environ.get("CERTSIM_FAST_HASH", "1")}
    started = perf_counter()
    subprocess.run([sys.executable, *args], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=LIBRARY.parent.parent)
    return perf_counter() - started


def warm_replay() -> tuple[float, float, int, int]:
    """Replay the library in this process; return (wall s, simulated s, scenarios, steps)."""
    logging.getLogger("sync").addHandler(logging.NullHandler())  # retries are expected here
    calendar = read_settings(os.environ).calendar()
    started = perf_counter()
    results = list(run_all(load_files([LIBRARY], calendar), calendar=calendar))
    wall = perf_counter() - started
    failed = [r.scenario.path.name for r in results if not r.passed]
    if failed:
        raise RuntimeError(f"the library does not replay green: {', '.join(failed)}")
    return (wall, sum(r.simulated_seconds for r in results), len(results),
            sum(len(r.steps) for r in results))


def round_trip_ms(calls: int = 200) -> float:
    """Return the mean milliseconds of GET /_sim/clock through the in-process test client."""
    pool = InProcessWorlds()
    scenario = load_files([LIBRARY / "delay_weekend.yaml"])[0]
    world = pool(scenario)
    try:
        started = perf_counter()
        for _ in range(calls):
            world.mem.ok("GET", "/_sim/clock")
        return (perf_counter() - started) * 1000 / calls
    finally:
        pool.discard()


def run() -> list[dict]:
    imports = timed_process("-c", IMPORTS)
    cold = timed_process("-m", "scenarios", "run", str(LIBRARY), "--no-color")
    warm_replay()  # once to warm every cache, then measure
    wall, simulated, scenarios, steps = min((warm_replay() for _ in range(2)),
                                            key=lambda r: r[0])
    trip = round_trip_ms()
    per_step = wall * 1000 / steps
    days = simulated / 86400
    return [
        {"name": f"scenario library replay, cold process (`make replay`: {scenarios} files, "
                 f"{steps} steps)", "value": cold, "unit": "s",
         "baseline": f"interpreter + imports only: {imports:.2f} s", "baseline_value": imports,
         "ratio": cold / imports, "goal": f"≤ {GOAL_SECONDS:g} s", "met": cold <= GOAL_SECONDS},
        {"name": "scenario library replay, warm (in-process, apps built once)", "value": wall,
         "unit": "s", "baseline": f"simulated time covered: {days:,.0f} days",
         "baseline_value": simulated, "ratio": simulated / wall,
         "goal": f"≤ {GOAL_SECONDS:g} s", "met": wall <= GOAL_SECONDS},
        {"name": "replay cost per scenario step", "value": per_step, "unit": "ms",
         "baseline": f"one GET /_sim/clock round trip: {trip:.2f} ms", "baseline_value": trip,
         "ratio": per_step / trip, "goal": None, "met": None},
    ]
