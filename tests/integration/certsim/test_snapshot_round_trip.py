"""A snapshot saved and restored while the portals serve and the replicator runs (its real
scheduler and tick watcher, in a background thread): nothing crosses half-way, nothing is lost
or applied twice, and the world's clock comes back with the data."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from support.replication import WatchedReplicator
from support.worlds import lay_out_world

import mem_portal
import national_portal
from certsim import snapshots, world
from national_portal.models import AppliedChange, Licence
from shared.clock import SHANGHAI
from shared.models import OutboxEntry
from shared.world import FileStore, WorldClock
from sync import SyncConfig, WsgiTransport
from sync.runner import build_scheduler

SECRET = "snapshot-round-trip-secret"
START = datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI)


@pytest.fixture
def running(db_url_factory, tmp_path, monkeypatch):
    """Both portals and a running replicator on one world under tmp_path."""
    store = lay_out_world(monkeypatch, tmp_path, db_url_factory)
    clock = WorldClock(store)
    clock.freeze()
    clock.set(START)
    common = {"SIM_ENABLED": True, "SYNC_SECRET": SECRET, "TESTING": True}
    mem = mem_portal.create_app({**common, "DATABASE_URL": world.database_url("mem")},
                                world=FileStore(store.path))
    national = national_portal.create_app(
        {**common, "DATABASE_URL": world.database_url("national")}, world=FileStore(store.path))
    config = SyncConfig(mem_url="http://mem.invalid", national_url="http://national.invalid",
                        secret=SECRET, interval=0.2, tick_poll=0.1, holder="background")
    replicator = WatchedReplicator(WsgiTransport({"mem": mem, "national": national}, SECRET),
                                   config)
    scheduler = build_scheduler(replicator, WorldClock(FileStore(store.path)), config,
                                blocking=False)
    scheduler.start()
    yield Running(mem, national, clock, replicator)
    scheduler.shutdown(wait=True)
    replicator.release()
    for app in (mem, national):
        app.extensions["certsim"].engine.dispose()


class Running:
    def __init__(self, mem, national, clock: WorldClock, replicator: WatchedReplicator):
        self.mem, self.national, self.clock, self.replicator = mem, national, clock, replicator

    def issue(self, n: int) -> None:
        answer = self.mem.test_client().post("/_sim/certificates", json={
            "name": "王强", "id_number": ID_NUMBERS[n], "category": "电工作业",
            "item": "低压电工作业"})
        assert answer.status_code == 201, answer.get_json()

    def next_due(self) -> None:
        moved = self.mem.test_client().post("/_sim/clock", json={"next_due": True})
        assert moved.status_code == 200, moved.get_json()

    def national_licences(self) -> int:
        with self.national.extensions["certsim"].sessions() as session:
            return session.scalar(select(func.count()).select_from(Licence))

    def applied_twice(self) -> int:
        with self.national.extensions["certsim"].sessions() as session:
            counts = session.scalars(select(func.count()).select_from(AppliedChange)
                                     .group_by(AppliedChange.change_id))
            return sum(n - 1 for n in counts)

    def outbox(self) -> dict[str, int]:
        with self.mem.extensions["certsim"].sessions() as session:
            return dict(session.execute(select(OutboxEntry.state, func.count())
                                        .group_by(OutboxEntry.state)).all())


ID_NUMBERS = ["110101199003070011", "110101199003070038", "110101199003070054",
              "110101199003070070", "110101199003070097"]


def test_a_snapshot_taken_and_restored_under_a_running_replicator_loses_and_doubles_nothing(
        running, monkeypatch):
    handovers = []
    asked = snapshots.outbox.request_handover
    monkeypatch.setattr(snapshots.outbox, "request_handover",
                        lambda session, holder: handovers.append(holder) or asked(session, holder))
    for n in range(3):
        running.issue(n)
    running.next_due()                                     # 2024-10-08 00:00
    running.replicator.until(lambda: running.national_licences() == 3)
    for n in range(3, 5):
        running.issue(n)                                   # due three working days later
    saved_at = running.clock.now()

    snapshots.save("mid")
    assert handovers == ["certsim-snapshot"]  # the replicator held the lease and gave it up
    running.next_due()
    running.replicator.until(lambda: running.national_licences() == 5)

    snapshots.restore("mid")
    assert running.clock.now() == saved_at and running.clock.frozen
    assert running.national_licences() == 3
    assert running.outbox() == {"delivered": 3, "pending": 2}

    running.next_due()                                     # the story goes on from there
    running.replicator.until(lambda: running.national_licences() == 5)
    running.replicator.until(lambda: running.outbox() == {"delivered": 5})
    assert running.applied_twice() == 0
