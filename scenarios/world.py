"""Where a scenario runs: both portals and the replicator, and a way to move their clock.

- `InProcessWorld` (default): both Flask apps on fresh in-memory databases and the replicator
  (its in-process WSGI transport), all on one `SimulatedClock`. Moving the clock uses the
  replicator's own `SimulatedStepper`, so every change is delivered at the moment it falls due.
- `scenarios.live.LiveWorld`: servers started elsewhere (`--mem-url`, `--national-url`).

A world starts empty, from the demo, or from a saved snapshot (`start: {snapshot: NAME}`);
whatever the snapshot holds that is due by the start is delivered before the first step.
"""

from __future__ import annotations

from datetime import datetime

from scenarios.portals import FlaskPortal, Portal
from scenarios.starting import DEMO
from shared.clock import SimulatedClock

SECRET = "certsim-scenario-replay-secret"


class World:
    """Both portals and a clock; subclasses say how time moves and replication runs."""

    mem: Portal
    national: Portal

    def now(self) -> datetime:
        raise NotImplementedError

    def move_to(self, moment: datetime) -> bool:
        """Move the clock to `moment`, replicating whatever falls due on the way; return False
        when nothing was due on the way (only the clock moved: the outbox is as it was)."""
        raise NotImplementedError

    def deliver_due(self) -> None:
        """Deliver what is due now (a step wrote a change due at once, e.g. under lag 0)."""
        self.move_to(self.now())

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

    def __init__(self, start: datetime, lag: str | None = None, *, urls=None,
                 snapshot: str | None = None):
        from certsim import apps  # the portals with their demo, as `certsim run` serves them
        from mem_portal.control import REPLICATION_TICK
        from mem_portal.models import TABLES as MEM_TABLES
        from national_portal.models import TABLES as NATIONAL_TABLES
        from shared.db import create_schema

        self.clock = SimulatedClock(start)
        urls = urls or _memory_url
        # Made-up holders living for one replay: no reason to pay argon2's production cost.
        common = {"SIM_ENABLED": True, "SYNC_SECRET": SECRET, "TESTING": True,
                  "PASSWORD_COST": "simulation"}
        mem_app = apps.ministry({**common, "DATABASE_URL": urls("mem")}, clock=self.clock)
        national_app = apps.national({**common, "DATABASE_URL": urls("national")},
                                     clock=self.clock)
        self.apps = (mem_app, national_app)
        for app, tables in zip(self.apps, (MEM_TABLES, NATIONAL_TABLES), strict=True):
            create_schema(app.extensions["certsim"].engine, tables)
        self.default_lag = str(mem_app.config["SYNC_LAG"])
        mem_app.extensions[REPLICATION_TICK] = self._tick
        self.mem, self.national = FlaskPortal("mem", mem_app), FlaskPortal("national", national_app)
        self.begin(start, lag, snapshot, fresh=True)

    def _start_replicator(self) -> None:
        """Attach a fresh replicator (in-process WSGI transport) and its simulated-time stepper."""
        from sync import Replicator, SimulatedStepper, SyncConfig, WsgiTransport

        transport = WsgiTransport({"mem": self.apps[0], "national": self.apps[1]}, SECRET)
        config = SyncConfig(mem_url="http://mem.invalid", national_url="http://national.invalid",
                            secret=SECRET, holder="scenario-replay", backoff_base=60,
                            backoff_max=3600)
        self.stepper = SimulatedStepper(Replicator(transport, config), self.clock)

    def restart(self, start: datetime, lag: str | None, snapshot: str | None = None) -> None:
        """Start the next scenario in these apps (see `begin`)."""
        self.begin(start, lag, snapshot)

    def begin(self, start: datetime, lag: str | None, snapshot: str | None = None, *,
              fresh: bool = False) -> None:
        """Put the world in its starting state: empty (`fresh`: it is already), the demo or a
        saved snapshot; the clock at `start`, the lag, the national ingest healed (or as the
        snapshot has it), a new replicator; then deliver what is due by `start`.

        The demo is written under the scenario's lag (else the configured one); a saved
        snapshot keeps the lag it holds unless the scenario gives one.
        """
        self.clock.set(start)
        self.mem.ok("PUT", "/_sim/lag", {"lag": lag if lag is not None else self.default_lag,
                                         "seed": 0})
        if snapshot not in (None, DEMO):
            self._load(snapshot, keep_lag=lag is None)
        elif snapshot == DEMO or not fresh:
            body = {} if snapshot == DEMO else {"empty": True}
            self.mem.ok("POST", "/_sim/reset", body)
            self.national.ok("POST", "/_sim/reset", body)
            self.national.ok("POST", "/_sim/faults", {"mode": "up"})
        self._start_replicator()
        if snapshot is not None:
            self.move_to(start)

    def _load(self, name: str, *, keep_lag: bool) -> None:
        """Write a saved snapshot's rows into both databases; take its lag and fault switch."""
        from certsim import snapshots

        sessions = {database: app.extensions["certsim"].sessions()
                    for database, app in zip(("mem", "national"), self.apps, strict=True)}
        try:
            state = snapshots.load(name, sessions)
        finally:
            for session in sessions.values():
                session.close()
        if keep_lag:
            self.mem.ok("PUT", "/_sim/lag", {"lag": state.lag, "seed": state.lag_seed})
        faults = {"mode": state.faults.mode, "calls": state.faults.calls,
                  "delay": state.faults.delay}
        self.national.ok("POST", "/_sim/faults", {k: v for k, v in faults.items()
                                                  if v is not None})

    def _tick(self) -> dict:
        """Run the replicator until nothing due is left at the current time; like the live
        runner's tick (立即同步), it forgets any back-off an outage left."""
        self.stepper.replicator.retry_now()
        reports = [r.to_json() for r in self.stepper.drain()]
        delivered = sum(sum(r["results"].values()) for r in reports)
        return {"runs": len(reports), "delivered": delivered, "last": reports[-1]}

    def now(self) -> datetime:
        return self.clock.now()

    def move_to(self, moment: datetime) -> bool:
        """Step through every due moment up to `moment`.

        The ministry says what waits: with nothing due now (to deliver or retry), the clock
        goes straight to the next change's `visible_at`, or to `moment` if that lies beyond,
        since every run on the way would idle (and then nothing changed: False).
        """
        if moment < self.clock.now():
            raise ValueError(f"the clock never goes back: {moment} < {self.clock.now()}")
        status = self.mem.ok("GET", "/_sim/replication")
        if status["due_not_applied"] == 0:
            due = status["next_due_at"] and datetime.fromisoformat(status["next_due_at"])
            if not due or due > moment:
                self.clock.set(moment)
                return False
            self.clock.set(due)
        self.stepper.advance_to(moment)
        return True

    def deliver_due(self) -> None:
        """Run the replicator now without asking the ministry what is due: the caller saw it."""
        self.stepper.advance_to(self.clock.now())

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
            self.world = InProcessWorld(scenario.start, scenario.lag, urls=self.urls,
                                        snapshot=scenario.snapshot)
        else:
            self.world.restart(scenario.start, scenario.lag, scenario.snapshot)
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

    def move_to(self, moment: datetime) -> bool:
        return self.inner.move_to(moment)

    def deliver_due(self) -> None:
        self.inner.deliver_due()

    def close(self, *, crashed: bool = False) -> None:
        if crashed:
            self.pool.discard()


def _memory_url(database: str) -> str:
    """A private in-memory SQLite database: SQLAlchemy keeps one connection per thread for it,
    and replay runs every request of both apps and the replicator in this one thread."""
    return "sqlite:///:memory:"
