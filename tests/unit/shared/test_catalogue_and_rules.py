"""The work catalogue, validity arithmetic and e-licence eligibility."""

from datetime import date, datetime
from types import SimpleNamespace

import pytest

from shared.catalogue import DEFAULT_CATALOGUE
from shared.clock import SHANGHAI
from shared.errors import InvalidInput
from shared.rules import add_years, e_licence_eligibility, effective_status, rule_set_on


def face(**overrides):
    values = dict(card_version="new", status="valid", valid_from=date(2022, 3, 1),
                  valid_to=date(2028, 3, 1), review_due_on=date(2025, 3, 1),
                  review_passed_on=date(2025, 2, 1), category="电工作业")
    return SimpleNamespace(**{**values, **overrides})


def shanghai(text):
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_the_catalogue_has_eleven_categories_and_numbers_items():
    assert len(DEFAULT_CATALOGUE.categories()) == 11
    assert DEFAULT_CATALOGUE.code_of("电工作业", "低压电工作业") == "1.2"
    assert DEFAULT_CATALOGUE.code_of("危险化学品安全作业", "化工自动化控制仪表作业") == "9.16"


def test_an_item_of_another_category_is_refused_naming_the_item():
    with pytest.raises(InvalidInput) as info:
        DEFAULT_CATALOGUE.check("电工作业", "钎焊作业")
    assert info.value.field == "item"


def test_an_unknown_category_is_refused_naming_the_category():
    with pytest.raises(InvalidInput) as info:
        DEFAULT_CATALOGUE.check("潜水作业", "钎焊作业")
    assert info.value.field == "category"


def test_validity_runs_to_the_same_day_six_years_later_and_29_february_folds():
    assert add_years(date(2024, 9, 27), 6) == date(2030, 9, 27)
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)


def test_each_date_gets_the_rule_set_then_in_force():
    assert rule_set_on(date(2026, 5, 31)).name == "order30"
    assert rule_set_on(date(2026, 6, 1)).name == "order19"


def test_a_certificate_past_its_review_date_without_a_pass_is_invalid():
    assert effective_status(face(review_passed_on=None), date(2025, 3, 2)) == "invalid"
    assert effective_status(face(review_passed_on=None), date(2025, 3, 1)) == "valid"


def test_a_certificate_past_its_validity_is_expired():
    assert effective_status(face(), date(2028, 3, 2)) == "expired"


def test_a_valid_new_certificate_has_an_e_licence():
    assert e_licence_eligibility(face(), shanghai("2026-01-01T09:00")).eligible


@pytest.mark.parametrize(("overrides", "reason"), [
    ({"card_version": "old_ic"}, "old_version"),
    ({"status": "revoked"}, "revoked"),
    ({"status": "cancelled"}, "cancelled"),
    ({"valid_to": date(2025, 12, 31)}, "expired"),
])
def test_ineligible_certificates_have_no_e_licence(overrides, reason):
    result = e_licence_eligibility(face(**overrides), shanghai("2026-01-01T09:00"))
    assert (result.eligible, result.reason) == (False, reason)


def test_coal_mine_certificates_have_an_e_licence_only_from_2022():
    coal = face(category="煤矿安全作业", valid_from=date(2021, 6, 1), valid_to=date(2027, 6, 1),
                review_due_on=date(2024, 6, 1), review_passed_on=None)
    assert e_licence_eligibility(coal, shanghai("2021-12-31T23:59:59")).reason == "coal_mine_not_yet"
    assert e_licence_eligibility(coal, shanghai("2022-01-01T00:00")).eligible
