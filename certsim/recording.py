"""Recording a session: start, stop, and the scenario file it becomes (`certsim record`, the
console's 开始录制 / 停止录制).

While a recording runs, both portals append what holders and the back office do to the world
store's journal (shared.web.recording), and so do `certsim` commands (certsim.world.record).
Stopping turns the journal into a scenario v1 file (scenarios.recorder). A recording that
starts on a world that is not empty first saves it as a snapshot named after the recording,
and the file starts from that snapshot.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

from certsim import snapshots, world
from mem_portal.models import DATA_TABLES as MEM_DATA
from national_portal.models import DATA_TABLES as NATIONAL_DATA
from scenarios.recorder import Recorded, translate
from shared.clock import SHANGHAI
from shared.db import latest_instant
from shared.errors import InvalidInput
from shared.recording import Recording
from shared.world import RecordingRunning, WorldStore

DATA = {"mem": MEM_DATA, "national": NATIONAL_DATA}


def default_name(now: datetime) -> str:
    return f"recording-{now.astimezone(SHANGHAI):%Y%m%d-%H%M%S}"


def slug(name: str) -> str:
    """The name as a snapshot may be called (lowercase letters, digits, - and _)."""
    text = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")[:40]
    return text or "recording"


def start(name: str | None = None, store: WorldStore | None = None) -> dict:
    """Start recording; a world that is not empty is saved first as the snapshot `slug(name)`."""
    store = store or world.settings().world()
    if (running := store.read().recording) is not None:
        raise InvalidInput("recording", f"已在录制：{running.name}（请先停止录制）")
    clock = world.settings().clock(store)
    name = slug(name or default_name(clock.now()))
    snapshot, started_at = None, clock.now()
    if not _empty_world():
        snapshot = snapshots.save(name, store)["name"]
        saved = snapshots.saved_state(snapshot).clock
        started_at = saved.at if saved else started_at
    state = store.read()
    try:
        store.start_recording(Recording(name, started_at.isoformat(), state.lag, state.lag_seed,
                                        snapshot))
    except RecordingRunning as exc:
        raise InvalidInput("recording", f"已在录制：{exc.recording.name}") from None
    return status(store)


def stop(store: WorldStore | None = None) -> Recorded:
    """Stop recording; return the scenario it became and what it could not say."""
    store = store or world.settings().world()
    recording, events = store.stop_recording()
    if recording is None:
        raise InvalidInput("recording", "没有正在进行的录制")
    return translate(recording, events)


def status(store: WorldStore | None = None) -> dict:
    """Whether a recording runs: its name, start, snapshot and how many events it holds."""
    store = store or world.settings().world()
    recording = store.read().recording
    if recording is None:
        return {"recording": False}
    return {"recording": True, "name": recording.name, "started_at": recording.started_at,
            "snapshot": recording.snapshot, "events": len(store.recorded_events())}


def save_file(recorded: Recorded, path: Path) -> Path:
    """Write the scenario file (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(recorded.to_yaml(), encoding="utf-8")
    return path


def folder() -> Path:
    """Where the console writes the files it records: var/recordings/."""
    return world.settings().var_dir / "recordings"


def _empty_world() -> bool:
    """Tell whether neither portal holds any data (holders, accounts, certificates …)."""
    for database, tables in DATA.items():
        with world.open_session(database) as session:
            if latest_instant(session, tables) is not None:
                return False
    return True


def report(recorded: Recorded) -> list[str]:
    """What the file could not say, one request a line (empty when it says everything)."""
    return [item.line() for item in recorded.unexpressed]


def register(sub) -> None:
    p = sub.add_parser("record", help="record a session as a scenario file until Ctrl-C")
    p.add_argument("--out", required=True, help="the scenario file to write (YAML)")
    p.add_argument("--name", help="the recording's name (and its snapshot's)")
    p.add_argument("--stop", action="store_true",
                   help="stop a recording started elsewhere (the console) and write it")
    p.set_defaults(func=cmd_record)


def cmd_record(args) -> int:
    """Record until Ctrl-C or SIGTERM (or stop the one running), then write the file."""
    if not args.stop:
        started = start(args.name or Path(args.out).stem)
        where = f"from snapshot {started['snapshot']}" if started["snapshot"] else "empty world"
        print(f"recording {started['name']} ({where}); Ctrl-C or SIGTERM to stop",
              file=sys.stderr, flush=True)
        _wait_for_a_stop_signal()
    recorded = stop()
    path = save_file(recorded, Path(args.out))
    print(f"wrote {path}: {len(recorded.document['steps'])} steps")
    for line in report(recorded):
        print(f"not recorded: {line}", file=sys.stderr)
    return 0


def _wait_for_a_stop_signal() -> None:
    stopped = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopped.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stopped.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
