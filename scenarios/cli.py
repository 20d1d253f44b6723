"""`python -m scenarios run PATH... [--junit FILE] [--html FILE] [--fail-fast]`.

Exit status: 0 when every scenario passed, 1 when any expectation failed (or a scenario
crashed, or a live world could not be put back), 2 when a file could not be loaded or a live
world could not be saved (then nothing runs).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from contextlib import nullcontext

from scenarios.live import KEPT_AS, ReplayRefused, WorldNotRestored
from scenarios.loader import ScenarioLoadError, load_files
from scenarios.reporting.console import ConsoleReport
from scenarios.reporting.html import write_html
from scenarios.reporting.junit import write_junit
from scenarios.runner import live, run_all
from shared.errors import DomainError
from shared.settings import read_settings


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of `run` (shared with `certsim replay`)."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="scenario files or directories (every *.yaml under them)")
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
    try:
        calendar = read_settings(os.environ).calendar()
        scenarios = load_files(args.paths, calendar)
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
    _quiet_replicator(args.verbose)
    factory = live(args.mem_url, args.national_url, keep=args.keep_replay_world) \
        if args.mem_url else None
    try:
        with factory or nullcontext():
            results = replay(scenarios, factory, calendar, args)
    except ReplayRefused as exc:
        print(f"scenarios: {exc}; nothing was run", file=sys.stderr)
        return 2
    except WorldNotRestored as exc:
        print(f"scenarios: {exc}", file=sys.stderr)
        return 1
    return 0 if all(r.passed for r in results) and len(results) == len(scenarios) else 1


def replay(scenarios: list, factory, calendar, args: argparse.Namespace) -> list:
    """Replay, print each scenario as it ends, then write the reports asked for."""
    console = ConsoleReport(calendar, color=False if args.no_color else None)
    results = []
    for result in run_all(scenarios, factory, calendar=calendar, fail_fast=args.fail_fast):
        console.scenario(result)
        results.append(result)
    console.summary(results)
    if args.junit:
        write_junit(results, args.junit)
    if args.html:
        write_html(results, args.html, calendar)
    return results


def _quiet_replicator(verbose: bool) -> None:
    """Show the replicator's log lines only with --verbose; the reports tell the story."""
    if verbose:
        logging.basicConfig(level=logging.INFO, format="    %(name)s: %(message)s")
    else:
        logging.getLogger("sync").addHandler(logging.NullHandler())


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
