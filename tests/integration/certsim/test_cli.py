"""The certsim command: calendar, issue, seed-demo, migrate."""

import pytest
from sqlalchemy import select

from certsim.cli import main
from shared.db import make_engine, make_sessionmaker
from shared.models import Certificate, OutboxEntry


@pytest.fixture
def databases(tmp_path, monkeypatch):
    urls = {name: f"sqlite:///{tmp_path / (name + '.sqlite3')}" for name in ("mem", "national")}
    monkeypatch.setenv("MEM_DATABASE_URL", urls["mem"])
    monkeypatch.setenv("NATIONAL_DATABASE_URL", urls["national"])
    monkeypatch.setenv("CERTSIM_WORLD", str(tmp_path / "world.json"))
    return urls


def test_calendar_prints_the_visible_from_date_alone_on_its_first_line(capsys):
    assert main(["calendar", "2024-09-27", "--lag", "3wd"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2024-10-08"
    assert "2024-09-29" in lines[1]


def test_calendar_fails_for_an_unknown_year_naming_it_and_the_remedy(capsys):
    assert main(["calendar", "2026-12-31", "--lag", "1wd"]) == 2
    err = capsys.readouterr().err
    assert "2027" in err and "CERTSIM_CALENDAR_FILE" in err


def test_calendar_refuses_a_lag_above_three_working_days(capsys):
    assert main(["calendar", "2024-09-27", "--lag", "4wd"]) == 2
    assert "at most 3" in capsys.readouterr().err


def test_issue_creates_the_database_and_prints_the_licence_identifier(databases, capsys):
    code = main(["issue", "--name", "张三", "--id-number", "110101199003070011",
                 "--category", "电工作业", "--item", "低压电工作业", "--issued-on", "2024-01-02"])
    assert code == 0
    printed = capsys.readouterr().out.strip()
    with make_sessionmaker(make_engine(databases["mem"]))() as session:
        cert = session.scalar(select(Certificate))
        assert printed == cert.licence_id and cert.issued_on.isoformat() == "2024-01-02"
        assert session.scalar(select(OutboxEntry)).kind == "issued"


def test_issue_with_a_bad_item_names_the_field_and_writes_nothing(databases, capsys):
    code = main(["issue", "--name", "张三", "--id-number", "110101199003070011",
                 "--category", "电工作业", "--item", "钎焊作业"])
    assert code == 2 and "item:" in capsys.readouterr().err
    with make_sessionmaker(make_engine(databases["mem"]))() as session:
        assert session.scalar(select(Certificate)) is None


def test_seed_demo_loads_the_guide_cases_once(databases, capsys):
    assert main(["seed-demo"]) == 0
    out = capsys.readouterr().out
    assert "13800138000 / Demo@2026" in out
    assert main(["seed-demo"]) == 0
    assert "already present" in capsys.readouterr().out
    with make_sessionmaker(make_engine(databases["mem"]))() as session:
        certs = list(session.scalars(select(Certificate)))
    assert {c.card_version for c in certs} == {"new", "old_ic"}
    assert {c.status for c in certs} >= {"valid", "revoked"}
    assert any(c.category == "煤矿安全作业" for c in certs)
