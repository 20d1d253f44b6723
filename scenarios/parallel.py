"""Share a replay: between processes on this machine (`-n N|auto`) and between machines
(`--shard i/n`).

Each worker process keeps its own in-process world (apps built once, restarted per scenario),
so scenarios never meet; results come back in file order, whichever worker finished first, and
are reported as one replay. A shard is chosen by the crc32 of each file's path relative to the
PATH it was found under, so every machine computes the same split without talking to the others.
"""

from __future__ import annotations

import argparse
import gc
import logging
import multiprocessing
import os
import zlib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scenarios.loader import scenario_files
from scenarios.model import Scenario
from scenarios.results import ScenarioResult
from scenarios.runner import run_all, run_scenario
from scenarios.world import InProcessWorlds
from shared.settings import read_settings

# Imported once by the fork server, so each worker starts without importing them again.
PRELOAD = ["scenarios.parallel", "certsim.apps", "mem_portal", "national_portal", "sync"]


def workers_option(text: str) -> int:
    """Parse `-n`: a number of worker processes (≥ 1) or `auto` (one per CPU)."""
    if text.strip().lower() == "auto":
        return os.cpu_count() or 1
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of workers ≥ 1, or auto")
    return count


def shard_option(text: str) -> tuple[int, int]:
    """Parse `--shard i/n` (1 ≤ i ≤ n): this machine replays the i-th of n shares."""
    index, slash, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i = n = 0
    if not slash or not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"{text!r}: write i/n with 1 ≤ i ≤ n, e.g. 1/3")
    return i, n


def shard_key(relative: str) -> int:
    """The number a file is sharded by: crc32 of its path relative to its PATH (with '/')."""
    return zlib.crc32(relative.encode("utf-8"))


def shard_files(paths: list[str | Path], shard: tuple[int, int]) -> list[Path]:
    """Return the files under `paths` that fall in shard i of n, in replay order."""
    index, count = shard
    return [file for file, relative in _files_with_names(paths)
            if shard_key(relative) % count == index - 1]


def _files_with_names(paths: list[str | Path]) -> list[tuple[Path, str]]:
    """Each scenario file with its path relative to the PATH given (a file: its name)."""
    found = []
    for root in map(Path, paths):
        for file in scenario_files([root]):
            relative = file.relative_to(root) if root.is_dir() else Path(file.name)
            found.append((file, relative.as_posix()))
    return found


def replay_all(scenarios: list[Scenario], workers: int = 1, *, calendar=None,
               fail_fast: bool = False, verbose: bool = False) -> Iterator[ScenarioResult]:
    """Replay in-process on `workers` processes, yielding results in file order."""
    workers = min(workers, len(scenarios))
    if workers <= 1:
        yield from run_all(scenarios, calendar=calendar, fail_fast=fail_fast)
        return
    executor = ProcessPoolExecutor(workers, mp_context=_context(),
                                   initializer=_start_worker, initargs=(verbose,))
    try:
        for result in executor.map(_replay_one, scenarios):
            yield result
            if fail_fast and not result.passed:
                return
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def replicator_logging(verbose: bool) -> None:
    """Show the replicator's log lines only with --verbose; the reports tell the story."""
    if verbose:
        logging.basicConfig(level=logging.INFO, format="    %(name)s: %(message)s")
    else:
        logging.getLogger("sync").addHandler(logging.NullHandler())


def _context():
    """A fork server where there is one (nothing of the parent's state is inherited), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


_WORKER: dict = {}  # this worker process's world and calendar


def _start_worker(verbose: bool) -> None:
    gc.freeze()  # as `python -m scenarios` does: what the fork server imported lives on
    replicator_logging(verbose)
    _WORKER["calendar"] = read_settings(os.environ).calendar()
    _WORKER["worlds"] = InProcessWorlds()


def _replay_one(scenario: Scenario) -> ScenarioResult:
    return run_scenario(scenario, _WORKER["worlds"], _WORKER["calendar"])
