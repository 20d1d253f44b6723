"""`certsim explain`: when a licence's latest change reaches the national portal, and why."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

import pytest

from certsim import explain, world
from certsim.cli import main
from shared.clock import SHANGHAI
from shared.errors import DomainError

ZHANG = ["--name", "张三", "--id-number", "110101199003070011", "--category", "电工作业",
         "--item", "低压电工作业"]


@pytest.fixture
def ministry(tmp_path, monkeypatch):
    """Return a function opening a SQLite ministry whose world has a lag and a frozen clock."""
    def open_ministry(lag: str = "3wd"):
        monkeypatch.setenv("MEM_DATABASE_URL", f"sqlite:///{tmp_path / 'mem.sqlite3'}")
        monkeypatch.setenv("CERTSIM_VAR_DIR", str(tmp_path / "var"))
        monkeypatch.setenv("SYNC_LAG", lag)  # a new world starts with this lag
        clock = world.clock()
        clock.freeze()
        clock.set(datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI))  # Friday before National Day
    return open_ministry


def certsim_explain(*argv: str) -> int:
    """Run `certsim explain` the way certsim.cli.main runs a command: a domain error is one line
    on stderr and exit status 2 (main's own parser lists `explain` once certsim.cli adds it)."""
    parser = argparse.ArgumentParser(prog="certsim")
    explain.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["explain", *argv])
    try:
        return args.func(args)
    except DomainError as exc:
        print(f"certsim explain: {exc.field}: {exc.message}", file=sys.stderr)
        return 2


def issue(capsys, *extra: str) -> str:
    assert main(["issue", *ZHANG, *extra]) == 0
    return capsys.readouterr().out.strip()


def test_explain_prints_when_the_licence_reaches_the_national_portal_first(ministry, capsys):
    ministry()
    licence = issue(capsys)
    assert certsim_explain(licence) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2024-10-08T00:00:00+08:00"
    assert "第 1 个工作日：9/29 周日 调休上班" in lines
    assert "跳过 10/1–10/7 国庆节" in lines
    assert lines[-1] == "状态：待同步（尚未送达）"


def test_explain_finds_a_licence_by_certificate_number_and_item(ministry, capsys):
    ministry()
    issue(capsys)
    assert certsim_explain("110101199003070011", "--item", "低压电工作业") == 0
    assert capsys.readouterr().out.startswith("2024-10-08T00:00:00+08:00\n")


def test_explain_says_manual_for_a_change_held_for_release(ministry, capsys):
    ministry("manual")
    licence = issue(capsys)
    assert certsim_explain(licence) == 0
    assert capsys.readouterr().out.splitlines()[0] == "manual"


def test_explaining_an_unknown_licence_is_one_line_and_exit_status_2(ministry, capsys):
    ministry()
    assert certsim_explain("nonexistent") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "证照不存在: nonexistent" in captured.err
