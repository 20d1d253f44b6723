"""End-to-end replication throughput: ministry outbox → signed HTTP → national database.

Both portals are served by waitress on loopback ports (in this process, four threads each);
the replicator is the real one with the HTTP transport, run as the real-time job runs it.
The source rows (certificates and their outbox changes with full licence payloads) are written
in bulk first, so the measure is replication, not issuance.

Baseline, measured in the same run on the same rows: a raw `sqlite3` copy of the payloads from
the ministry's outbox into a national-shaped table (one SELECT, one executemany, one commit) —
the floor any replication pays, without HTTP, JSON, signatures, idempotency or ordering.
"""

from __future__ import annotations

import resource
import sqlite3
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from waitress.server import create_server

import mem_portal
import national_portal
from shared.authorities import authority_named, ministry_codes
from shared.certificates import FACE_FIELDS
from shared.clock import SHANGHAI, SimulatedClock
from shared.db import create_schema
from shared.identifiers import make_licence_id
from shared.identity import id_check_char
from shared.models import Certificate, OutboxEntry
from sync import HttpTransport, Replicator, SyncConfig
from sync.runner import run_due

SECRET = "bench-secret"
ISSUED_AT = datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI)
VISIBLE_AT = datetime(2024, 10, 8, 0, 0, tzinfo=SHANGHAI)   # 3 working days later
REPLICATED_AT = datetime(2024, 10, 8, 9, 0, tzinfo=SHANGHAI)
BATCH = 1000
GOAL_SECONDS = 120


def certificate_rows(count: int) -> list[dict]:
    """Return `count` distinct certificates as column values (real identifiers and dates)."""
    authority, type_code = authority_named(None), ministry_codes()[1]
    issued = date(2024, 9, 27)
    rows = []
    for n in range(count):
        born = date(1970, 1, 1) + timedelta(days=n // 1000)
        first17 = f"110101{born:%Y%m%d}{n % 1000:03d}"
        id_number = first17 + id_check_char(first17)
        key = f"2024{n + 1:010d}"
        rows.append({
            "id": n + 1, "certificate_key": key, "licence_version": 1, "revision": 1,
            "licence_id": make_licence_id(type_code, authority.code, key, 1),
            "holder_name": "张三" if n % 2 else "李梅", "holder_id_number": id_number,
            "sex": "男" if int(first17[16]) % 2 else "女", "cert_number": id_number,
            "category": "电工作业", "item": "低压电工作业", "first_issued_on": issued,
            "issued_on": issued, "valid_from": issued, "valid_to": date(2030, 9, 27),
            "review_due_on": date(2027, 9, 27), "review_passed_on": None,
            "authority": authority.name, "authority_code": authority.code,
            "region_code": authority.region_code, "archive_code": f"1100002024{n + 1:08d}",
            "card_version": "new", "status": "valid", "status_reason": None,
            "rule_set": "order30", "created_at": ISSUED_AT, "updated_at": ISSUED_AT})
    return rows


def outbox_rows(certificates: list[dict]) -> list[dict]:
    """Return one `issued` change per certificate with the payload the services write."""
    rows = []
    for cert in certificates:
        licence = {name: cert[name] for name in FACE_FIELDS}
        for name, value in licence.items():
            if isinstance(value, date):
                licence[name] = value.isoformat()
        licence["reviews"] = []
        rows.append({"seq": cert["id"], "change_id": uuid.uuid4().hex, "kind": "issued",
                     "certificate_key": cert["certificate_key"], "revision": 1,
                     "payload": {"kind": "issued", "licence": licence}, "created_at": ISSUED_AT,
                     "visible_at": VISIBLE_AT, "state": "pending",
                     "attempts": 0})
    return rows


def load_source(app, count: int) -> None:
    """Write the certificates and their outbox rows in bulk, 5 000 at a time."""
    engine = app.extensions["certsim"].engine
    create_schema(engine, "mem")
    certificates = certificate_rows(count)
    with app.extensions["certsim"].sessions() as session:
        for start in range(0, count, 5000):
            chunk = certificates[start:start + 5000]
            session.execute(insert(Certificate), chunk)
            session.execute(insert(OutboxEntry), outbox_rows(chunk))
        session.commit()


def serve(app):
    """Serve `app` with waitress on a free loopback port; return its URL and a stop function."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def close_all() -> None:  # runs in the server's loop thread; an empty map ends the loop
        for channel in list(server._map.values()):
            channel.close()

    def stop() -> None:
        """Close every channel from the loop thread, wait for it, stop the workers."""
        server.trigger.pull_trigger(close_all)
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()

    return f"http://127.0.0.1:{server.effective_port}", stop


def replicate(mem, national, clock) -> tuple[float, int]:
    """Replicate everything over HTTP; return the seconds it took and the licences applied."""
    (mem_url, stop_mem), (national_url, stop_national) = serve(mem), serve(national)
    urls = {"mem": mem_url, "national": national_url}
    config = SyncConfig(mem_url=urls["mem"], national_url=urls["national"], secret=SECRET,
                        batch_size=BATCH, max_batches=20, timeout=60, holder="bench")
    replicator = Replicator(HttpTransport(urls, SECRET, clock, timeout=60), config)
    started = time.perf_counter()
    applied = 0
    for report in run_due(replicator, clock):
        if report.error:
            raise RuntimeError(f"replication failed: {report.error}")
        applied += report.results.get("applied", 0)
    elapsed = time.perf_counter() - started
    stop_mem(), stop_national()
    return elapsed, applied


def raw_copy(mem_file: Path, target: Path) -> float:
    """Copy the same payloads with plain sqlite3; return the seconds it took."""
    started = time.perf_counter()
    source, sink = sqlite3.connect(mem_file), sqlite3.connect(target)
    sink.execute("CREATE TABLE licences (id INTEGER PRIMARY KEY, certificate_key TEXT UNIQUE, "
                 "revision INTEGER, payload TEXT)")
    rows = source.execute("SELECT certificate_key, revision, payload FROM outbox ORDER BY seq")
    sink.executemany("INSERT INTO licences (certificate_key, revision, payload) VALUES (?,?,?)",
                     rows)
    sink.commit()
    source.close(), sink.close()
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(sizes=(100_000,)) -> list[dict]:
    """Measure replication of each size against the raw copy; return the table rows."""
    rows = []
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="certsim-bench-") as tmp:
            rows += measure(Path(tmp), count)
    return rows


def measure(tmp: Path, count: int) -> list[dict]:
    """Load `count` licences, replicate them over HTTP, copy them raw; return two rows."""
    clock = SimulatedClock(REPLICATED_AT)
    common = {"SYNC_SECRET": SECRET, "SIM_ENABLED": False}
    mem = mem_portal.create_app({**common, "DATABASE_URL": f"sqlite:///{tmp / 'mem.db'}"},
                                clock=clock)
    national = national_portal.create_app(
        {**common, "DATABASE_URL": f"sqlite:///{tmp / 'national.db'}"}, clock=clock)
    create_schema(national.extensions["certsim"].engine, "national")
    load_source(mem, count)
    before = peak_rss_mb()
    elapsed, applied = replicate(mem, national, clock)
    if applied != count:
        raise RuntimeError(f"{applied} of {count} licences replicated")
    raw = raw_copy(tmp / "mem.db", tmp / "raw.db")
    for app in (mem, national):
        app.extensions["certsim"].engine.dispose()
    rate, raw_rate, peak = count / elapsed, count / raw, peak_rss_mb()
    return [
        {"name": f"replication end to end, {count:,} licences (HTTP, signed, batches of {BATCH})",
         "value": rate, "unit": "licences/s",
         "baseline": f"raw sqlite3 copy of the same rows: {raw_rate:,.0f} licences/s",
         "baseline_value": raw_rate, "ratio": rate / raw_rate,
         "goal": f"{count:,} in < {GOAL_SECONDS} s (took {elapsed:.1f} s)",
         "met": elapsed < GOAL_SECONDS},
        {"name": f"replication peak memory, {count:,} licences (both portals + replicator)",
         "value": peak, "unit": "MB",
         "baseline": f"after loading the source rows: {before:,.0f} MB",
         "baseline_value": before, "ratio": peak / before, "goal": None, "met": None},
    ]
