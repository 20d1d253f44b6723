"""Nothing in the world reads the wall clock: the scenario library replays step for step the
same with the wall clock frozen years away from every scenario's time, or jumping a minute at
every read (session cookies, API tokens, password hashing and the ORM included).

The one wall-clock reader on the way is on purpose: a signed replication call is judged fresh
on the wall clock (±300 s); a minute per read keeps sender and receiver within it.
"""

from __future__ import annotations

import contextlib

import pytest
from freezegun import freeze_time
from support.paths import LIBRARY

from scenarios.loader import load_files
from scenarios.runner import run_all

WALL_CLOCKS = {
    "frozen far away": lambda: freeze_time("2031-05-05 03:00:00", tick=False),
    "a minute per read": lambda: freeze_time("2019-01-01 00:00:00", auto_tick_seconds=60),
}


def replay_library(wall=contextlib.nullcontext) -> list[tuple]:
    """Replay the library in-process; return every scenario's steps as (time, ✓/✗, summary)."""
    scenarios = load_files([LIBRARY])
    with wall():
        results = list(run_all(scenarios))
    return [(r.scenario.name, r.crash, [(s.step.number, s.at.isoformat(), s.passed, s.summary,
                                         tuple(s.failures)) for s in r.steps])
            for r in results]


@pytest.fixture(scope="module")
def in_real_time() -> list[tuple]:
    return replay_library()


@pytest.mark.parametrize("wall", list(WALL_CLOCKS))
def test_the_library_replays_the_same_whatever_the_wall_clock(in_real_time, wall):
    assert all(crash is None for _, crash, _ in in_real_time)
    assert replay_library(WALL_CLOCKS[wall]) == in_real_time
