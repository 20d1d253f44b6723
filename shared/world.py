"""The simulated world every process shares: the clock, the lag policy and the national
portal's fault switch, kept in one store.

Both portals (each of their workers), the replicator, the console, the `certsim` command and
the scenario runner read the same store, so a change made through one is seen by all:

- `FileStore`: a JSON file (`var/world.json` under `make run`): one machine, any processes.
- `PostgresStore`: one row in a PostgreSQL database (`CERTSIM_WORLD=postgresql://…`): several
  machines.
- `MemoryStore`: one process (tests, in-process replay).

Reads are cheap and may be cached; `refresh()` makes the next read see other processes'
writes (the portals refresh once per request, the replicator once per run). Every write is a
read-modify-write under the store's lock, so two processes never lose each other's change.

A recording in progress (`WorldState.recording`, shared.recording) keeps its journal of events
beside the state, under the same lock: a file of JSON lines next to the world file, a table
next to the world's row, a list in memory. Appending never rewrites the state, so reading the
world stays as cheap while a recording runs.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

from shared.clock import ClockState, SimulatedClock, require_aware, wall_now
from shared.lag import DEFAULT_LAG
from shared.recording import Recording

FAULT_MODES = ("up", "down", "error", "slow")


@dataclass(frozen=True)
class Faults:
    """How the national ingest misbehaves: mode, for how many more calls, and the delay."""

    mode: str = "up"
    calls: int | None = None      # None: until switched back up
    delay: float = 2.0            # seconds, for "slow"
    failed_calls: int = 0

    def taken(self) -> Faults:
        """Return the switch after one more call went through it."""
        if self.mode == "up":
            return self
        calls = None if self.calls is None else self.calls - 1
        if calls is not None and calls <= 0:
            return replace(self, mode="up", calls=None, failed_calls=self.failed_calls + 1)
        return replace(self, calls=calls, failed_calls=self.failed_calls + 1)


@dataclass(frozen=True)
class WorldState:
    """One moment of the world: simulated time (None: real time), lag policy, fault switch,
    and the recording in progress (None: none)."""

    clock: ClockState | None = None
    lag: str = DEFAULT_LAG
    lag_seed: int = 0
    faults: Faults = field(default_factory=Faults)
    recording: Recording | None = None

    def to_json(self) -> dict:
        data = {"clock": self.clock.to_json() if self.clock else None, "lag": self.lag,
                "lag_seed": self.lag_seed, "faults": asdict(self.faults)}
        if self.recording is not None:  # absent otherwise: the file reads as it always did
            data["recording"] = self.recording.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict) -> WorldState:
        clock = data.get("clock")
        return cls(clock=ClockState.from_json(clock) if clock else None,
                   lag=data.get("lag") or DEFAULT_LAG, lag_seed=int(data.get("lag_seed") or 0),
                   faults=Faults(**(data.get("faults") or {})),
                   recording=Recording.from_json(data.get("recording")))


class WorldStore:
    """Where the world lives."""

    where = "memory"

    def read(self) -> WorldState:
        raise NotImplementedError

    def update(self, change: Callable[[WorldState], WorldState]) -> WorldState:
        """Apply `change` to the current state atomically; return the new state."""
        raise NotImplementedError

    def exists(self) -> bool:
        """Tell whether a world was ever written here."""
        return True

    def refresh(self) -> None:
        """Forget what was cached, so the next read sees other processes' writes."""

    def start_recording(self, recording: Recording) -> WorldState:
        """Start `recording` with an empty journal; refuse when one is already running."""
        def start(world: WorldState) -> WorldState:
            if world.recording is not None:
                raise RecordingRunning(world.recording)
            return replace(world, recording=recording)
        with self._journal() as journal:
            state = self.update(start)
            journal.clear()
            return state

    def append_event(self, event: dict) -> bool:
        """Add `event` to the journal if a recording is running (else False), atomically with
        a stop."""
        with self._journal() as journal:
            self.refresh()
            if self.read().recording is None:
                return False
            journal.append(event)
            return True

    def stop_recording(self) -> tuple[Recording | None, list[dict]]:
        """End the running recording; return it and its journal (None, [] when none ran)."""
        with self._journal() as journal:
            self.refresh()
            recording = self.read().recording
            if recording is not None:
                self.update(lambda world: replace(world, recording=None))
            events = journal.read()
            journal.clear()
            return recording, events

    def recorded_events(self) -> list[dict]:
        """The journal so far."""
        with self._journal() as journal:
            return journal.read()

    @contextmanager
    def _journal(self) -> Iterator[Journal]:
        """Hold the store's lock (reentrant for `update`) and give the journal."""
        raise NotImplementedError


class RecordingRunning(Exception):
    """A recording is already running: one at a time."""

    def __init__(self, recording: Recording):
        super().__init__(f"recording {recording.name!r} is running since {recording.started_at}")
        self.recording = recording


class Journal:
    """The events of the recording in progress, in the order they were appended."""

    def __init__(self, append, read, clear):
        self.append, self.read, self.clear = append, read, clear


class MemoryStore(WorldStore):
    """A world in this process only."""

    def __init__(self, state: WorldState | None = None):
        self._state, self._lock = state or WorldState(), threading.RLock()
        self._events: list[dict] = []

    def read(self) -> WorldState:
        return self._state

    def update(self, change: Callable[[WorldState], WorldState]) -> WorldState:
        with self._lock:
            self._state = change(self._state)
            return self._state

    @contextmanager
    def _journal(self) -> Iterator[Journal]:
        with self._lock:
            yield Journal(self._events.append, lambda: list(self._events), self._events.clear)


class FileStore(WorldStore):
    """A world in a JSON file; reads are cached on the file's identity, so cost one `stat`."""

    def __init__(self, path: str | os.PathLike, initial: WorldState | None = None):
        self.path = Path(path)
        self.where = str(self.path.resolve())
        self._initial = initial or WorldState()
        self._cache: tuple[tuple, WorldState] | None = None
        self._lock = threading.RLock()
        self._held = 0  # depth of this process's hold on the file lock (journal, then update)
        self.journal_path = self.path.with_name(self.path.stem + ".recording.jsonl")

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> WorldState:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return self._initial
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)  # a write replaces the file
        cache = self._cache
        if cache is None or cache[0] != version:
            cache = (version, WorldState.from_json(json.loads(self.path.read_text("utf-8"))))
            self._cache = cache
        return cache[1]

    def update(self, change: Callable[[WorldState], WorldState]) -> WorldState:
        with self._locked():
            self._cache = None
            state = change(self.read())
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".world-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(state.to_json(), handle, ensure_ascii=False)
            os.replace(tmp, self.path)
            self._cache = None
            return state

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the file lock other processes wait on (once per process: flock is not
        counted, so an inner hold must not release the outer one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if self._held:
                self._held += 1
                try:
                    yield
                finally:
                    self._held -= 1
                return
            with open(self.path.with_suffix(".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # other processes wait here
                self._held = 1
                try:
                    yield
                finally:
                    self._held = 0

    @contextmanager
    def _journal(self) -> Iterator[Journal]:
        with self._locked():
            yield Journal(self._append_line, self._read_lines,
                          lambda: self.journal_path.unlink(missing_ok=True))

    def _append_line(self, event: dict) -> None:
        with open(self.journal_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(event, ensure_ascii=False) + "\n")

    def _read_lines(self) -> list[dict]:
        try:
            text = self.journal_path.read_text("utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]


class PostgresStore(WorldStore):
    """A world in one row of a PostgreSQL table (several machines share it)."""

    TABLE = "certsim_world"
    EVENTS = "certsim_world_events"  # the journal of the recording in progress

    def __init__(self, url: str, initial: WorldState | None = None):
        import psycopg  # only when a database world is configured

        self.where = url.split("@")[-1]
        self._conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                                     autocommit=True)
        self._initial = initial or WorldState()
        self._lock = threading.RLock()
        self._cache: WorldState | None = None
        # Workers starting at once: PostgreSQL's CREATE TABLE IF NOT EXISTS can still collide
        # on the catalog, so the creators queue on an advisory lock.
        with self._lock, self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.TABLE])
            self._conn.execute(f"CREATE TABLE IF NOT EXISTS {self.TABLE} "
                               "(name text PRIMARY KEY, state text NOT NULL)")
            self._conn.execute(f"CREATE TABLE IF NOT EXISTS {self.EVENTS} "
                               "(seq bigserial PRIMARY KEY, event text NOT NULL)")

    def _fetch(self, lock: str = "") -> WorldState | None:
        row = self._conn.execute(f"SELECT state FROM {self.TABLE} WHERE name = 'world' {lock}"
                                 ).fetchone()
        return WorldState.from_json(json.loads(row[0])) if row else None

    def exists(self) -> bool:
        with self._lock:
            return self._fetch() is not None

    def read(self) -> WorldState:
        if self._cache is None:
            with self._lock:
                self._cache = self._fetch() or self._initial
        return self._cache

    def refresh(self) -> None:
        self._cache = None

    def update(self, change: Callable[[WorldState], WorldState]) -> WorldState:
        with self._lock, self._conn.transaction():
            self._conn.execute(f"INSERT INTO {self.TABLE} VALUES ('world', %s) "
                               "ON CONFLICT (name) DO NOTHING",
                               [json.dumps(self._initial.to_json())])
            state = change(self._fetch("FOR UPDATE"))
            self._conn.execute(f"UPDATE {self.TABLE} SET state = %s WHERE name = 'world'",
                               [json.dumps(state.to_json(), ensure_ascii=False)])
            self._cache = state
            return state

    @contextmanager
    def _journal(self) -> Iterator[Journal]:
        # The world's row locked for the whole: an append never slips between a stop's read
        # of the journal and its clearing. `update` inside nests as a savepoint.
        with self._lock, self._conn.transaction():
            self._conn.execute(f"INSERT INTO {self.TABLE} VALUES ('world', %s) "
                               "ON CONFLICT (name) DO NOTHING",
                               [json.dumps(self._initial.to_json())])
            self._conn.execute(f"SELECT 1 FROM {self.TABLE} WHERE name = 'world' FOR UPDATE")
            yield Journal(self._insert_event, self._select_events,
                          lambda: self._conn.execute(f"DELETE FROM {self.EVENTS}"))

    def _insert_event(self, event: dict) -> None:
        self._conn.execute(f"INSERT INTO {self.EVENTS} (event) VALUES (%s)",
                           [json.dumps(event, ensure_ascii=False)])

    def _select_events(self) -> list[dict]:
        rows = self._conn.execute(f"SELECT event FROM {self.EVENTS} ORDER BY seq").fetchall()
        return [json.loads(row[0]) for row in rows]


def world_store(where: str, initial: WorldState | None = None) -> WorldStore:
    """Open the store CERTSIM_WORLD names: a PostgreSQL URL, else a file path."""
    if where.startswith(("postgresql://", "postgresql+psycopg://")):
        return PostgresStore(where, initial)
    return FileStore(where, initial)


class WorldClock(SimulatedClock):
    """The world's clock: real time until the world is given a simulated time, then that.

    Every move is one atomic update of the store, so two processes moving it at once both
    count (a running clock keeps running, a frozen one stays frozen).
    """

    def __init__(self, store: WorldStore):
        self.store = store

    def _load(self) -> ClockState:
        state = self.store.read().clock
        if state is None:
            now = wall_now()
            return ClockState(now, now)
        return state

    def refresh(self) -> None:
        self.store.refresh()

    @property
    def simulated(self) -> bool:
        """Whether the world has a simulated time (else this clock is real time)."""
        return self.store.read().clock is not None

    def _move(self, moved: Callable[[ClockState], ClockState]) -> datetime:
        def change(world: WorldState) -> WorldState:
            current = world.clock or ClockState(wall_now(), wall_now())
            return replace(world, clock=moved(current))
        return self.store.update(change).clock.now()

    def set(self, moment: datetime) -> datetime:
        require_aware(moment, "clock time")
        return self._move(lambda s: ClockState(moment, None if s.frozen else wall_now()))

    def advance(self, delta) -> datetime:
        if delta.total_seconds() < 0:
            raise ValueError("the clock only advances; use set() to go back")
        return self._move(lambda s: ClockState(s.now() + delta,
                                               None if s.frozen else wall_now()))

    def freeze(self) -> datetime:
        return self._move(lambda s: ClockState(s.now()))

    def resume(self) -> datetime:
        return self._move(lambda s: ClockState(s.now(), wall_now()))
