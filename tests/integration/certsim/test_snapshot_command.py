"""`certsim snapshot save|restore|list|delete`: the whole world (both databases, the clock, the
lag policy) put aside and brought back; `demo` is built in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from certsim import world
from certsim.cli import main
from certsim.demo import DEMO_START, HOLDERS
from shared.accounts.models import Account
from shared.clock import SHANGHAI
from shared.models import Certificate
from shared.world import WorldClock


@pytest.fixture
def var(tmp_path, monkeypatch):
    monkeypatch.setenv("CERTSIM_VAR_DIR", str(tmp_path))
    for name in ("MEM_DATABASE_URL", "NATIONAL_DATABASE_URL", "CERTSIM_WORLD", "CERTSIM_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(*argv: str, capsys) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def certificates() -> int:
    with world.open_session("mem") as session:
        return session.scalar(select(func.count()).select_from(Certificate))


def clock_now() -> datetime:
    return WorldClock(world.settings().world()).now()


def issue(id_number: str = "110101199203070016") -> None:
    assert main(["issue", "--name", "李四", "--id-number", id_number, "--category", "电工作业",
                 "--item", "低压电工作业"]) == 0


def test_restoring_demo_puts_back_both_portals_demo_and_the_demo_start(var, capsys):
    code, out, _ = run("snapshot", "restore", "demo", capsys=capsys)
    assert code == 0 and out.startswith("restored demo: clock 2026-09-30T10:00:00+08:00")
    for database in ("mem", "national"):
        with world.open_session(database) as session:
            assert session.scalar(select(func.count()).select_from(Account)) == len(HOLDERS)
    assert abs((clock_now() - DEMO_START).total_seconds()) < 60


def test_a_saved_snapshot_brings_back_the_data_and_the_clock(var, capsys):
    run("clock", "pause", capsys=capsys)
    run("clock", "set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    issue()
    run("snapshot", "save", "one", capsys=capsys)
    issue("110101199003070038")
    run("clock", "advance", "3d", capsys=capsys)
    code, out, _ = run("snapshot", "restore", "one", capsys=capsys)
    assert code == 0 and "clock 2024-09-27T17:00:00+08:00" in out
    assert certificates() == 1 and clock_now() == datetime(2024, 9, 27, 17, tzinfo=SHANGHAI)
    assert run("snapshot", "list", capsys=capsys)[1].split() == ["demo", "one"]
    assert run("snapshot", "delete", "one", capsys=capsys)[0] == 0
    assert run("snapshot", "list", capsys=capsys)[1].split() == ["demo"]


def test_a_running_clock_resumes_from_the_instant_it_was_saved_at(var, capsys):
    with freeze_time("2026-11-30 02:00:00") as wall:
        run("clock", "set", "2024-09-27T17:00:00+08:00", capsys=capsys)
        run("clock", "resume", capsys=capsys)
        wall.tick(timedelta(minutes=10))
        run("snapshot", "save", "running", capsys=capsys)   # the world shows 17:10
        wall.tick(timedelta(hours=5))
        run("snapshot", "restore", "running", capsys=capsys)
        assert clock_now() == datetime(2024, 9, 27, 17, 10, tzinfo=SHANGHAI)
        wall.tick(timedelta(minutes=1))
        assert clock_now() == datetime(2024, 9, 27, 17, 11, tzinfo=SHANGHAI)  # and runs on


@pytest.mark.parametrize(("argv", "says"), [
    (("restore", "nope"), "没有名为 'nope' 的快照"),
    (("save", "demo"), "内置快照"),
    (("delete", "demo"), "内置快照"),
    (("save", "Bad Name"), "快照名称"),
    (("save",), "needs a NAME"),
    (("delete", "nope"), "没有名为 'nope' 的快照"),
])
def test_a_bad_snapshot_command_names_the_problem_in_one_line_and_changes_nothing(
        var, capsys, argv, says):
    run("clock", "pause", capsys=capsys)
    run("clock", "set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    issue()
    capsys.readouterr()
    code, _, err = run("snapshot", *argv, capsys=capsys)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1
    assert certificates() == 1 and clock_now() == datetime(2024, 9, 27, 17, tzinfo=SHANGHAI)
    assert run("snapshot", "list", capsys=capsys)[1].split() == ["demo"]
