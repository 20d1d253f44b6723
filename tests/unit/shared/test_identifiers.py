"""Credit codes (GB 32100), licence identifiers (ISO 7064 MOD 37,36) and change ids."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.authorities import AUTHORITIES, ministry_codes
from shared.errors import InvalidInput
from shared.identifiers import (
    MOD37_ALPHABET,
    USCC_ALPHABET,
    make_licence_id,
    mod37_36_check_char,
    new_change_id,
    parse_licence_id,
    uscc_check_char,
    validate_type_code,
    validate_uscc,
)

REAL_LOOKING = [
    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
]


@pytest.mark.parametrize("text", REAL_LOOKING)
def test_published_licence_identifiers_validate(text):
    assert str(parse_licence_id(text)) == text


def test_the_invented_swagger_example_does_not_validate():
    with pytest.raises(InvalidInput, match="校验位"):
        parse_licence_id("1.2.156.3005.2.11100000000013661B006.113700000045046442."
                         "209FA4E88F9E4C878F3E9BED2CE7EA49.001.M")


def test_the_ministry_credit_code_of_housing_validates():
    assert validate_uscc("11100000000013338W") == "11100000000013338W"


def test_a_credit_code_with_a_wrong_check_char_is_refused():
    with pytest.raises(InvalidInput, match="校验位"):
        validate_uscc("11100000000013338X")


def test_a_type_code_is_a_credit_code_and_three_digits():
    assert validate_type_code("11100000000013338W032")
    with pytest.raises(InvalidInput):
        validate_type_code("11100000000013338W03")


def test_configured_ministry_values_and_authorities_pass_their_checks():
    code, type_code = ministry_codes()
    assert type_code.startswith(code)
    for authority in AUTHORITIES.values():
        validate_uscc(authority.code)


def test_a_misconfigured_type_code_is_refused_at_start():
    with pytest.raises(InvalidInput, match="CERTSIM_TYPE_CODE"):
        ministry_codes(type_code="11100000000013338W032")


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_any_credit_code_with_its_check_char_validates(first17):
    code = first17 + uscc_check_char(first17)
    assert validate_uscc(code) == code


@given(st.text(alphabet=MOD37_ALPHABET, min_size=1, max_size=40), st.data())
def test_mod37_36_detects_every_single_character_change(text, data):
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.sampled_from(MOD37_ALPHABET).filter(lambda c: c != text[position]))
    changed = text[:position] + replacement + text[position + 1:]
    assert mod37_36_check_char(changed) != mod37_36_check_char(text)


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=32),
       st.integers(1, 999))
def test_made_identifiers_parse_back(serial, version):
    text = make_licence_id("11100000MB0143553R001", "11110000MB0177810M", serial, version)
    parsed = parse_licence_id(text)
    assert (parsed.serial, parsed.version) == (serial, version)


def test_every_provincial_level_department_and_the_xpcc_bureau_can_issue():
    provinces = {a.region_code[:2] for a in AUTHORITIES.values()}
    assert len(AUTHORITIES) == 32 and len(provinces) == 32
    assert {"32", "65", "66", "54", "45"} <= provinces
    for authority in AUTHORITIES.values():
        assert authority.code[2:8] == authority.region_code  # the region inside the code
        assert authority.name.endswith(("应急管理厅", "应急管理局"))


def test_change_ids_are_32_hex_digits_ordered_by_time_and_then_by_creation():
    noon = datetime(2024, 9, 27, 4, 0, tzinfo=UTC)
    same_moment = [new_change_id(noon) for _ in range(1000)]
    later = new_change_id(noon + timedelta(milliseconds=1))
    assert all(re.fullmatch(r"[0-9a-f]{32}", change_id) for change_id in same_moment)
    assert same_moment == sorted(same_moment) and len(set(same_moment)) == 1000
    assert later > max(same_moment)
