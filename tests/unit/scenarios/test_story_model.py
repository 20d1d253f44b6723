"""The reference model of generated stories: rule times, deliveries, what holders see."""

from datetime import date, datetime, timedelta

import pytest

from scenarios.stories.model import Face, Refused, StoryModel, rule_time
from shared.lag import parse_lag
from shared.workdays import configured_calendar

CALENDAR = configured_calendar()
FRIDAY_BEFORE_NATIONAL_DAY = datetime.fromisoformat("2024-09-27T17:00:00+08:00")
NATIONAL_DAY_OVER = datetime.fromisoformat("2024-10-08T00:00:00+08:00")
FACE = Face("valid", date(2030, 9, 27), date(2027, 9, 27))


def model(lag: str = "3wd") -> StoryModel:
    return StoryModel(parse_lag(lag), CALENDAR)


def test_the_rule_time_counts_the_tiaoxiu_sunday_and_skips_national_day():
    assert rule_time(parse_lag("3wd"), FRIDAY_BEFORE_NATIONAL_DAY, "k",
                     CALENDAR) == NATIONAL_DAY_OVER


def test_a_plain_duration_and_lag_zero_need_no_calendar():
    assert rule_time(parse_lag("2h"), FRIDAY_BEFORE_NATIONAL_DAY, "k",
                     CALENDAR) == FRIDAY_BEFORE_NATIONAL_DAY + timedelta(hours=2)
    assert rule_time(parse_lag("0"), FRIDAY_BEFORE_NATIONAL_DAY, "k",
                     CALENDAR) == FRIDAY_BEFORE_NATIONAL_DAY


def test_a_change_is_delivered_at_its_rule_time_and_not_a_minute_before():
    m = model()
    m.issued("c1", "zhang", "k1", FACE, FRIDAY_BEFORE_NATIONAL_DAY)
    m.deliver_due(NATIONAL_DAY_OVER - timedelta(minutes=1))
    assert m.national_revision("c1") == 0
    m.deliver_due(NATIONAL_DAY_OVER)
    assert m.national_revision("c1") == 1


def test_a_revocation_is_never_visible_before_the_issue_it_follows():
    m = model("3wd")
    m.issued("c1", "zhang", "k1", FACE, FRIDAY_BEFORE_NATIONAL_DAY)
    m.policy = parse_lag("0")
    revoked = m.change("c1", "revoke", FRIDAY_BEFORE_NATIONAL_DAY + timedelta(hours=1))
    assert revoked.visible_at == NATIONAL_DAY_OVER
    assert m.national_revision("c1") == 0


def test_nothing_is_delivered_while_the_national_portal_is_down_and_all_after_catching_up():
    m = model("0")
    m.outage()
    m.issued("c1", "zhang", "k1", FACE, FRIDAY_BEFORE_NATIONAL_DAY)
    assert m.national_revision("c1") == 0
    m.recovery()
    assert m.uncertain("c1", FRIDAY_BEFORE_NATIONAL_DAY)
    m.caught_up(FRIDAY_BEFORE_NATIONAL_DAY + timedelta(hours=1))
    assert m.national_revision("c1") == 1 and not m.uncertain("c1", NATIONAL_DAY_OVER)


def test_binding_finds_nothing_before_the_rule_time_then_binds_only_the_holders_own():
    m = model()
    m.issued("c1", "zhang", "k1", FACE, FRIDAY_BEFORE_NATIONAL_DAY)
    m.issued("c2", "sun", "k2", FACE, FRIDAY_BEFORE_NATIONAL_DAY)
    with pytest.raises(Refused, match="not_found"):
        m.bind("zhang", NATIONAL_DAY_OVER - timedelta(minutes=1))
    m.deliver_due(NATIONAL_DAY_OVER)
    assert m.bind("zhang", NATIONAL_DAY_OVER) == ["c1"]
    assert m.bind("zhang", NATIONAL_DAY_OVER) == []
    assert m.others("zhang") == ["c2"]
    with pytest.raises(Refused, match="not_found"):
        m.national_status("zhang", "c2", NATIONAL_DAY_OVER)


def test_a_bound_licence_shows_its_revocation_only_once_the_revocation_is_delivered():
    m = model("1wd")
    m.issued("c1", "zhang", "k1", FACE, FRIDAY_BEFORE_NATIONAL_DAY)
    m.deliver_due(NATIONAL_DAY_OVER)
    m.bind("zhang", NATIONAL_DAY_OVER)
    m.change("c1", "revoke", NATIONAL_DAY_OVER)
    assert m.national_status("zhang", "c1", NATIONAL_DAY_OVER) == "valid"
    assert m.ministry_list("zhang", NATIONAL_DAY_OVER) == []
    m.deliver_due(NATIONAL_DAY_OVER + timedelta(days=1))
    assert m.national_status("zhang", "c1", NATIONAL_DAY_OVER + timedelta(days=1)) == "revoked"


def test_the_back_office_refuses_what_the_rules_refuse():
    m = model()
    m.issued("c1", "zhang", "k1", FACE, FRIDAY_BEFORE_NATIONAL_DAY)
    with pytest.raises(Refused, match="not_eligible"):   # 复审 opens 60 days before it is due
        m.change("c1", "review", FRIDAY_BEFORE_NATIONAL_DAY, "pass")
    with pytest.raises(Refused, match="not_eligible"):   # 延期换证 near the end of six years
        m.change("c1", "renew", FRIDAY_BEFORE_NATIONAL_DAY)
    m.change("c1", "cancel", FRIDAY_BEFORE_NATIONAL_DAY)
    with pytest.raises(Refused, match="not_eligible"):
        m.change("c1", "revoke", FRIDAY_BEFORE_NATIONAL_DAY)


def test_a_second_failed_review_makes_a_licence_invalid_and_an_overdue_one_is_invalid_too():
    due = Face("valid", date(2030, 10, 20), date(2024, 10, 20))
    m = model()
    m.issued("c1", "zhang", "k1", due, FRIDAY_BEFORE_NATIONAL_DAY)
    assert m.change("c1", "review", FRIDAY_BEFORE_NATIONAL_DAY, "fail").face.status == "valid"
    assert m.change("c1", "review", FRIDAY_BEFORE_NATIONAL_DAY, "fail").face.status == "invalid"
    assert due.status_on(date(2024, 10, 21)) == "invalid"
