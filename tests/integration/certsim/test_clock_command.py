"""`certsim clock`: show the world's time, set it, advance it, jump to the next due change,
pause and resume; every other command then works in that time and says so on stderr."""

import pytest
from sqlalchemy import select

from certsim.cli import main
from shared.db import make_engine, make_sessionmaker
from shared.models import Certificate


@pytest.fixture
def var(tmp_path, monkeypatch):
    """A fresh world under tmp_path (databases and world file, as `certsim run` lays them out)."""
    monkeypatch.setenv("CERTSIM_VAR_DIR", str(tmp_path))
    for name in ("MEM_DATABASE_URL", "NATIONAL_DATABASE_URL", "CERTSIM_WORLD", "CERTSIM_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def clock(*args: str, capsys) -> tuple[int, list[str], str]:
    code = main(["clock", *args])
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def issue(id_number: str = "110101199003070011") -> int:
    return main(["issue", "--name", "张三", "--id-number", id_number,
                 "--category", "电工作业", "--item", "低压电工作业"])


def test_without_a_world_the_clock_says_it_is_real_time(var, capsys):
    code, lines, _ = clock(capsys=capsys)
    assert code == 0 and "real time" in lines[1]


def test_set_prints_the_instant_with_its_offset_then_the_kind_of_day(var, capsys):
    code, lines, _ = clock("set", "2024-10-01T09:30:00+08:00", capsys=capsys)
    assert code == 0
    assert lines[0] == "2024-10-01T09:30:00+08:00"
    assert lines[1].startswith("2024-10-01 星期二 法定节假日 国庆节")


def test_set_reads_another_offset_as_the_same_instant(var, capsys):
    _, lines, _ = clock("set", "2024-09-27T09:00:00Z", capsys=capsys)
    assert lines[0] == "2024-09-27T17:00:00+08:00"


def test_a_set_without_an_offset_names_the_problem_and_changes_nothing(var, capsys):
    clock("set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    clock("pause", capsys=capsys)
    code, _, err = clock("set", "2024-09-28T10:00:00", capsys=capsys)
    assert code == 2 and "时区" in err and len(err.strip().splitlines()) == 1
    assert clock(capsys=capsys)[1][0] == "2024-09-27T17:00:00+08:00"


@pytest.mark.parametrize("step", ["-1d", "3 weeks", "1.5h", "wd", ""])
def test_a_malformed_or_negative_advance_is_refused_in_one_line(var, capsys, step):
    clock("set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    clock("pause", capsys=capsys)
    code, _, err = clock("advance", step, capsys=capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert clock(capsys=capsys)[1][0] == "2024-09-27T17:00:00+08:00"


def test_advance_one_working_day_from_friday_evening_lands_on_the_shift_sunday(var, capsys):
    clock("set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    clock("pause", capsys=capsys)
    _, lines, _ = clock("advance", "1wd", capsys=capsys)
    assert lines[0] == "2024-09-29T17:00:00+08:00" and "调休上班" in lines[1]


def test_advance_one_working_day_from_saturday_lands_on_monday(var, capsys):
    clock("set", "2024-10-19T10:00:00+08:00", capsys=capsys)
    clock("pause", capsys=capsys)
    assert clock("advance", "1wd", capsys=capsys)[1][0] == "2024-10-21T10:00:00+08:00"


def test_a_paused_clock_stands_still_and_a_resumed_one_runs(var, capsys):
    clock("set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    _, lines, _ = clock("pause", capsys=capsys)
    assert "paused" in lines[1]
    assert clock(capsys=capsys)[1][0] == "2024-09-27T17:00:00+08:00"
    _, lines, _ = clock("resume", capsys=capsys)
    assert "running" in lines[1]


def test_issue_uses_the_world_time_and_says_so_on_stderr(var, capsys):
    clock("set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    clock("pause", capsys=capsys)
    assert issue() == 0
    err = capsys.readouterr().err
    assert "simulated time 2024-09-27T17:00:00+08:00" in err
    with make_sessionmaker(make_engine(f"sqlite:///{var / 'mem.sqlite3'}"))() as session:
        assert session.scalar(select(Certificate)).issued_on.isoformat() == "2024-09-27"


def test_certsim_clock_system_forces_real_time_and_says_nothing(var, capsys, monkeypatch):
    clock("set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    monkeypatch.setenv("CERTSIM_CLOCK", "system")
    assert issue() == 0
    assert "simulated" not in capsys.readouterr().err
    with make_sessionmaker(make_engine(f"sqlite:///{var / 'mem.sqlite3'}"))() as session:
        assert session.scalar(select(Certificate)).issued_on.year >= 2026


def test_moving_back_before_written_data_is_refused_and_points_at_snapshots(var, capsys):
    clock("set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    clock("pause", capsys=capsys)
    issue()
    capsys.readouterr()
    code, _, err = clock("set", "2024-09-26T09:00:00+08:00", capsys=capsys)
    assert code == 2 and "snapshot" in err and len(err.strip().splitlines()) == 1
    assert clock(capsys=capsys)[1][0] == "2024-09-27T17:00:00+08:00"


def test_next_due_jumps_to_midnight_of_the_third_working_day(var, capsys):
    clock("set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    clock("pause", capsys=capsys)
    issue()
    capsys.readouterr()
    _, lines, _ = clock("next-due", capsys=capsys)
    # 9/29 (调休上班), 9/30, then 10/8 after the National Day holiday
    assert lines[0] == "2024-10-08T00:00:00+08:00"


def test_next_due_with_nothing_pending_says_so(var, capsys):
    clock("set", "2024-09-27T17:00:00+08:00", capsys=capsys)
    code, _, err = clock("next-due", capsys=capsys)
    assert code == 2 and "没有待到期的变更" in err
