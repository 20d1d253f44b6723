"""Where a scenario runs: both portals and the replicator, and a way to move their clock.

- `InProcessWorld` (default): both Flask apps on fresh in-memory databases and the replicator
  (its in-process WSGI transport), all on one `SimulatedClock`. Moving the clock uses the
  replicator's own `SimulatedStepper`, so every change is delivered at the moment it falls due.
- `LiveWorld`: servers started elsewhere (`--mem-url`, `--national-url`) with the control plane
  on; the clock is moved through the ministry's `/_sim/clock`, one due moment at a time, and the
  live replicator is asked to run at each through `/_sim/replication/tick`.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from scenarios.portals import FlaskPortal, HttpPortal, Portal
from shared.clock import SimulatedClock, wall_now

SECRET = "certsim-scenario-replay-secret"


class World:
    """Both portals and a clock; subclasses say how time moves and replication runs."""

    mem: Portal
    national: Portal

    def now(self) -> datetime:
        raise NotImplementedError

    def move_to(self, moment: datetime) -> None:
        """Move the clock to `moment`, replicating whatever falls due on the way."""
        raise NotImplementedError

    def replicate(self) -> dict:
        """Run replication now (the control plane's "tick"); return its report."""
        return self.mem.ok("POST", "/_sim/replication/tick", {})

    def close(self, *, crashed: bool = False) -> None:
        """Release the world at the end of a scenario (`crashed` when it ended in a crash)."""
        self.mem.close()
        self.national.close()


class InProcessWorld(World):
    """Both apps and the replicator in this process, on one simulated clock.

    `restart` empties both portals through their control planes and starts a fresh replicator,
    so one pair of apps serves many scenarios (building apps costs more than a short scenario).
    """

    def __init__(self, start: datetime, lag: str | None = None, *, urls=None):
        import mem_portal
        import national_portal
        from mem_portal.control import REPLICATION_TICK
        from mem_portal.models import TABLES as MEM_TABLES
        from national_portal.models import TABLES as NATIONAL_TABLES
        from shared.db import create_schema

        self.clock = SimulatedClock(start)
        urls = urls or _memory_url
        common = {"SIM_ENABLED": True, "SYNC_SECRET": SECRET, "TESTING": True}
        mem_app = mem_portal.create_app({**common, "DATABASE_URL": urls("mem")}, clock=self.clock)
        national_app = national_portal.create_app(
            {**common, "DATABASE_URL": urls("national")}, clock=self.clock)
        self.apps = (mem_app, national_app)
        for app, tables in zip(self.apps, (MEM_TABLES, NATIONAL_TABLES), strict=True):
            create_schema(app.extensions["certsim"].engine, tables)
        self.default_lag = str(mem_app.config["SYNC_LAG"])
        mem_app.extensions[REPLICATION_TICK] = self._tick
        self.mem, self.national = FlaskPortal("mem", mem_app), FlaskPortal("national", national_app)
        self._start_replicator()
        if lag is not None:
            self.mem.ok("PUT", "/_sim/lag", {"lag": lag, "seed": 0})

    def _start_replicator(self) -> None:
        """Attach a fresh replicator (in-process WSGI transport) and its simulated-time stepper."""
        from sync import Replicator, SimulatedStepper, SyncConfig, WsgiTransport

        transport = WsgiTransport({"mem": self.apps[0], "national": self.apps[1]}, SECRET)
        config = SyncConfig(mem_url="http://mem.invalid", national_url="http://national.invalid",
                            secret=SECRET, holder="scenario-replay", backoff_base=60,
                            backoff_max=3600)
        self.stepper = SimulatedStepper(Replicator(transport, config), self.clock)

    def restart(self, start: datetime, lag: str | None) -> None:
        """Empty both portals, heal the national ingest, set the clock and lag, new replicator."""
        self.clock.set(start)
        self.mem.ok("POST", "/_sim/reset", {"empty": True})
        self.national.ok("POST", "/_sim/reset", {"empty": True})
        self.national.ok("POST", "/_sim/faults", {"mode": "up"})
        self.mem.ok("PUT", "/_sim/lag", {"lag": lag if lag is not None else self.default_lag,
                                         "seed": 0})
        self._start_replicator()

    def _tick(self) -> dict:
        """Run the replicator until nothing due is left at the current time."""
        reports = [r.to_json() for r in self.stepper.drain()]
        delivered = sum(sum(r["results"].values()) for r in reports)
        return {"runs": len(reports), "delivered": delivered, "last": reports[-1]}

    def now(self) -> datetime:
        return self.clock.now()

    def move_to(self, moment: datetime) -> None:
        """Step through every due moment up to `moment` (just set the clock if nothing waits)."""
        if moment < self.clock.now():
            raise ValueError(f"the clock never goes back: {moment} < {self.clock.now()}")
        if self.mem.ok("GET", "/_sim/replication")["pending"] == 0:
            self.clock.set(moment)  # nothing to deliver or retry: the replicator would idle
        else:
            self.stepper.advance_to(moment)

    def close(self, *, crashed: bool = False) -> None:
        super().close()
        for app in self.apps:
            app.extensions["certsim"].engine.dispose()


class InProcessWorlds:
    """A world factory that builds the apps once and restarts them for each scenario.

    A scenario that crashed may leave the apps in any state: the next one gets new apps.
    """

    def __init__(self, urls=None):
        self.world: InProcessWorld | None = None
        self.urls = urls  # database URL per "mem"/"national"; default private in-memory SQLite

    def __call__(self, scenario) -> World:
        if self.world is None:
            self.world = InProcessWorld(scenario.start, scenario.lag, urls=self.urls)
        else:
            self.world.restart(scenario.start, scenario.lag)
        return _Borrowed(self)

    def discard(self) -> None:
        """Close the apps; the next scenario builds new ones."""
        if self.world is not None:
            self.world.close()
            self.world = None


class _Borrowed(World):
    """The pool's world lent to one scenario: closing it keeps the apps for the next one."""

    def __init__(self, pool: InProcessWorlds):
        self.pool, self.inner = pool, pool.world
        self.mem, self.national = self.inner.mem, self.inner.national

    def now(self) -> datetime:
        return self.inner.now()

    def move_to(self, moment: datetime) -> None:
        self.inner.move_to(moment)

    def close(self, *, crashed: bool = False) -> None:
        if crashed:
            self.pool.discard()


def _memory_url(database: str) -> str:
    """A private in-memory SQLite database: SQLAlchemy keeps one connection per thread for it,
    and replay runs every request of both apps and the replicator in this one thread."""
    return "sqlite:///:memory:"


class LiveWorld(World):
    """Servers running elsewhere, their clock and replication driven by the control plane."""

    SETTLE_SECONDS = 30.0

    def __init__(self, start: datetime, lag: str | None, mem_url: str, national_url: str):
        self.mem, self.national = HttpPortal("mem", mem_url), HttpPortal("national", national_url)
        self.mem.ok("POST", "/_sim/reset", {"empty": True})
        self.national.ok("POST", "/_sim/reset", {"empty": True})
        self.mem.ok("POST", "/_sim/clock", {"set": start.isoformat(), "freeze": True})
        if lag is not None:
            self.mem.ok("PUT", "/_sim/lag", {"lag": lag})

    def now(self) -> datetime:
        return datetime.fromisoformat(self.mem.ok("GET", "/_sim/clock")["now"])

    def move_to(self, moment: datetime) -> None:
        """Step the shared clock through each due moment up to `moment`, ticking at each."""
        while True:
            due = self._next_due(self.now(), moment)
            self.mem.ok("POST", "/_sim/clock", {"set": (due or moment).isoformat()})
            self.replicate()
            if due is None:
                return

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
