"""The working-day calendar, advancing N working days, the lag rule, and the kind of a day."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.clock import SHANGHAI
from shared.errors import DomainError
from shared.workdays import (
    CalendarYearUnknown,
    DayType,
    WorkingCalendar,
    advance_working_days,
    day_kind,
    load_calendar_file,
)

CAL = WorkingCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_friday_before_national_day_2024_becomes_visible_on_october_8():
    visible, counted = CAL.visible_from(at("2024-09-27T17:00"), 3)
    assert visible == at("2024-10-08T00:00")
    assert counted == [date(2024, 9, 29), date(2024, 9, 30), date(2024, 10, 8)]


def test_a_tiaoxiu_working_sunday_counts_as_a_working_day():
    assert CAL.is_working_day(date(2024, 9, 29))  # Sunday, worked for National Day
    assert not CAL.is_working_day(date(2024, 10, 1))


def test_an_ordinary_weekend_is_skipped():
    visible, _ = CAL.visible_from(at("2024-11-15T10:00"), 1)  # Friday
    assert visible == at("2024-11-18T00:00")


def test_a_change_on_a_holiday_counts_from_the_next_working_day():
    visible, counted = CAL.visible_from(at("2024-10-03T12:00"), 1)
    assert counted == [date(2024, 10, 9)]  # D0 = 10-08, the first working day after is 10-09
    assert visible == at("2024-10-09T00:00")


def test_spring_festival_2025_break_delays_three_working_days():
    visible, counted = CAL.visible_from(at("2025-01-27T15:00"), 3)  # Monday before 春节
    assert counted == [date(2025, 2, 5), date(2025, 2, 6), date(2025, 2, 7)]
    assert visible == at("2025-02-07T00:00")


def test_zero_working_days_is_immediate_on_a_working_day():
    moment = at("2024-09-27T17:00")
    assert CAL.visible_from(moment, 0)[0] == moment


def test_zero_working_days_on_a_holiday_waits_for_the_next_working_day():
    assert CAL.visible_from(at("2024-10-01T09:00"), 0)[0] == at("2024-10-08T00:00")


def test_the_date_is_taken_in_shanghai_not_utc():
    # 2024-09-29 20:00 UTC is Monday 2024-09-30 04:00 in Shanghai
    moment = datetime.fromisoformat("2024-09-29T20:00:00+00:00")
    assert CAL.visible_from(moment, 1)[1] == [date(2024, 10, 8)]


def test_a_year_without_official_data_fails_naming_the_year():
    with pytest.raises(CalendarYearUnknown) as info:
        CAL.visible_from(at("2026-12-31T10:00"), 1)
    assert "2027" in info.value.message and "CERTSIM_CALENDAR_FILE" in info.value.message


def test_a_calendar_file_supplies_a_missing_year(tmp_path):
    path = tmp_path / "cal.toml"
    path.write_text('[2027]\nholidays = ["2027-01-01..2027-01-03"]\nworking_weekends = ["2027-01-09"]\n')
    cal = WorkingCalendar(extra_years=load_calendar_file(path))
    assert not cal.is_working_day(date(2027, 1, 1))
    assert cal.is_working_day(date(2027, 1, 9))  # a Saturday worked
    assert cal.visible_from(at("2026-12-31T10:00"), 1)[0] == at("2027-01-04T00:00")


def test_a_calendar_file_with_a_bad_range_names_the_table(tmp_path):
    path = tmp_path / "cal.toml"
    path.write_text('[2027]\nholidays = ["2027-02-10..2027-02-01"]\n')
    with pytest.raises(DomainError, match=r"\[2027\] holidays"):
        load_calendar_file(path)


def test_the_weekday_fallback_is_only_taken_when_allowed_and_warns():
    cal = WorkingCalendar(weekday_fallback=True)
    with pytest.warns(UserWarning, match="2028"):
        assert cal.is_working_day(date(2028, 3, 1))


def test_a_lag_above_three_working_days_is_refused():
    with pytest.raises(DomainError, match="0 to 3"):
        CAL.visible_from(at("2024-09-27T17:00"), 4)


instants = st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2026, 11, 30),
                        timezones=st.just(SHANGHAI))


@settings(max_examples=200, deadline=None)
@given(moment=instants, days=st.integers(0, 3))
def test_visibility_is_never_before_the_change_and_starts_a_working_day(moment, days):
    visible, counted = CAL.visible_from(moment, days)
    assert visible >= moment
    assert CAL.is_working_day(visible.astimezone(SHANGHAI).date())
    assert len(counted) == max(days, 1)


@settings(max_examples=200, deadline=None)
@given(moment=instants, step=st.timedeltas(timedelta(0), timedelta(days=20)),
       days=st.integers(0, 3))
def test_a_later_change_never_becomes_visible_earlier(moment, step, days):
    later = moment + step
    if later.year > 2026:
        return
    assert CAL.visible_from(later, days)[0] >= CAL.visible_from(moment, days)[0]


@settings(max_examples=100, deadline=None)
@given(moment=instants, days=st.integers(1, 3))
def test_exactly_n_working_days_lie_between_the_first_working_day_and_visibility(moment, days):
    visible, _ = CAL.visible_from(moment, days)
    d0 = CAL.next_working_day(moment.astimezone(SHANGHAI).date())
    end = visible.astimezone(SHANGHAI).date()
    between = [d0 + timedelta(n) for n in range(1, (end - d0).days + 1)]
    assert sum(CAL.is_working_day(d) for d in between) == days


# Advancing N working days and the lag rule, side by side


def test_from_a_saturday_advancing_one_working_day_lands_on_monday_but_the_lag_on_tuesday():
    moment = at("2024-10-19T10:00")
    assert advance_working_days(moment, 1, CAL) == at("2024-10-21T10:00")
    assert CAL.visible_from(moment, 1)[0] == at("2024-10-22T00:00")


def test_from_the_friday_before_national_day_both_rules_count_the_tiaoxiu_sunday():
    moment = at("2024-09-27T17:00")
    assert advance_working_days(moment, 1, CAL) == at("2024-09-29T17:00")
    assert advance_working_days(moment, 3, CAL) == at("2024-10-08T17:00")
    assert CAL.visible_from(moment, 1)[0] == at("2024-09-29T00:00")
    assert CAL.visible_from(moment, 3)[0] == at("2024-10-08T00:00")


def test_both_rules_cross_new_years_day_into_2025():
    moment = at("2024-12-31T10:00")
    assert advance_working_days(moment, 1, CAL) == at("2025-01-02T10:00")
    assert CAL.visible_from(moment, 1)[0] == at("2025-01-02T00:00")


def test_from_inside_spring_festival_2024_advancing_reaches_the_tiaoxiu_sunday_the_lag_monday():
    moment = at("2024-02-12T10:00")  # Monday, 春节
    assert advance_working_days(moment, 1, CAL) == at("2024-02-18T10:00")
    assert CAL.visible_from(moment, 1)[0] == at("2024-02-19T00:00")


def test_advancing_zero_working_days_stays_put_even_on_a_holiday():
    moment = at("2024-10-01T09:00")
    assert advance_working_days(moment, 0, CAL) is moment


def test_advancing_a_negative_number_of_working_days_is_refused_naming_the_field():
    with pytest.raises(DomainError) as info:
        advance_working_days(at("2024-10-21T10:00"), -1, CAL)
    assert info.value.field == "advance"


def test_advancing_into_a_year_without_data_fails_naming_the_year():
    with pytest.raises(CalendarYearUnknown, match="2027"):
        advance_working_days(at("2026-12-31T10:00"), 1, CAL)


def test_advancing_keeps_the_time_of_day_in_shanghai_not_utc():
    # 2024-10-18 20:00 UTC is Saturday 2024-10-19 04:00 in Shanghai
    moment = datetime.fromisoformat("2024-10-18T20:00:00+00:00")
    assert advance_working_days(moment, 1, CAL) == at("2024-10-21T04:00")


@settings(max_examples=200, deadline=None)
@given(moment=instants, count=st.integers(1, 10))
def test_advancing_lands_on_a_working_day_after_the_date_at_the_same_time_of_day(moment, count):
    landed = advance_working_days(moment, count, CAL)
    day, start = landed.astimezone(SHANGHAI).date(), moment.astimezone(SHANGHAI).date()
    assert CAL.is_working_day(day) and day > start
    assert landed.astimezone(SHANGHAI).time() == moment.astimezone(SHANGHAI).time()
    between = [start + timedelta(n) for n in range(1, (day - start).days + 1)]
    assert sum(CAL.is_working_day(d) for d in between) == count


@settings(max_examples=200, deadline=None)
@given(moment=instants, count=st.integers(0, 9))
def test_one_more_working_day_always_lands_later(moment, count):
    assert advance_working_days(moment, count + 1, CAL) > advance_working_days(moment, count, CAL)


@settings(max_examples=200, deadline=None)
@given(moment=instants, days=st.integers(1, 3))
def test_the_lag_counts_one_day_more_than_advancing_only_when_the_change_is_on_a_rest_day(
        moment, days):
    visible = CAL.visible_from(moment, days)[0].astimezone(SHANGHAI).date()
    rest_day = not CAL.is_working_day(moment.astimezone(SHANGHAI).date())
    landed = advance_working_days(moment, days + rest_day, CAL)
    assert visible == landed.astimezone(SHANGHAI).date()


@settings(max_examples=200, deadline=None)
@given(moment=instants, days=st.integers(0, 3))
def test_visibility_never_comes_before_the_day_advancing_reaches(moment, days):
    visible = CAL.visible_from(moment, days)[0]
    assert visible.astimezone(SHANGHAI).date() >= \
        advance_working_days(moment, days, CAL).astimezone(SHANGHAI).date()


# The kind of a day


@pytest.mark.parametrize(("day", "kind", "label", "holiday", "working"), [
    (date(2024, 10, 1), DayType.HOLIDAY, "法定节假日", "国庆节", False),
    (date(2024, 10, 5), DayType.HOLIDAY, "法定节假日", "国庆节", False),  # a Saturday of the break
    (date(2024, 10, 12), DayType.SHIFT, "调休上班", None, True),          # a Saturday worked
    (date(2024, 10, 19), DayType.REST, "休息日", None, False),
    (date(2024, 10, 21), DayType.WORK, "工作日", None, True),
    (date(2024, 2, 12), DayType.HOLIDAY, "法定节假日", "春节", False),
    (date(2025, 1, 1), DayType.HOLIDAY, "法定节假日", "元旦", False),
])
def test_a_day_is_a_working_day_a_rest_day_a_named_holiday_or_a_tiaoxiu_working_day(
        day, kind, label, holiday, working):
    found = day_kind(day, CAL)
    assert (found.kind, found.label, found.holiday, found.working) == (kind, label, holiday,
                                                                       working)


def test_every_holiday_chinese_calendar_names_has_a_chinese_name():
    import chinese_calendar

    named = {day_kind(d, CAL).holiday for d in chinese_calendar.constants.holidays}
    assert all(name and not name.isascii() for name in named)


def test_a_day_of_a_year_without_data_is_said_to_be_unknown_instead_of_failing():
    found = day_kind(date(2027, 3, 1), CAL)
    assert (found.kind, found.label, found.working) == (DayType.UNKNOWN, "2027年工作日历未知", None)


def test_a_calendar_file_year_knows_holidays_and_tiaoxiu_days_but_not_their_names(tmp_path):
    path = tmp_path / "cal.toml"
    path.write_text('[2027]\nholidays = ["2027-02-06..2027-02-12"]\nworking_weekends = ["2027-02-14"]\n')
    cal = WorkingCalendar(extra_years=load_calendar_file(path))
    assert day_kind(date(2027, 2, 6), cal).label == "法定节假日"  # a Saturday inside the break
    assert day_kind(date(2027, 2, 6), cal).holiday is None
    assert day_kind(date(2027, 2, 14), cal).label == "调休上班"
    assert day_kind(date(2027, 2, 20), cal).label == "休息日"
