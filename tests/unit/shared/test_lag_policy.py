"""The lag policy (`SYNC_LAG`): its syntax, its refusals, and when each change becomes visible."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.clock import SHANGHAI
from shared.errors import InvalidInput
from shared.lag import parse_lag
from shared.workdays import CalendarYearUnknown, WorkingCalendar, YearData

CAL = WorkingCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def visible(spec: str, moment: str, key: str = "20240000000001") -> datetime | None:
    return parse_lag(spec).visible_at(at(moment), key, CAL)


def test_an_ordinary_weekend_is_not_counted():
    assert visible("1wd", "2024-06-14T16:00") == at("2024-06-17T00:00")   # Fri → Mon
    assert visible("3wd", "2024-06-15T10:00") == at("2024-06-20T00:00")   # Sat: from Mon 17


def test_a_tiaoxiu_working_sunday_is_counted():
    assert visible("1wd", "2024-09-27T17:00") == at("2024-09-29T00:00")   # Sunday, worked
    assert visible("0", "2024-09-29T10:00") == at("2024-09-29T10:00")
    assert visible("0wd", "2024-09-29T10:00") == at("2024-09-29T10:00")


def test_the_national_day_break_pushes_three_working_days_to_october_8():
    assert visible("3wd", "2024-09-27T17:00") == at("2024-10-08T00:00")
    assert visible("1wd", "2024-10-03T12:00") == at("2024-10-09T00:00")   # during the break
    assert visible("0wd", "2024-10-05T12:00") == at("2024-10-08T00:00")


def test_the_spring_festival_break_and_its_working_sundays():
    # 2024: off 02-10..02-17, Sunday 02-18 worked: Fri 02-09 + 3wd → 02-18, 02-19, 02-20
    assert visible("3wd", "2024-02-09T10:00") == at("2024-02-20T00:00")
    # 2025: Sunday 01-26 worked, off 01-28..02-04
    assert visible("2wd", "2025-01-24T18:00") == at("2025-01-27T00:00")
    assert visible("1wd", "2025-01-28T09:00") == at("2025-02-06T00:00")


def test_a_plain_duration_ignores_the_calendar():
    assert visible("90s", "2024-10-01T10:00") == at("2024-10-01T10:01:30")
    assert visible("2h", "2024-10-01T23:00") == at("2024-10-02T01:00")


def test_a_year_outside_the_calendar_data_is_refused_naming_the_year():
    with pytest.raises(CalendarYearUnknown, match="2031"):
        visible("1wd", "2031-03-03T10:00")
    with pytest.raises(CalendarYearUnknown, match="2031"):
        visible("uniform:1wd..2wd", "2031-03-03T10:00")


def test_a_year_outside_the_data_works_once_supplied_by_a_calendar_file():
    supplied = WorkingCalendar(extra_years={2031: YearData(frozenset(), frozenset())})
    policy = parse_lag("1wd")
    assert policy.visible_at(at("2031-03-07T10:00"), "k", supplied) == at("2031-03-10T00:00")


def test_manual_gives_no_visible_at():
    assert visible("manual", "2024-09-27T17:00") is None


@pytest.mark.parametrize("spec, field_text", [
    ("4wd", "at most 3 working days"),
    ("uniform:0wd..4wd", "at most 3 working days"),
    ("uniform:3wd..1wd", "from low to high"),
    ("24h", "under one day"),
    ("1d", "is not a lag"),
    ("three days", "is not a lag"),
    ("", "is not a lag"),
])
def test_a_bad_policy_is_refused_saying_what_is_allowed(spec, field_text):
    with pytest.raises(InvalidInput, match=field_text) as refused:
        parse_lag(spec)
    assert refused.value.field == "SYNC_LAG"


def test_a_uniform_lag_is_drawn_per_licence_and_reproducible_with_its_seed():
    policy = parse_lag("uniform:0wd..3wd,seed=42")
    keys = [f"2024{n:010d}" for n in range(200)]
    draws = [policy.draw(k) for k in keys]
    assert set(draws) == {0, 1, 2, 3}
    assert draws == [parse_lag("uniform:0wd..3wd,seed=42").draw(k) for k in keys]
    assert draws != [parse_lag("uniform:0wd..3wd,seed=43").draw(k) for k in keys]
    assert parse_lag("uniform:0wd..3wd", seed=42).draw(keys[0]) == draws[0]


MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 11, 20),
                       timezones=st.just(SHANGHAI))
SPECS = st.sampled_from(["0", "0wd", "1wd", "2wd", "3wd", "90s", "45m", "23h",
                         "uniform:0wd..3wd", "uniform:1wd..2wd,seed=9"])


@settings(max_examples=300, deadline=None)
@given(moment=MOMENTS, spec=SPECS, key=st.text("0123456789", min_size=4, max_size=14))
def test_a_change_never_becomes_visible_before_it_was_made(moment, spec, key):
    assert parse_lag(spec).visible_at(moment, key, CAL) >= moment


@settings(max_examples=300, deadline=None)
@given(moment=MOMENTS, later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
       spec=SPECS, key=st.text("0123456789", min_size=4, max_size=14))
def test_visibility_is_monotonic_in_the_change_time(moment, later, spec, key):
    policy = parse_lag(spec)
    assert policy.visible_at(moment, key, CAL) <= policy.visible_at(moment + later, key, CAL)


@settings(max_examples=200, deadline=None)
@given(moment=MOMENTS, key=st.text("0123456789", min_size=4, max_size=14))
def test_a_uniform_lag_stays_within_its_working_day_bounds(moment, key):
    low = parse_lag("1wd").visible_at(moment, key, CAL)
    high = parse_lag("3wd").visible_at(moment, key, CAL)
    assert low <= parse_lag("uniform:1wd..3wd,seed=5").visible_at(moment, key, CAL) <= high
