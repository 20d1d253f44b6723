"""The world every process shares: its clock, lag policy and fault switch, in one store."""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from shared.clock import SHANGHAI, SystemClock
from shared.recording import Recording
from shared.settings import read_settings
from shared.world import (
    Faults,
    FileStore,
    MemoryStore,
    RecordingRunning,
    WorldClock,
    WorldState,
    world_store,
)

START = datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI)


def test_a_clock_moved_through_one_store_is_seen_through_another_on_the_same_file(tmp_path):
    writer, reader = WorldClock(FileStore(tmp_path / "w.json")), WorldClock(FileStore(tmp_path / "w.json"))
    writer.freeze()
    writer.set(START)
    assert reader.now() == START
    writer.advance(timedelta(days=3))
    assert reader.now() == START + timedelta(days=3) and reader.frozen


def test_a_world_that_was_never_written_is_real_time_with_the_default_lag(tmp_path):
    store = FileStore(tmp_path / "none.json")
    assert not store.exists() and not WorldClock(store).simulated
    assert abs(WorldClock(store).now() - SystemClock().now()) < timedelta(seconds=5)
    assert store.read().lag == "3wd"


def test_the_lag_and_the_fault_switch_live_beside_the_clock(tmp_path):
    store = FileStore(tmp_path / "w.json")
    store.update(lambda w: replace(w, lag="1wd", faults=Faults(mode="down", calls=2)))
    again = FileStore(tmp_path / "w.json").read()
    assert (again.lag, again.faults.mode, again.faults.calls) == ("1wd", "down", 2)


def test_a_fault_for_n_calls_counts_down_and_switches_itself_back_up():
    faults = Faults(mode="error", calls=2)
    once, twice = faults.taken(), faults.taken().taken()
    assert (once.mode, once.calls, once.failed_calls) == ("error", 1, 1)
    assert (twice.mode, twice.calls, twice.failed_calls) == ("up", None, 2)


def _advance_many(path: str, times: int) -> None:
    clock = WorldClock(FileStore(path))
    for _ in range(times):
        clock.advance(timedelta(minutes=1))


def test_two_processes_moving_the_clock_at_once_lose_no_move(tmp_path):
    path = str(tmp_path / "w.json")
    WorldClock(FileStore(path)).freeze()
    WorldClock(FileStore(path)).set(START)
    workers = [multiprocessing.get_context("spawn").Process(target=_advance_many, args=(path, 40))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert WorldClock(FileStore(path)).now() == START + timedelta(minutes=80)


def test_the_settings_choose_the_world_s_clock_or_real_time(tmp_path):
    world = read_settings({"CERTSIM_VAR_DIR": str(tmp_path)})
    assert isinstance(world.clock(), WorldClock)
    assert world.world().path == tmp_path / "world.json"
    assert isinstance(read_settings({"CERTSIM_CLOCK": "system"}).clock(), SystemClock)


def test_a_memory_world_is_one_process_s_own():
    store = MemoryStore(WorldState(lag="manual"))
    WorldClock(store).set(START)
    assert store.read().lag == "manual" and WorldClock(store).now() >= START


@pytest.mark.postgres
def test_a_postgres_world_is_shared_by_two_connections(db_url_factory, backend):
    if backend != "postgres":
        pytest.skip("this test is about the PostgreSQL world store")
    url = db_url_factory("mem")
    first, second = world_store(url), world_store(url)
    WorldClock(first).freeze()
    WorldClock(first).set(START)
    second.refresh()
    assert WorldClock(second).now() == START
    second.update(lambda w: replace(w, lag="2wd"))
    first.refresh()
    assert first.read().lag == "2wd"


RECORDING = Recording("unit", START.isoformat(), "3wd")


def _stores(tmp_path, db_url_factory, backend):
    """Two handles on one world: two FileStores on one file, or two PostgreSQL connections."""
    if backend == "postgres":
        url = db_url_factory("mem")
        return world_store(url), world_store(url)
    return FileStore(tmp_path / "w.json"), FileStore(tmp_path / "w.json")


def test_a_recording_journals_what_any_handle_appends_and_its_stop_hands_it_over(
        tmp_path, db_url_factory, backend):
    first, second = _stores(tmp_path, db_url_factory, backend)
    assert not second.append_event({"n": 0})  # nothing runs: nothing kept
    first.start_recording(RECORDING)
    second.refresh()
    assert second.read().recording == RECORDING
    assert second.append_event({"n": 1}) and first.append_event({"n": 2})
    assert first.recorded_events() == [{"n": 1}, {"n": 2}]
    with pytest.raises(RecordingRunning):
        second.start_recording(RECORDING)
    assert second.stop_recording() == (RECORDING, [{"n": 1}, {"n": 2}])
    first.refresh()
    assert first.read().recording is None and not first.append_event({"n": 3})
    assert first.stop_recording() == (None, [])


def test_a_world_file_without_a_recording_reads_and_writes_as_before(tmp_path):
    store = FileStore(tmp_path / "w.json")
    store.update(lambda w: replace(w, lag="2wd"))
    assert "recording" not in json.loads((tmp_path / "w.json").read_text())
    old = {"clock": None, "lag": "1wd", "lag_seed": 0, "faults": {"mode": "up"}}
    assert WorldState.from_json(old).recording is None


def test_a_memory_world_keeps_its_journal_too():
    store = MemoryStore()
    store.start_recording(RECORDING)
    store.append_event({"n": 1})
    assert store.stop_recording() == (RECORDING, [{"n": 1}])
