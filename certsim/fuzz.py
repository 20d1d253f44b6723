"""`certsim fuzz --stories N --seed S [--lag POLICY] [--out DIR]`: generated stories that hunt
for broken rules (hypothesis stateful testing over the scenario actions, in-process).

Exit status: 0 when every rule held, 1 when a story broke one (written, shrunk, to --out) or
the hunt crashed, 2 for a bad option.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shared.errors import DomainError


def register(sub) -> None:
    """Add the `fuzz` subcommand to the certsim command line."""
    parser = sub.add_parser("fuzz", help="generate stories that hunt for broken rules")
    parser.add_argument("--stories", required=True, metavar="N",
                        help="how many stories to generate (1..10000)")
    parser.add_argument("--seed", required=True, metavar="S",
                        help="the seed (an integer): the same seed tells the same stories")
    parser.add_argument("--lag", metavar="POLICY",
                        help="the lag policy of every story (SYNC_LAG syntax, not manual); "
                             "default: each story draws one")
    parser.add_argument("--out", metavar="DIR", default="reports/fuzz",
                        help="where a failing story is written (default reports/fuzz)")
    parser.set_defaults(func=run_fuzz)


def _options(args) -> tuple[int, int, str | None]:
    """Check the options; raise ValueError naming the one at fault."""
    from shared.lag import parse_lag

    try:
        stories = int(args.stories)
    except ValueError:
        raise ValueError(f"--stories: {args.stories!r} is not a whole number") from None
    if not 1 <= stories <= 10_000:
        raise ValueError(f"--stories: {stories} is out of range (1..10000)")
    try:
        seed = int(args.seed)
    except ValueError:
        raise ValueError(f"--seed: {args.seed!r} is not an integer") from None
    if args.lag is not None:
        try:
            policy = parse_lag(args.lag, field="--lag")
        except DomainError as error:
            raise ValueError(f"--lag: {error.message}") from None
        if policy.kind == "manual":
            raise ValueError("--lag: manual holds every change for a release, which generated "
                             "stories never make; give 0, <n>wd, <n>s|m|h or uniform:…")
    return stories, seed, args.lag


def run_fuzz(args) -> int:
    """Hunt, show progress on the terminal, print the summary; 1 when a rule broke."""
    from scenarios.stories.hunt import hunt
    from shared.settings import read_settings

    try:
        stories, seed, lag = _options(args)
    except ValueError as error:
        print(f"certsim fuzz: {error}", file=sys.stderr)
        return 2
    calendar = read_settings(os.environ).calendar()
    progress = _Progress(stories)
    report = hunt(stories, seed, calendar, lag=lag, out=Path(args.out), progress=progress)
    progress.done()
    print(summary(report, stories, seed))
    return 0 if report.passed else 1


class _Progress:
    """One line on the terminal, rewritten as stories end (a line each when not a terminal)."""

    def __init__(self, total: int):
        self.total, self.tty = total, sys.stderr.isatty()

    def __call__(self, report) -> None:
        shrinking = report.stories - report.generated
        line = (f"stories {min(report.generated, self.total)}/{self.total} · steps "
                f"{report.steps} · failures {1 if shrinking else 0}"
                + (f" · shrinking ({shrinking} tries)" if shrinking else ""))
        if self.tty:
            print(f"\r{line}\033[K", end="", file=sys.stderr, flush=True)
        elif not shrinking or shrinking % 50 == 0:
            print(line, file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def summary(report, stories: int, seed: int) -> str:
    """The end of a hunt: rate, steps, rules checked, and the failure if any."""
    lines = [f"certsim fuzz --seed {seed}: {report.generated} stories generated "
             f"({report.stories} played with shrinking), {report.steps} steps, "
             f"{report.checks} rules checked in {report.seconds:.1f} s "
             f"({report.stories_per_second:.2f} stories/s)"]
    if report.crash:
        lines.append(f"crashed: {report.crash}")
    failure = report.failure
    if failure is None:
        lines.append(f"all rules held in {report.generated} stories" if not report.crash else "")
        return "\n".join(line for line in lines if line)
    lines += [f"broken rule: {failure.rule}", *(f"  {d}" for d in failure.details),
              f"shrunk to {failure.steps} steps, written to {failure.path}",
              ("replaying it fails the same way: certsim replay " + str(failure.path))
              if failure.reproduced else
              "replaying the file does NOT fail on its own (the rule is not expressible as "
              "an expectation there): " + "; ".join(failure.replay_said)]
    return "\n".join(lines)
