"""The clock module: simulated, shared and system clocks."""

from datetime import datetime, timedelta

import pytest

from shared.clock import SHANGHAI, SimulatedClock

START = datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI)


def test_a_frozen_simulated_clock_stands_still_until_advanced():
    clock = SimulatedClock(START)
    assert clock.now() == START
    clock.advance(timedelta(hours=2))
    assert clock.now() == START + timedelta(hours=2)


def test_a_simulated_clock_can_be_set_backwards_but_not_advanced_backwards():
    clock = SimulatedClock(START)
    clock.set(START - timedelta(days=1))
    assert clock.now() == START - timedelta(days=1)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="offset"):
        SimulatedClock(datetime(2024, 1, 1))


def test_today_is_the_date_in_shanghai():
    clock = SimulatedClock(datetime.fromisoformat("2024-09-29T20:00:00+00:00"))
    assert clock.today().isoformat() == "2024-09-30"


def test_a_running_clock_moves_from_its_anchor():
    clock = SimulatedClock(START, frozen=False)
    assert clock.now() >= START
    frozen_at = clock.freeze()
    assert clock.now() == frozen_at
