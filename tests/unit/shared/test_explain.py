"""Explaining when a change reaches the national portal: the lag rule, day by day."""

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.clock import SHANGHAI
from shared.explain import explain_change
from shared.models import ChangeKind, OutboxEntry, OutboxState
from shared.workdays import WorkingCalendar, load_calendar_file

CAL = WorkingCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def change(written: str, visible: str | None, *, kind=ChangeKind.ISSUED,
           state=OutboxState.PENDING, **more) -> OutboxEntry:
    return OutboxEntry(kind=kind, created_at=at(written), visible_at=visible and at(visible),
                       state=state, attempts=more.pop("attempts", 0), **more)


def test_a_change_before_national_day_counts_the_tiaoxiu_sunday_and_skips_the_holiday():
    lines = explain_change(change("2024-09-27T17:00", "2024-10-08T00:00"), CAL)
    assert lines == [
        "2024-10-08T00:00:00+08:00",
        "变更：签发，写入于 2024-09-27T17:00:00+08:00",
        "D  = 2024-09-27 周五 工作日",
        "D0 = D（当天是工作日）",
        "跳过 9/28 周六 休息日",
        "第 1 个工作日：9/29 周日 调休上班",
        "第 2 个工作日：9/30 周一 工作日",
        "跳过 10/1–10/7 国庆节",
        "第 3 个工作日：10/8 周二 工作日",
        "自第 3 个工作日 00:00 起可见：2024-10-08T00:00:00+08:00",
        "状态：待同步（尚未送达）",
    ]


def test_the_explanation_agrees_with_the_lag_rule_it_explains():
    visible, counted = CAL.visible_from(at("2024-09-27T17:00"), 3)  # `certsim calendar`'s rule
    lines = explain_change(change("2024-09-27T17:00", "2024-10-08T00:00"), CAL)
    assert lines[0] == visible.isoformat()
    assert [line.split("：")[1].split()[0] for line in lines if line.startswith("第 ")] \
        == [f"{day.month}/{day.day}" for day in counted]


def test_a_change_on_a_holiday_says_why_d_was_skipped():
    lines = explain_change(change("2024-10-01T09:00", "2024-10-09T00:00"), CAL)
    assert lines[2:5] == ["D  = 2024-10-01 周二 法定节假日 国庆节",
                          "D0 = 2024-10-08 周二 工作日，跳过 10/1–10/7 国庆节",
                          "第 1 个工作日：10/9 周三 工作日"]


def test_a_change_on_a_saturday_counts_from_monday():
    lines = explain_change(change("2024-10-19T10:00", "2024-10-22T00:00"), CAL)
    assert "D0 = 2024-10-21 周一 工作日，跳过 10/19–10/20 周六–周日 休息日" in lines
    assert lines[-2] == "自第 1 个工作日 00:00 起可见：2024-10-22T00:00:00+08:00"


def test_days_of_the_next_year_carry_their_year():
    lines = explain_change(change("2024-12-31T10:00", "2025-01-03T00:00"), CAL)
    assert "跳过 2025/1/1 元旦" in lines and "第 2 个工作日：2025/1/3 周五 工作日" in lines


def test_a_change_held_for_release_says_manual_on_its_first_line():
    lines = explain_change(change("2024-09-27T17:00", None, kind=ChangeKind.REVOKED), CAL)
    assert lines[0] == "manual"
    assert lines[1] == "变更：撤销，写入于 2024-09-27T17:00:00+08:00"
    assert "手动放行" in lines[2]


def test_a_duration_policy_is_said_to_count_no_days():
    lines = explain_change(change("2024-09-27T17:00", "2024-09-27T19:00"), CAL)
    assert lines[0] == "2024-09-27T19:00:00+08:00"
    assert "未按工作日计算" in lines[-2] and not any("第 1 个工作日" in x for x in lines)


@pytest.mark.parametrize(("written", "visible"), [
    ("2024-09-27T17:00", "2024-09-27T17:00"),  # 0 or 0wd on a working day: at once
    ("2024-10-19T10:00", "2024-10-21T00:00"),  # 0wd on a Saturday: 00:00 of D0
])
def test_zero_working_days_is_explained_as_no_days_counted(written, visible):
    assert explain_change(change(written, visible), CAL)[-2].startswith(
        "不计工作日（延迟 0 或 0wd）")


def test_a_delivered_change_says_when_and_a_blocked_one_why():
    delivered = change("2024-09-27T17:00", "2024-10-08T00:00", state=OutboxState.DELIVERED,
                       delivered_at=at("2024-10-08T00:00:05"))
    assert explain_change(delivered, CAL)[-1] == "状态：已送达 2024-10-08T00:00:05+08:00"
    blocked = change("2024-09-27T17:00", "2024-10-08T00:00", state=OutboxState.BLOCKED,
                     attempts=5, last_error="ingest refused")
    assert explain_change(blocked, CAL)[-1] == (
        "状态：已阻塞（可经控制面重试），失败 5 次，最近错误：ingest refused")


def test_a_year_the_calendar_lacks_is_said_not_to_be_countable():
    lines = explain_change(change("2026-12-31T10:00", "2027-01-04T00:00"), CAL)
    assert lines[0] == "2027-01-04T00:00:00+08:00"
    assert "无法计算工作日" in lines[2] and "2027" in lines[2]


def test_a_calendar_file_year_names_its_holidays_by_their_kind(tmp_path):
    path = tmp_path / "cal.toml"
    path.write_text('[2027]\nholidays = ["2027-01-01..2027-01-03"]\n')
    cal = WorkingCalendar(extra_years=load_calendar_file(path))
    lines = explain_change(change("2026-12-31T10:00", "2027-01-04T00:00"), cal)
    assert "跳过 2027/1/1–2027/1/3 法定节假日" in lines


def test_explanations_kept_for_one_calendar_are_never_given_for_another(tmp_path):
    path = tmp_path / "cal.toml"
    path.write_text('[2027]\nholidays = ["2027-01-01..2027-01-03"]\n')
    entry = change("2026-12-31T10:00", "2027-01-04T00:00")
    for _ in range(2):  # the second time from what was kept
        assert "无法计算工作日" in explain_change(entry, CAL)[2]
        with_file = explain_change(entry, WorkingCalendar(extra_years=load_calendar_file(path)))
        assert "跳过 2027/1/1–2027/1/3 法定节假日" in with_file


instants = st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2026, 11, 30),
                        timezones=st.just(SHANGHAI))


@settings(max_examples=100, deadline=None)
@given(moment=instants, days=st.integers(1, 3))
def test_the_days_explained_are_the_days_the_lag_rule_counts(moment, days):
    visible, counted = CAL.visible_from(moment, days)
    entry = OutboxEntry(kind=ChangeKind.ISSUED, created_at=moment, visible_at=visible,
                        state=OutboxState.PENDING, attempts=0)
    lines = explain_change(entry, CAL)
    assert lines[0] == visible.isoformat()
    assert sum(line.startswith("第 ") for line in lines) == len(counted) == days
