"""The working-day calendar and the lag rule of the foundation issue."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.clock import SHANGHAI
from shared.errors import DomainError
from shared.workdays import CalendarYearUnknown, WorkingCalendar, load_calendar_file

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
