"""What the console says about the simulated day."""

from datetime import datetime

from certsim.console.days import DayFacts
from shared.clock import SHANGHAI
from shared.workdays import WorkingCalendar

DAYS = DayFacts(WorkingCalendar())


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T10:00").replace(tzinfo=SHANGHAI)


def test_a_weekday_is_a_working_day():
    assert DAYS.describe(at("2026-09-30"))["label"] == "工作日"


def test_national_day_is_a_public_holiday_named_in_chinese():
    facts = DAYS.describe(at("2026-10-02"))
    assert (facts["label"], facts["holiday"], facts["working"]) == ("法定节假日", "国庆节", False)


def test_an_ordinary_sunday_is_a_rest_day_of_no_holiday():
    facts = DAYS.describe(at("2026-10-11"))
    assert (facts["label"], facts["holiday"], facts["working"]) == ("休息日", None, False)


def test_the_tiaoxiu_saturday_is_a_working_weekend():
    facts = DAYS.describe(at("2026-10-10"))
    assert (facts["weekday"], facts["label"], facts["working"]) == ("星期六", "调休上班", True)


def test_a_year_without_calendar_data_is_said_to_be_unknown():
    facts = DAYS.describe(at("2027-03-01"))
    assert (facts["working"], facts["label"]) == (None, "2027年工作日历未知")
