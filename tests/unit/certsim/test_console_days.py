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


def test_national_day_is_a_public_holiday():
    assert DAYS.describe(at("2026-10-02"))["label"] == "法定节假日"


def test_the_tiaoxiu_saturday_is_a_working_weekend():
    facts = DAYS.describe(at("2026-10-10"))
    assert (facts["weekday"], facts["label"], facts["working"]) == ("星期六", "调休工作日", True)


def test_a_year_without_calendar_data_is_said_to_be_unknown():
    assert DAYS.describe(at("2027-03-01"))["working"] is None
