"""`certsim fuzz`: generated stories hold on the real code and catch a planted lag fault."""

from datetime import timedelta

import pytest

from certsim.cli import main
from scenarios.loader import load_file
from scenarios.runner import run_scenario
from scenarios.stories.hunt import hunt
from scenarios.stories.story import TIMING
from shared.lag import LagPolicy
from shared.workdays import configured_calendar

CALENDAR = configured_calendar()
SEED = 16


def one_minute_early(monkeypatch) -> None:
    """A planted fault: the ministry applies the lag rule one minute early."""
    honest = LagPolicy.visible_at

    def early(self, moment, key, calendar):
        at = honest(self, moment, key, calendar)
        return None if at is None else at - timedelta(minutes=1)

    monkeypatch.setattr(LagPolicy, "visible_at", early)


def test_a_fixed_seed_batch_of_generated_stories_breaks_no_rule(tmp_path):
    report = hunt(6, SEED, CALENDAR, out=tmp_path, max_rules=15)
    assert report.failure is None and report.crash is None, report
    assert report.generated >= 6 and report.steps > 30 and report.checks > report.steps
    assert not list(tmp_path.iterdir())


def test_a_lag_applied_one_minute_early_is_found_shrunk_and_written_as_a_failing_scenario(
        tmp_path, monkeypatch):
    one_minute_early(monkeypatch)
    report = hunt(6, SEED, CALENDAR, out=tmp_path, max_rules=15)
    failure = report.failure
    assert failure is not None and failure.rule == TIMING and failure.reproduced
    assert failure.path.parent == tmp_path and failure.steps <= 3
    scenario = load_file(failure.path, CALENDAR)
    assert f"--seed {SEED}" in scenario.description and "rule time" in scenario.description
    with_fault = run_scenario(scenario, calendar=CALENDAR)
    assert not with_fault.passed
    assert any("visible_at" in line for s in with_fault.steps for line in s.failures)
    monkeypatch.undo()
    assert run_scenario(scenario, calendar=CALENDAR).passed


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--stories", "many", "--stories: 'many' is not a whole number"),
    ("--stories", "0", "--stories: 0 is out of range"),
    ("--seed", "x", "--seed: 'x' is not an integer"),
    ("--lag", "manual", "--lag: manual"),
    ("--lag", "4wd", "--lag:"),
])
def test_a_bad_fuzz_option_is_refused_naming_it(option, value, said, capsys, tmp_path):
    args = {"--stories": "1", "--seed": "1", "--out": str(tmp_path), option: value}
    assert main(["fuzz", *[x for pair in args.items() for x in pair]]) == 2
    assert said in capsys.readouterr().err


def test_the_fuzz_command_prints_a_summary_and_exits_zero_when_all_rules_hold(capsys,
                                                                              tmp_path):
    assert main(["fuzz", "--stories", "1", "--seed", "3", "--lag", "1wd",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "stories/s" in out and "rules checked" in out and "all rules held" in out
