"""`python -m scenarios run PATH... [-n N|auto] [--shard i/n] [--junit FILE] [--html FILE]
[--fail-fast]`.

Exit status: 0 when every scenario passed, 1 when any expectation failed (or a scenario
crashed, or a live world could not be put back), 2 when a file could not be loaded or a live
world could not be saved (then nothing runs).
"""

from __future__ import annotations

import argparse
import os
import sys
from time import perf_counter

from scenarios.live import KEPT_AS, ReplayRefused, WorldNotRestored
from scenarios.loader import ScenarioLoadError, load_files, scenario_files
from scenarios.parallel import (
    replay_all,
    replicator_logging,
    shard_files,
    shard_option,
    workers_option,
)
from scenarios.reporting.console import ConsoleReport
from scenarios.reporting.html import write_html
from scenarios.reporting.junit import write_junit
from scenarios.runner import WorldFactory, live, run_all
from shared.errors import DomainError
from shared.settings import read_settings


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of `run` (shared with `certsim replay`)."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="scenario files or directories (every *.yaml under them)")
    parser.add_argument("-n", "--workers", type=workers_option, default=1, metavar="N|auto",
                        help="in-process replays: replay on N worker processes (auto: one per "
                             "CPU), each with its own world; one report")
    parser.add_argument("--shard", type=shard_option, metavar="i/n",
                        help="replay only the i-th of n shares of the files (split by the crc32 "
                             "of each file's path under its PATH), e.g. one share per CI machine")
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--html", metavar="FILE", help="write an HTML report with timelines")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop after the first scenario that fails")
    parser.add_argument("--mem-url", metavar="URL",
                        help="replay against a running ministry portal (control plane on)")
    parser.add_argument("--national-url", metavar="URL",
                        help="replay against a running national portal (control plane on)")
    parser.add_argument("--keep-replay-world", action="store_true",
                        help="live replays: do not save the world the portals serve (as "
                             f"snapshot {KEPT_AS}) and put it back afterwards; leave it as the "
                             "replay left it")
    parser.add_argument("--no-color", action="store_true", help="plain console output")
    parser.add_argument("--verbose", action="store_true",
                        help="show the replicator's log lines (retries, batches)")


def run_command(args: argparse.Namespace) -> int:
    """Load every file first (nothing runs if one is wrong), replay, then write the reports."""
    if bool(args.mem_url) != bool(args.national_url):
        print("scenarios: --mem-url and --national-url go together", file=sys.stderr)
        return 2
    if args.mem_url and args.workers > 1:
        print(f"scenarios: -n {args.workers}: a live replay (--mem-url, --national-url) has one "
              "world, the running portals', so it runs one scenario at a time; leave out -n",
              file=sys.stderr)
        return 2
    files = args.paths
    if args.shard:
        files = shard_files(args.paths, args.shard)
        if not files and scenario_files(args.paths):
            print(f"scenarios: shard {args.shard[0]}/{args.shard[1]} holds none of the "
                  f"{len(scenario_files(args.paths))} files; nothing to replay")
            return 0
    try:
        calendar = read_settings(os.environ).calendar()
        scenarios = load_files(files, calendar)
    except ScenarioLoadError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"scenarios: {len(exc.problems)} problem(s); nothing was run", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"scenarios: {exc}", file=sys.stderr)
        return 2
    if not scenarios:
        print("scenarios: no scenario files found", file=sys.stderr)
        return 2
    replicator_logging(args.verbose)
    try:
        if args.mem_url:
            with live(args.mem_url, args.national_url, keep=args.keep_replay_world) as factory:
                results = replay(scenarios, factory, calendar, args)
        else:
            results = replay(scenarios, None, calendar, args)
    except ReplayRefused as exc:
        print(f"scenarios: {exc}; nothing was run", file=sys.stderr)
        return 2
    except WorldNotRestored as exc:
        print(f"scenarios: {exc}", file=sys.stderr)
        return 1
    return 0 if all(r.passed for r in results) and len(results) == len(scenarios) else 1


def replay(scenarios: list, factory: WorldFactory | None, calendar, args: argparse.Namespace) -> list:
    """Replay (live through `factory`, else in-process on `args.workers` processes), print each
    scenario as it ends in file order, then one summary and the reports asked for."""
    console = ConsoleReport(calendar, color=False if args.no_color else None)
    started, results = perf_counter(), []
    replayed = run_all(scenarios, factory, calendar=calendar, fail_fast=args.fail_fast) \
        if factory else replay_all(scenarios, args.workers, calendar=calendar,
                                   fail_fast=args.fail_fast, verbose=args.verbose)
    for result in replayed:
        console.scenario(result)
        results.append(result)
    workers = min(args.workers, len(scenarios)) if factory is None else 1
    console.summary(results, wall=perf_counter() - started, workers=workers)
    if args.junit:
        write_junit(results, args.junit)
    if args.html:
        write_html(results, args.html, calendar)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scenarios",
                                     description="Replay certsim scenario files.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="replay scenario files and report")
    add_run_arguments(run)
    run.set_defaults(func=run_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
