"""End-to-end replication throughput: ministry outbox → signed HTTP → national database.

Deployed as `make run` deploys it: each portal in its own process under waitress on a loopback
port (the command `make run` uses, `certsim.run.waitress_command`; databases, secret and the
shared simulated clock from the environment), and the real replicator with the HTTP transport
in this process, run as the real-time job runs it. The source rows (certificates and their `issued` outbox changes with
full licence payloads, in the exact form the services write) are loaded first with plain
sqlite3 in a child process, so the measure is replication, not issuance, and this process's
peak memory is the replicator's.

Baseline, measured in the same run on the same rows: a raw `sqlite3` copy of the payloads from
the ministry's outbox into a national-shaped table (one SELECT, one executemany, one commit) —
the floor any replication pays, without HTTP, JSON, signatures, idempotency or ordering.

The same run on PostgreSQL (both portals on the local server, each in its own schema; the
source written with COPY; the baseline a COPY out of the outbox and into a plain table in one
transaction) when `CERTSIM_BENCH_POSTGRES_URL` (or `CERTSIM_TEST_POSTGRES_URL`) names a server
that answers; the row says so when none does. The replicator runs with its defaults
(`SyncConfig()`: what `make run` runs), never with settings tuned for the benchmark.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.processes import cpu_seconds, peak_rss_of, serve
from mem_portal.models import TABLES as MEM_TABLES
from mem_portal.views.verify import MAX_BODY as MEM_MAX_BODY
from national_portal.models import TABLES as NATIONAL_TABLES
from national_portal.replication import MAX_BODY as NATIONAL_MAX_BODY
from shared.authorities import authority_named, ministry_codes
from shared.certificates import FACE_FIELDS
from shared.clock import SHANGHAI
from shared.db import create_schema, make_engine
from shared.identifiers import LicenceId, make_licence_id, new_change_id
from shared.identity import id_check_char
from shared.world import FileStore, WorldClock
from sync import HttpTransport, Replicator, SyncConfig
from sync.runner import run_due

SECRET = "bench-secret"
ISSUED_AT = datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI)
VISIBLE_AT = datetime(2024, 10, 8, 0, 0, tzinfo=SHANGHAI)   # 3 working days later
REPLICATED_AT = datetime(2024, 10, 8, 9, 0, tzinfo=SHANGHAI)
GOAL_SECONDS = 60
GOAL_RATIO = 0.15   # the goal now; 0.30 is the aim
AIM_RATIO = 0.30
MEMORY_GOAL_MB = 300
POSTGRES_SIZE = 100_000
POSTGRES_URL = os.environ.get("CERTSIM_BENCH_POSTGRES_URL",
                              os.environ.get("CERTSIM_TEST_POSTGRES_URL", ""))
CHUNK = 10_000
SQL_TIME = "%Y-%m-%d %H:%M:%S.%f"   # how SQLAlchemy stores an instant in SQLite (naive UTC)


def certificate_rows(start: int, count: int) -> list[dict]:
    """Return certificates start+1..start+count as column values (real identifiers and dates)."""
    authority, type_code = authority_named(None), ministry_codes()[1]
    make_licence_id(type_code, authority.code, "20240000000001", 1)  # the constant parts are valid
    issued = date(2024, 9, 27)
    rows = []
    for n in range(start, start + count):
        born = date(1970, 1, 1) + timedelta(days=n // 1000)
        first17 = f"110101{born:%Y%m%d}{n % 1000:03d}"
        id_number = first17 + id_check_char(first17)
        key = f"2024{n + 1:010d}"
        rows.append({
            "id": n + 1, "certificate_key": key, "licence_version": 1, "revision": 1,
            "licence_id": str(LicenceId(type_code, authority.code, key, 1)),
            "holder_name": "张三" if n % 2 else "李梅", "holder_id_number": id_number,
            "sex": "男" if int(first17[16]) % 2 else "女", "cert_number": id_number,
            "category": "电工作业", "item": "低压电工作业", "first_issued_on": issued,
            "issued_on": issued, "valid_from": issued, "valid_to": date(2030, 9, 27),
            "review_due_on": date(2027, 9, 27), "review_passed_on": None,
            "authority": authority.name, "authority_code": authority.code,
            "region_code": authority.region_code, "archive_code": f"1100002024{n + 1:08d}",
            "card_version": "new", "status": "valid", "status_reason": None,
            "rule_set": "order30"})
    return rows


def _sql(value):
    """Return a value as SQLAlchemy stores it in SQLite (dates ISO, instants naive UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(SQL_TIME)
    return value.isoformat() if isinstance(value, date) else value


def outbox_row(cert: dict) -> tuple:
    """Return the `issued` change of one certificate with the payload the services write."""
    licence = {name: cert[name] for name in FACE_FIELDS}
    for name, value in licence.items():
        if isinstance(value, date):
            licence[name] = value.isoformat()
    licence["reviews"] = []
    return (cert["id"], new_change_id(ISSUED_AT), "issued", cert["certificate_key"], 1,
            json.dumps({"kind": "issued", "licence": licence}), _sql(ISSUED_AT),
            _sql(VISIBLE_AT), "pending", 0)


def load_source(mem_file: Path, count: int) -> None:
    """Create the ministry schema and write the certificates and outbox rows, in chunks.

    The file is left as a portal leaves it when it stops: its write-ahead log copied in and
    emptied. Left full (the whole table, ~1.8 KB a licence), the portal's first connection
    would rebuild the log's index and every read would look through it, inside the measure.
    """
    engine = make_engine(f"sqlite:///{mem_file}")
    create_schema(engine, MEM_TABLES)
    engine.dispose()
    columns = (*FACE_FIELDS, "id", "created_at", "updated_at")
    insert_cert = (f"INSERT INTO certificates ({', '.join(columns)}) "
                   f"VALUES ({', '.join('?' * len(columns))})")
    insert_change = ("INSERT INTO outbox (seq, change_id, kind, certificate_key, revision, "
                     "payload, created_at, visible_at, state, attempts) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?)")
    stamp = _sql(ISSUED_AT)
    with sqlite3.connect(mem_file) as db:
        for start in range(0, count, CHUNK):
            certs = certificate_rows(start, min(CHUNK, count - start))
            db.executemany(insert_cert, ([_sql(c[name]) for name in FACE_FIELDS]
                                         + [c["id"], stamp, stamp] for c in certs))
            db.executemany(insert_change, map(outbox_row, certs))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def start_portal(target: str, max_body: int, env: dict) -> tuple[subprocess.Popen, str]:
    """Start one portal in its own process as `make run` serves it; return it and its URL."""
    return serve(target, max_body, env, "/api/v1/changes/lease")


def replicate(databases: dict[str, str], clock: WorldClock) -> tuple[float, int, float, dict]:
    """Replicate everything over HTTP; return seconds, licences applied, the portals' peak MB
    and the CPU seconds each of the three processes spent."""
    env = {**os.environ, "SYNC_SECRET": SECRET, "CERTSIM_WORLD": str(clock.store.path),
           "MEM_DATABASE_URL": databases["mem"], "MEM_SIM_ENABLED": "0",
           "NATIONAL_DATABASE_URL": databases["national"], "NATIONAL_SIM_ENABLED": "0"}
    portals = [start_portal(target, max_body, env) for target, max_body in
               (("mem_portal:create_app", MEM_MAX_BODY),
                ("national_portal:create_app", NATIONAL_MAX_BODY))]
    try:
        urls = {"mem": portals[0][1], "national": portals[1][1]}
        config = SyncConfig(mem_url=urls["mem"], national_url=urls["national"], secret=SECRET,
                            holder="bench")
        transport = HttpTransport(urls, SECRET, timeout=config.timeout)
        before = {"mem": cpu_seconds(portals[0][0].pid),
                  "national": cpu_seconds(portals[1][0].pid), "replicator": own_cpu_seconds()}
        started = time.perf_counter()
        applied = sum(report.results.get("applied", 0)
                      for report in _checked(run_due(Replicator(transport, config), clock)))
        elapsed = time.perf_counter() - started
        cpu = {"mem": cpu_seconds(portals[0][0].pid) - before["mem"],
               "national": cpu_seconds(portals[1][0].pid) - before["national"],
               "replicator": own_cpu_seconds() - before["replicator"]}
        transport.close()
        return elapsed, applied, max(peak_rss_of(process.pid) for process, _ in portals), cpu
    finally:
        for process, _ in portals:
            process.terminate()
            process.wait(timeout=30)


def own_cpu_seconds() -> float:
    """User + system CPU time of this process (the replicator's) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_note(cpu: dict, count: int) -> str:
    """CPU per licence of each process, in µs: where an end-to-end run spends its time."""
    return "CPU per licence: " + ", ".join(f"{name} {seconds * 1e6 / count:.0f} µs"
                                           for name, seconds in cpu.items())


def _checked(reports: list) -> list:
    """Refuse a run that reported an error: the measure would not be of replication."""
    for report in reports:
        if report.error:
            raise RuntimeError(f"replication failed: {report.error}")
    return reports


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


def run(sizes=(100_000, 1_000_000)) -> list[dict]:
    """Measure replication of each size against the raw copy (and on PostgreSQL); return rows."""
    rows = []
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="certsim-bench-") as tmp:
            rows += measure(Path(tmp), count)
    with tempfile.TemporaryDirectory(prefix="certsim-bench-") as tmp:
        rows.append(measure_postgres(Path(tmp), min(POSTGRES_SIZE, max(sizes))))
    return rows


def measure(tmp: Path, count: int) -> list[dict]:
    """Load `count` licences, copy them raw, replicate them over HTTP; return two rows.

    The raw copy reads the source first, as the portals find it: loaded, its log emptied.
    """
    loader = multiprocessing.get_context("fork").Process(
        target=load_source, args=(tmp / "mem.db", count))
    loader.start(), loader.join()
    if loader.exitcode:
        raise RuntimeError(f"loading the source rows failed (exit {loader.exitcode})")
    raw = raw_copy(tmp / "mem.db", tmp / "raw.db")
    national = make_engine(f"sqlite:///{tmp / 'national.db'}")
    create_schema(national, NATIONAL_TABLES)
    national.dispose()
    elapsed, portal_peak, cpu = _replicated(tmp, count, {"mem": f"sqlite:///{tmp / 'mem.db'}",
                                                    "national": f"sqlite:///{tmp / 'national.db'}"})
    replicator_peak = peak_rss_mb()
    rate, raw_rate = count / elapsed, count / raw
    return [
        {"name": f"replication end to end, {count:,} licences (signed HTTP, replicator "
                 "defaults, each portal its own process)",
         "value": rate, "unit": "licences/s",
         "baseline": f"raw single-transaction sqlite3 copy of the same rows: {raw_rate:,.0f} "
                     "licences/s",
         "baseline_value": raw_rate, "ratio": rate / raw_rate,
         "goal": f">= {GOAL_RATIO:.2f} of the raw copy (aim {AIM_RATIO:.2f})" + (
             f"; 1,000,000 in <= {GOAL_SECONDS} s" if count == 1_000_000 else "")
             + f" (took {elapsed:.1f} s; {cpu_note(cpu, count)})",
         "met": rate / raw_rate >= GOAL_RATIO and (
             count != 1_000_000 or elapsed <= GOAL_SECONDS)},
        {"name": f"replication peak memory, {count:,} licences (largest portal process; "
                 "replicator process)",
         "value": portal_peak, "unit": "MB",
         "baseline": f"replicator: {replicator_peak:,.0f} MB",
         "baseline_value": replicator_peak, "ratio": None,
         "goal": f"<= {MEMORY_GOAL_MB} MB per process",
         "met": max(portal_peak, replicator_peak) <= MEMORY_GOAL_MB},
    ]


def _replicated(tmp: Path, count: int, databases: dict[str, str]) -> tuple[float, float, dict]:
    """Replicate the loaded rows at the moment they are due; return seconds, peak MB and CPU."""
    clock = WorldClock(FileStore(tmp / "world.json"))
    clock.set(REPLICATED_AT), clock.freeze(), clock.set(REPLICATED_AT)
    elapsed, applied, portal_peak, cpu = replicate(databases, clock)
    if applied != count:
        raise RuntimeError(f"{applied} of {count} licences replicated")
    return elapsed, portal_peak, cpu


def postgres_urls() -> dict[str, str] | None:
    """One fresh schema per portal on the PostgreSQL server named, or None when none answers."""
    if not POSTGRES_URL:
        return None
    try:
        _postgres_admin(*(statement for name in ("mem", "national") for statement in (
            f'DROP SCHEMA IF EXISTS "certsim_bench_{name}" CASCADE',
            f'CREATE SCHEMA "certsim_bench_{name}"')))
    except Exception:  # noqa: BLE001  (no server: the row says so)
        return None
    sep = "&" if "?" in POSTGRES_URL else "?"
    return {name: f"{POSTGRES_URL}{sep}options=-csearch_path%3Dcertsim_bench_{name}"
            for name in ("mem", "national")}


def _postgres_admin(*statements: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


def load_source_postgres(url: str, count: int) -> None:
    """Create the ministry schema on PostgreSQL and COPY the certificates and changes in."""
    engine = make_engine(url)
    create_schema(engine, MEM_TABLES)
    columns = (*FACE_FIELDS, "id", "created_at", "updated_at")
    with engine.raw_connection() as connection:
        cursor = connection.cursor()
        for start in range(0, count, CHUNK):
            certs = certificate_rows(start, min(CHUNK, count - start))
            with cursor.copy(f"COPY certificates ({', '.join(columns)}) FROM STDIN") as copy:
                for cert in certs:
                    copy.write_row([cert[name] for name in FACE_FIELDS]
                                   + [cert["id"], ISSUED_AT, ISSUED_AT])
            with cursor.copy("COPY outbox (seq, change_id, kind, certificate_key, revision, "
                             "payload, created_at, visible_at, state, attempts) "
                             "FROM STDIN") as copy:
                for cert in certs:
                    row = list(outbox_row(cert))
                    row[6], row[7] = ISSUED_AT, VISIBLE_AT
                    copy.write_row(row)
        connection.commit()
        cursor.execute("SELECT setval(pg_get_serial_sequence('outbox', 'seq'), %s)", (count,))
        cursor.execute("SELECT setval(pg_get_serial_sequence('certificates', 'id'), %s)",
                       (count,))
        cursor.execute("ANALYZE")
        connection.commit()
    engine.dispose()


def raw_copy_postgres(urls: dict[str, str]) -> float:
    """COPY the payloads out of the ministry's outbox and into a plain national-shaped table,
    in one transaction; return the seconds it took."""
    source, sink = make_engine(urls["mem"]), make_engine(urls["national"])
    started = time.perf_counter()
    with source.raw_connection() as reading, sink.raw_connection() as writing:
        out, into = reading.cursor(), writing.cursor()
        into.execute("CREATE TABLE raw_licences (id BIGSERIAL PRIMARY KEY, certificate_key "
                     "TEXT UNIQUE, revision INTEGER, payload TEXT)")
        with out.copy("COPY (SELECT certificate_key, revision, payload FROM outbox ORDER BY seq) "
                      "TO STDOUT") as copied, into.copy(
                "COPY raw_licences (certificate_key, revision, payload) FROM STDIN") as pasted:
            for block in copied:
                pasted.write(block)
        writing.commit()
    elapsed = time.perf_counter() - started
    source.dispose(), sink.dispose()
    return elapsed


def measure_postgres(tmp: Path, count: int) -> dict:
    """The end-to-end row on PostgreSQL, against a raw COPY on the same server."""
    name = (f"replication end to end on PostgreSQL, {count:,} licences (signed HTTP, replicator "
            "defaults, both portals on the local server)")
    urls = postgres_urls()
    if urls is None:
        return {"name": name, "value": 0.0, "unit": "licences/s",
                "baseline": "no PostgreSQL server answered (CERTSIM_BENCH_POSTGRES_URL)",
                "ratio": None, "goal": None, "met": None}
    try:
        load_source_postgres(urls["mem"], count)
        create_schema(make_engine(urls["national"]), NATIONAL_TABLES)
        elapsed, _, cpu = _replicated(tmp, count, urls)
        raw = raw_copy_postgres(urls)
    finally:
        _postgres_admin(*(f'DROP SCHEMA IF EXISTS "certsim_bench_{name}" CASCADE'
                          for name in ("mem", "national")))
    rate, raw_rate = count / elapsed, count / raw
    return {"name": name, "value": rate, "unit": "licences/s",
            "baseline": f"raw COPY of the same rows, one transaction: {raw_rate:,.0f} licences/s",
            "baseline_value": raw_rate, "ratio": rate / raw_rate,
            "goal": f"reported beside SQLite (took {elapsed:.1f} s; {cpu_note(cpu, count)})",
            "met": None}


if __name__ == "__main__":
    for row in run((int(sys.argv[1]),) if len(sys.argv) > 1 else (100_000, 1_000_000)):
        print(row)
