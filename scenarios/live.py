"""Replaying against portals served elsewhere (`--mem-url`, `--national-url`).

`LiveWorld` drives servers running elsewhere with the control plane on: the clock moves through
the ministry's `/_sim/clock`, one due moment at a time, and the live replicator is asked to run
at each through `/_sim/replication/tick`.

`LiveWorlds` makes one such world per scenario. Each scenario resets the portals, so the world
they serve (a demo in progress) would be lost: used with `with`, it first saves that world as
the snapshot `before-replay` and puts it back at the end, whatever happened in between. That
needs this process to reach the same world (databases and world store) as the portals, which is
checked first (against the world store and databases each portal's `/_sim/info` names);
`keep=True` skips all of it and leaves the world as the replay left it.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta

from sqlalchemy.engine import make_url

from scenarios.portals import HttpPortal
from scenarios.starting import DEMO, StartError
from scenarios.world import World
from shared.clock import wall_now
from shared.settings import read_settings

KEPT_AS = "before-replay"  # the snapshot of the live world during a replay (reserved)


class LiveWorld(World):
    """Servers running elsewhere, their clock and replication driven by the control plane."""

    SETTLE_SECONDS = 30.0

    def __init__(self, start: datetime, lag: str | None, mem_url: str, national_url: str, *,
                 snapshot: str | None = None):
        self.mem, self.national = HttpPortal("mem", mem_url), HttpPortal("national", national_url)
        if snapshot in (None, DEMO):
            configured = read_settings(os.environ).sync_lag  # as `certsim snapshot restore demo`
            self.mem.ok("PUT", "/_sim/lag", {"lag": lag if lag is not None else configured,
                                             "seed": 0})
            body = {} if snapshot == DEMO else {"empty": True}
            self.mem.ok("POST", "/_sim/reset", body)
            self.national.ok("POST", "/_sim/reset", body)
            self.national.ok("POST", "/_sim/faults", {"mode": "up"})
        else:
            from certsim import snapshots

            snapshots.restore(snapshot)  # this machine's world: LiveWorlds checked it is theirs
            if lag is not None:
                self.mem.ok("PUT", "/_sim/lag", {"lag": lag, "seed": 0})
        self.mem.ok("POST", "/_sim/clock", {"set": start.isoformat(), "freeze": True})
        if snapshot is not None:
            self.move_to(start)  # deliver what the snapshot holds due by now

    def now(self) -> datetime:
        return datetime.fromisoformat(self.mem.ok("GET", "/_sim/clock")["now"])

    def move_to(self, moment: datetime) -> bool:
        """Step the shared clock through each due moment up to `moment`, ticking at each (a
        tick always runs the replicator: the outbox may have changed)."""
        while True:
            due = self._next_due(self.now(), moment)
            self.mem.ok("POST", "/_sim/clock", {"set": (due or moment).isoformat()})
            self.replicate()
            if due is None:
                return True

    def _next_due(self, now: datetime, until: datetime) -> datetime | None:
        rows = self.mem.ok("GET", "/_sim/outbox?state=pending&limit=1000")["changes"]
        moments = sorted(datetime.fromisoformat(r["visible_at"]) for r in rows
                         if r.get("visible_at"))
        return next((m for m in moments if now < m <= until), None)

    def replicate(self) -> dict:
        """Ask the live replicator to run now and wait (wall time) until it has settled."""
        before = self.mem.ok("GET", "/_sim/replication").get("last_run")
        answer = self.mem.ok("POST", "/_sim/replication/tick", {})
        if answer.get("ran"):
            return answer
        deadline = wall_now() + timedelta(seconds=self.SETTLE_SECONDS)
        pause = threading.Event()
        while wall_now() < deadline:
            state = self.mem.ok("GET", "/_sim/replication")
            if state.get("due_not_applied") == 0 or state.get("last_run") != before:
                return state
            pause.wait(0.05)  # live servers only: give the replicator's poll a moment
        raise TimeoutError("the replicator did not answer the tick request within "
                           f"{self.SETTLE_SECONDS:.0f} s; is `python -m sync` running?")


class ReplayRefused(StartError):
    """The live world cannot be saved (or a snapshot restored into it): nothing is replayed."""


class WorldNotRestored(Exception):
    """The replay ran, but the live world could not be put back."""


class LiveWorlds:
    """A world factory for live portals; `with` it to save their world first and put it back."""

    def __init__(self, mem_url: str, national_url: str, *, keep: bool = False):
        self.urls = {"mem": mem_url, "national": national_url}
        self.keep, self.saved, self.checked = keep, False, False

    def __call__(self, scenario) -> World:
        if scenario.snapshot not in (None, DEMO):
            self.check_same_world()  # a saved snapshot is restored into this machine's world
        return LiveWorld(scenario.start, scenario.lag, self.urls["mem"], self.urls["national"],
                         snapshot=scenario.snapshot)

    def __enter__(self) -> LiveWorlds:
        if self.keep:
            return self
        from certsim import snapshots

        self.check_same_world()
        if KEPT_AS in snapshots.names():
            raise ReplayRefused(
                f"a snapshot named {KEPT_AS} already exists (left by a replay that did not "
                f"finish?): put it back with `certsim snapshot restore {KEPT_AS}` or forget it "
                f"with `certsim snapshot delete {KEPT_AS}`, then replay again")
        snapshots.save(KEPT_AS)
        self.saved = True
        return self

    def __exit__(self, *exc) -> None:
        if not self.saved:
            return
        from certsim import snapshots

        try:
            snapshots.restore(KEPT_AS)
        except Exception as error:
            raise WorldNotRestored(
                f"the world the portals served before the replay could not be put back "
                f"({error}); it is kept as snapshot {KEPT_AS}: `certsim snapshot restore "
                f"{KEPT_AS}`") from error
        snapshots.delete(KEPT_AS)
        self.saved = False

    def check_same_world(self) -> None:
        """Refuse unless both portals serve the world store and the databases this process
        reaches (each portal's /_sim/info says which it serves)."""
        if self.checked:
            return
        from certsim import world

        settings = world.settings()
        ours = {"world": settings.world().where}
        for name, url in self.urls.items():
            ours["database"] = make_url(settings.database_url(name)).render_as_string(
                hide_password=True)
            portal = HttpPortal(name, url)
            try:
                info = portal.ok("GET", "/_sim/info")
            finally:
                portal.close()
            theirs = {key: info.get(key) for key in ours}
            if theirs != ours:
                said = "; ".join(f"its {key} is {theirs[key]}, this process's {ours[key]}"
                                 for key in ours if theirs[key] != ours[key])
                raise ReplayRefused(
                    f"cannot save or restore the world the live portals serve: the {name} portal "
                    f"at {url} is not on this process's world ({said}). Replay from the checkout (or "
                    "with the CERTSIM_VAR_DIR, CERTSIM_WORLD and database URLs) the portals run "
                    "with, or pass --keep-replay-world to replay without saving and restoring "
                    "their world")
        self.checked = True
