"""Citizen ID numbers, mobile numbers, names and masking."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import InvalidInput
from shared.identity import (
    id_check_char,
    id_facts,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    normalize_name,
    normalize_phone,
)

TODAY = date(2024, 9, 27)


def test_published_sample_ids_pass_and_a_lower_case_x_is_stored_upper_case():
    assert normalize_id_number("11010519491231002x", today=TODAY) == "11010519491231002X"
    assert normalize_id_number("53010219200508011X", today=TODAY) == "53010219200508011X"


@pytest.mark.parametrize(("raw", "reason"), [
    ("1101051949123100", "18位"),
    ("11010519491331002X", "格式"),
    ("110105194902300021", "出生日期不存在"),
    ("110105203001010011", "晚于今天"),
    ("110105194912310021", "校验位"),
])
def test_a_bad_id_number_is_refused_naming_the_reason(raw, reason):
    with pytest.raises(InvalidInput) as info:
        normalize_id_number(raw, today=TODAY)
    assert info.value.field == "id_number" and reason in info.value.message


def test_sex_and_birth_date_come_from_the_id_number():
    facts = id_facts("110101199003070011")
    assert facts.birth_date == date(1990, 3, 7) and facts.sex == "男"
    assert id_facts("11010519491231002X").sex == "女"


@given(st.dates(date(1900, 1, 1), date(2024, 1, 1)), st.integers(0, 999))
def test_every_generated_id_with_its_check_char_is_accepted(born, seq):
    first17 = f"110105{born:%Y%m%d}{seq:03d}"
    assert normalize_id_number(first17 + id_check_char(first17), today=TODAY).startswith(first17)


@given(st.dates(date(1900, 1, 1), date(2024, 1, 1)), st.integers(0, 999), st.sampled_from("0123456789X"))
def test_any_other_check_char_is_refused(born, seq, wrong):
    first17 = f"110105{born:%Y%m%d}{seq:03d}"
    if wrong == id_check_char(first17):
        return
    with pytest.raises(InvalidInput, match="校验位"):
        normalize_id_number(first17 + wrong, today=TODAY)


@pytest.mark.parametrize("phone", ["13800138000", "19212345678", "16212345678"])
def test_mainland_mobile_numbers_are_accepted(phone):
    assert normalize_phone(phone) == phone


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "138001380000", "+8613800138000x"])
def test_other_phone_numbers_are_refused(phone):
    with pytest.raises(InvalidInput, match="手机号码"):
        normalize_phone(phone)


def test_names_are_two_to_sixteen_chinese_characters():
    assert normalize_name(" 张三 ") == "张三"
    assert normalize_name("阿依古丽·买买提") == "阿依古丽·买买提"
    with pytest.raises(InvalidInput):
        normalize_name("Zhang San")


def test_masking_hides_the_middle_of_ids_and_phones():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_name("张三") == "*三"
