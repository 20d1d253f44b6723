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


def test_a_holder_from_jiangsu_is_issued_by_the_jiangsu_department(databases, capsys):
    assert main(["issue", "--name", "张三", "--id-number", "110101199003070011",
                 "--category", "电工作业", "--item", "低压电工作业",
                 "--authority", "江苏省应急管理厅"]) == 0
    with make_sessionmaker(make_engine(databases["mem"]))() as session:
        cert = session.scalar(select(Certificate))
    assert (cert.authority, cert.region_code) == ("江苏省应急管理厅", "320000")
    assert cert.authority_code == "11320000MB1325419J" and cert.authority_code in cert.licence_id


def test_an_unknown_issuer_suggests_its_province_and_says_where_the_list_is(databases, capsys):
    assert main(["issue", "--name", "张三", "--id-number", "110101199003070011",
                 "--category", "电工作业", "--item", "低压电工作业",
                 "--authority", "江苏省应急管理局"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("certsim issue: authority: 未知的签发机关 '江苏省应急管理局'，是否为 "
                   "江苏省应急管理厅；签发机关为32个省级应急管理厅（局）之一，写全称，"
                   "全部名称见 certsim authorities")


def test_authorities_lists_every_issuer_with_its_region_and_credit_code(capsys):
    assert main(["authorities"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 32
    assert ["新疆生产建设兵团应急管理局", "660000", "11660000MB16964567"] in rows
