"""Scenario replay as the tester runs it: `make replay` in a fresh process, the cost of a step
in a warm process, and files per second on every CPU against one worker.

The cold row runs exactly what `make replay` runs (`python -m scenarios run scenarios/library`)
in the environment the user has, less anything the test suite sets (no password cost), after
the byte-compiling that `make replay` and `make bench` both do first (the Makefile's
$(COMPILED)); with PYTHONDONTWRITEBYTECODE set, as on this CI, nothing else would keep the
compiled modules. The
throughput row replays 1,000 files generated from the library's own files (names, ID numbers,
phones and ID-card dates varied with a fixed seed) with `-n auto`, and one worker on the first
160 of them to keep the bench short. The warm rows replay the library on apps an earlier
replay built, as a `-n` worker and the pytest plugin replay file after file on theirs; the
cold row pays the building (and the first compiling of every statement).

Baselines, measured in the same run: the interpreter importing everything the replay needs
(cold), one control-plane round trip through the Flask test client (a step), one worker (files/s).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter, process_time

from bench.names import random_name
from scenarios.loader import load_files, scenario_files
from scenarios.runner import run_all
from scenarios.world import InProcessWorlds
from shared.identity import id_check_char
from shared.settings import read_settings

REPO = Path(__file__).resolve().parent.parent
LIBRARY = REPO / "scenarios" / "library"
REPLAY = ("-m", "scenarios", "run", "scenarios/library")  # the Makefile's `replay` target
GOAL_SECONDS, GOAL_STEP_MS = 2.0, 2.0
IMPORTS = "import mem_portal, national_portal, sync, scenarios.runner, scenarios.cli"
GENERATED, ONE_WORKER_SUBSET, SEED = 1000, 160, 20240927
# Set by the test suite, never by a user running `make replay`.
NOT_THE_USERS = ("CERTSIM_FAST_HASH", "MEM_PASSWORD_COST", "NATIONAL_PASSWORD_COST")


def users_environment() -> dict[str, str]:
    """The environment a user's `make replay` has: ours, less what the test suite sets."""
    return {k: v for k, v in os.environ.items() if k not in NOT_THE_USERS}


def timed_process(*args: str) -> float:
    """Return the wall seconds of a fresh Python process running `args` from the checkout."""
    started = perf_counter()
    subprocess.run([sys.executable, *args], check=True, env=users_environment(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    return perf_counter() - started


def warm_replay(pool: InProcessWorlds | None = None) -> tuple[float, float, int, int]:
    """Replay the library in this process; return (wall s, simulated s, scenarios, steps).

    With `pool`, on its apps (built by an earlier replay, as a `-n` worker or the pytest
    plugin keeps them from one file to the next); without, on apps built for this replay.
    """
    logging.getLogger("sync").addHandler(logging.NullHandler())  # retries are expected here
    calendar = read_settings(os.environ).calendar()
    started = perf_counter()
    results = list(run_all(load_files([LIBRARY], calendar), pool, calendar=calendar))
    wall = perf_counter() - started
    failed = [r.scenario.path.name for r in results if not r.passed]
    if failed:
        raise RuntimeError(f"the library does not replay green: {', '.join(failed)}")
    return (wall, sum(r.simulated_seconds for r in results), len(results),
            sum(len(r.steps) for r in results))


def _with_cpu(function, *args):
    """Return (what `function(*args)` returns, the CPU seconds this process spent on it): on
    a shared machine the wall time also counts time the process waited for a core."""
    started = process_time()
    return function(*args), process_time() - started


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


def generate_files(dest: Path, count: int, seed: int = SEED) -> list[Path]:
    """Write `count` scenario files made from the library's, each with its own people.

    Each copy renames every person of its pattern (the same new name, ID number and phone
    everywhere in the file, so duplicates stay duplicates) and moves past ID-card dates; the
    birth date and sex digit of an ID number stay, so every rule on age holds. Files starting
    from a snapshot keep its people. Deterministic for a seed.
    """
    rng = random.Random(seed)
    patterns = [(path, path.read_text("utf-8"), scenario)
                for path, scenario in zip(scenario_files([LIBRARY]), load_files([LIBRARY]),
                                          strict=True)]
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(1, count + 1):
        path, text, scenario = patterns[(number - 1) % len(patterns)]
        if scenario.snapshot is None:
            text = _new_people(text, scenario.people.values(), rng)
        text = re.sub(r"(?m)^name: .*$", lambda _, n=number, s=scenario: "name: " + json.dumps(
            f"{s.name} #{n:04d}", ensure_ascii=False), text, count=1)
        written.append(dest / f"{number:04d}_{path.name}")
        written[-1].write_text(text, "utf-8")
    return written


def _new_people(text: str, people, rng: random.Random) -> str:
    """Give each person a new name, ID number and phone, and past ID-card dates another day.

    Through placeholders first, so a new value never meets an old one still to be replaced."""
    new = []
    for index, person in enumerate(people):
        name = random_name(rng)
        first17 = (rng.choice(["110105", "310104", "320102", "440106", "510107"])
                   + person.id_number[6:14] + f"{rng.randrange(50) * 2:02d}" + person.id_number[16])
        phone = f"139{rng.randrange(10**6):06d}{index:02d}"
        for kind, old, value in (("n", person.name, name),
                                 ("i", person.id_number, first17 + id_check_char(first17)),
                                 ("p", person.phone, phone)):
            mark = f"\x00{kind}{index}\x00"
            text = re.sub(rf"(?<![\dX]){re.escape(old)}(?![\dX])", mark, text) if kind != "n" \
                else text.replace(old, mark)
            new.append((mark, value))
    for mark, value in new:
        text = text.replace(mark, value)
    return re.sub(r'(id_valid_from: ")(20[01]\d-\d\d-\d\d)"', lambda m: m[1] + (
        date.fromisoformat(m[2]) - timedelta(days=rng.randrange(1, 400))).isoformat() + '"', text)


def files_per_second(directory: Path, workers: str) -> tuple[float, int]:
    """Replay every file under `directory` as the tester would (`-n workers`); return
    (files/s, files). Fails unless every file replays green."""
    files = len(scenario_files([directory]))
    seconds = timed_process("-m", "scenarios", "run", str(directory), "-n", workers,
                            "--no-color")
    return files / seconds, files


def throughput(count: int = GENERATED, subset: int = ONE_WORKER_SUBSET) -> dict:
    """Files/s over `count` generated files with -n auto, and over `subset` of them on one."""
    with tempfile.TemporaryDirectory(prefix="certsim-bench-") as temp:
        every = generate_files(Path(temp) / "all", count)
        some = Path(temp) / "subset"
        some.mkdir()
        for path in every[:subset]:
            (some / path.name).write_text(path.read_text("utf-8"), "utf-8")
        auto, files = files_per_second(Path(temp) / "all", "auto")
        alone, alone_files = files_per_second(some, "1")
    return {"auto": auto, "files": files, "one": alone, "one_files": alone_files}


def run() -> list[dict]:
    imports = timed_process("-c", IMPORTS)
    cold = timed_process(*REPLAY, "--no-color")
    pool = InProcessWorlds()
    try:  # once to build the apps and warm every cache (compiled statements too), then measure
        built = warm_replay(pool)[0]
        (wall, simulated, scenarios, steps), cpu = min(
            (_with_cpu(warm_replay, pool) for _ in range(2)), key=lambda r: r[0][0])
    finally:
        pool.discard()
    trip = round_trip_ms()
    per_step = wall * 1000 / steps
    days = simulated / 86400
    rate = throughput()
    cpus = os.cpu_count() or 1
    return [
        {"name": f"`make replay` as the tester runs it, cold process ({scenarios} files, "
                 f"{steps} steps, no variable set)", "value": cold, "unit": "s",
         "baseline": f"interpreter + imports only: {imports:.2f} s", "baseline_value": imports,
         "ratio": cold / imports, "goal": f"≤ {GOAL_SECONDS:g} s", "met": cold <= GOAL_SECONDS},
        {"name": "scenario library replay, warm (in-process, apps built once; the replay "
                 f"that built them took {built:.2f} s)", "value": wall,
         "unit": "s", "baseline": f"simulated time covered: {days:,.0f} days",
         "baseline_value": simulated, "ratio": simulated / wall,
         "goal": f"≤ {GOAL_SECONDS:g} s", "met": wall <= GOAL_SECONDS},
        {"name": "replay cost per scenario step (warm, in-process; this process's CPU: "
                 f"{cpu * 1000 / steps:.1f} ms a step)", "value": per_step,
         "unit": "ms", "baseline": f"one GET /_sim/clock round trip: {trip:.2f} ms",
         "baseline_value": trip, "ratio": per_step / trip, "goal": f"≤ {GOAL_STEP_MS:g} ms",
         "met": per_step <= GOAL_STEP_MS},
        {"name": f"replay throughput, `-n auto` ({cpus} workers) on {rate['files']:,} files "
                 "generated from the library (cold process)", "value": rate["auto"],
         "unit": "files/s", "baseline": f"one worker (`-n 1`) on {rate['one_files']} of them: "
                                        f"{rate['one']:.1f} files/s",
         "baseline_value": rate["one"], "ratio": rate["auto"] / rate["one"], "goal": None,
         "met": None},
    ]
