"""Issue 12: a bad date or time on the certsim command line is one line on stderr and exit 2.

Every date and time argument (`issue --issued-on`, `calendar DATETIME`, `export --at`) goes
through one parser: YYYY-MM-DD (or an ISO datetime starting with it) in ASCII digits, nothing
else, refused before any database is opened.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from certsim.cli import main
from shared.db import make_engine
from shared.models import Certificate

BAD_DAYS = ["2026-13-45", "２０２６-０１-０１", "2026-01-3１", "20260101", "2026-W01-1", "",
            " 2026-01-01", "2026-1-1", "0000-01-01"]
BAD_MOMENTS = [*BAD_DAYS, "2026-01-01T25:00", "2026-01-01T１０:00", "2026-01-01T10:00+25:00",
               "0001-01-01T00:00+14:00", "9999-12-31T23:59-10:00", "tomorrow"]
HOLDER = ["--name", "张三", "--id-number", "110101199003070011", "--category", "电工作业",
          "--item", "低压电工作业"]


@pytest.fixture
def mem_db(tmp_path, monkeypatch):
    """Point the CLI at a ministry database that does not exist yet; return its path."""
    path = tmp_path / "mem.sqlite3"
    monkeypatch.setenv("MEM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("NATIONAL_DATABASE_URL", f"sqlite:///{tmp_path / 'national.sqlite3'}")
    monkeypatch.setenv("CERTSIM_WORLD", str(tmp_path / "world.json"))
    return path


def refusal(capsys, argv: list[str]) -> str:
    """Run certsim; assert exit 2, nothing on stdout and one line on stderr; return that line."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err.strip()


def certificates_in(path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(Certificate)).scalar_one()
    engine.dispose()
    return count


@pytest.mark.parametrize("text", BAD_DAYS)
def test_issue_with_a_bad_issue_date_names_issued_on_and_creates_no_database(
        mem_db, capsys, text):
    line = refusal(capsys, ["issue", *HOLDER, "--issued-on", text])
    assert line.startswith("certsim issue: issued_on: ") and repr(text) in line
    assert not mem_db.exists()


def test_issue_with_an_impossible_date_of_the_brief_answers_in_one_line(mem_db, capsys):
    line = refusal(capsys, ["issue", *HOLDER, "--issued-on", "2026-13-45"])
    assert line == "certsim issue: issued_on: not a date YYYY-MM-DD (ASCII digits): '2026-13-45'"


def test_issue_with_a_good_date_after_a_refused_one_issues_exactly_one_certificate(
        mem_db, capsys):
    refusal(capsys, ["issue", *HOLDER, "--version", "old", "--issued-on", "２０１８-０５-０２"])
    assert main(["issue", *HOLDER, "--version", "old", "--issued-on", "2018-05-02"]) == 0
    assert certificates_in(mem_db) == 1


@pytest.mark.parametrize("text", BAD_MOMENTS)
def test_calendar_with_a_bad_datetime_names_the_argument(capsys, text):
    assert refusal(capsys, ["calendar", text]).startswith("certsim calendar: datetime: ")


@pytest.mark.parametrize("text", BAD_MOMENTS)
def test_export_with_a_bad_generation_time_names_at_and_writes_nothing(
        mem_db, tmp_path, capsys, text):
    out = tmp_path / "licence.ofd"
    line = refusal(capsys, ["export", "20240000000001", "--out", str(out), "--at", text])
    assert line.startswith("certsim export: --at: ")
    assert not out.exists() and not mem_db.exists()


def test_export_at_a_time_a_zip_cannot_date_is_refused_in_one_line(mem_db, tmp_path, capsys):
    out = tmp_path / "licence.ofd"
    line = refusal(capsys, ["export", "20240000000001", "--out", str(out),
                            "--at", "2108-01-01T00:00+08:00"])
    assert line.startswith("certsim export: --at: must fall in 1980..2107")
    assert not out.exists()


def test_export_to_a_folder_that_does_not_exist_is_refused_in_one_line(mem_db, tmp_path, capsys):
    assert main(["issue", *HOLDER, "--version", "old", "--issued-on", "2018-05-02"]) == 0
    key_line = capsys.readouterr().out.strip()
    out = tmp_path / "missing" / "licence.ofd"
    line = refusal(capsys, ["export", key_line, "--force", "--out", str(out),
                            "--at", "2024-09-27T17:00:00+08:00"])
    assert line.startswith(f"certsim export: --out: cannot write {out}")


def test_issue_with_a_full_width_id_number_stores_the_ascii_one_and_then_refuses_a_twin(
        mem_db, capsys):
    full_width = ["--name", "张三", "--id-number", "1１０１０１19900307００１1", "--category",
                  "电工作业", "--item", "低压电工作业"]
    assert main(["issue", *full_width]) == 0
    capsys.readouterr()
    line = refusal(capsys, ["issue", *HOLDER])
    assert line.startswith("certsim issue: item: ") and "已持有" in line
    engine = make_engine(f"sqlite:///{mem_db}")
    with engine.connect() as connection:
        stored = connection.execute(select(Certificate.holder_id_number)).scalars().all()
    engine.dispose()
    assert stored == ["110101199003070011"]
