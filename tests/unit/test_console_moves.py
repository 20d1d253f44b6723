"""Where the console's clock buttons move the simulated time."""

from datetime import datetime

import pytest

from certsim.console.moves import ClockMoves
from shared.clock import SHANGHAI
from shared.errors import InvalidInput
from shared.workdays import WorkingCalendar

MOVES = ClockMoves(WorkingCalendar())
BEFORE_NATIONAL_DAY = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)


def test_plus_one_hour_adds_an_hour():
    assert MOVES.target(BEFORE_NATIONAL_DAY, "+1h") == datetime(2026, 9, 30, 11, tzinfo=SHANGHAI)


def test_plus_one_working_day_jumps_the_national_day_break():
    assert MOVES.target(BEFORE_NATIONAL_DAY, "+1wd") == datetime(2026, 10, 8, 10, tzinfo=SHANGHAI)


def test_plus_three_working_days_counts_the_tiaoxiu_saturday():
    assert MOVES.target(BEFORE_NATIONAL_DAY, "+3wd") == datetime(2026, 10, 10, 10, tzinfo=SHANGHAI)


def test_an_unknown_move_is_refused():
    with pytest.raises(InvalidInput):
        MOVES.target(BEFORE_NATIONAL_DAY, "+1y")
