"""The national apply's inline field tests accept exactly what the field checks accept."""

from hypothesis import given
from hypothesis import strategies as st

from national_portal.services import changes
from national_portal.services.changes import FACE_CHECKS, BadChange, face_values
from shared.certificates import FACE_FIELDS

WIRE_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**40, max_value=2**40),
    st.sampled_from([2**31 - 1, 2**31, -2**31, -2**31 - 1]), st.floats(allow_nan=False),
    st.text(max_size=140), st.sampled_from(["2024-09-27", "2024-02-30", "20240927", "2024-W01-1",
                                            "２０２４-09-27", "2024-9-27 "]),
    st.dates().map(lambda day: day.isoformat()), st.lists(st.integers(), max_size=2))


def checked_one_by_one(wire: tuple) -> tuple | str:
    """Run each field's check on its own: the values, or the first error."""
    try:
        return tuple(check(value) for check, value in zip(FACE_CHECKS, wire, strict=True))
    except BadChange as exc:
        return str(exc)


def checked_fast(wire: tuple) -> tuple | str:
    try:
        return face_values(dict(zip(FACE_FIELDS, wire, strict=True)))
    except BadChange as exc:
        return str(exc)


@given(st.tuples(*[WIRE_VALUES] * len(FACE_FIELDS)))
def test_the_fast_path_agrees_with_each_check_whatever_the_wire_holds(wire):
    assert checked_fast(wire) == checked_one_by_one(wire)


def test_a_day_is_taken_without_parsing_only_once_it_passed_its_check():
    changes.KNOWN_DAYS.discard("2031-02-03")
    index = FACE_FIELDS.index("valid_to")
    assert "2031-02-03" not in changes.KNOWN_DAYS
    assert FACE_CHECKS[index]("2031-02-03") == "2031-02-03"
    assert "2031-02-03" in changes.KNOWN_DAYS
    try:
        FACE_CHECKS[index]("2031-02-30")
    except BadChange:
        pass
    assert "2031-02-30" not in changes.KNOWN_DAYS
