"""Both portals' 我的证照 pages on a big database: latency in-process, throughput served.

For each portal one SQLite database with 100 000 accounts and about 1 000 000 licences (8–12
per holder) is written in bulk with sqlite3 (the schema itself comes from the models): on the
national portal replicated licences, all bound (one holder in ten also has a closed binding
episode); on the ministry's the certificates themselves, each logged-in holder having passed
this login's 我的证照 face check. Then, per portal:

- latency: GET /space/licences for logged-in holders picked at random, through the Flask test
  client; baseline: a hello-world route registered on the same app, same client;
- throughput: the same app served in a child process (so the client's GIL is not the
  server's) by the command `make run` serves the portal with (`certsim.run.waitress_command`:
  waitress through `certsim.serve`, its processes, threads and flags), loaded by a bounded
  pool of requests.Session clients; baseline: the hello-world route on the same server.

`python -m bench --only pages` runs it; the child serves `bench.pages:served_app`, which reads
the portal and database from BENCH_PAGES_SERVE. While developing, BENCH_PAGES_ACCOUNTS=5000
(smaller databases) and BENCH_PAGES_PORTALS=ministry (one portal) shorten a run; the table's
rows are full size.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import event

import mem_portal
import national_portal
from bench.pages_data import HOLDING_TIME, sql_time, write_holders
from bench.pages_mem import pass_face_checks, write_certificates
from bench.processes import cpu_seconds, serve
from certsim.run import PORTAL_PROCESSES, PORTAL_THREADS
from mem_portal.models import TABLES as MEM_TABLES
from mem_portal.views.verify import MAX_BODY as MEM_MAX_BODY
from national_portal.models import TABLES as NATIONAL_TABLES
from national_portal.replication import MAX_BODY as NATIONAL_MAX_BODY
from shared.clock import SimulatedClock
from shared.db import create_schema, make_engine

ACCOUNTS = int(os.environ.get("BENCH_PAGES_ACCOUNTS") or 100_000)  # smaller: development only
SAMPLE = min(5_000, ACCOUNTS // 2)  # logged-in holders the requests pick from
LATENCY_REQUESTS, WARMUP = 3_000, 200
LOAD_REQUESTS, CLIENTS = 2_000, 8
SECRET_KEY = "bench-pages-secret"
NOW = HOLDING_TIME
PAGE, HELLO = "/space/licences", "/_bench/hello"
SERVE_VARIABLE = "BENCH_PAGES_SERVE"
P99_GOAL_MS, THROUGHPUT_GOAL = 20.0, 0.5
TODAY = NOW.date().isoformat()


@dataclass(frozen=True)
class Portal:
    """How the bench builds, logs into and checks one portal's 我的证照."""

    name: str            # the rows' first word, and the child server's argument
    create_app: Callable
    tables: tuple
    write: Callable      # (sqlite3 connection, accounts, log) -> licences written
    row_mark: str        # occurs once in each licence row of the page
    shown: str           # SQL: (account id, licences its page lists) for the holders listed
    max_body: int        # the request body cap `make run` serves it with
    after_login: Callable = lambda conn, logins: None  # what the page needs besides a login


PORTALS = {
    "national": Portal(
        "national", national_portal.create_app, NATIONAL_TABLES, write_holders, "<tr data-key=",
        "SELECT account_id, count(*) FROM licence_bindings WHERE unbound_at IS NULL "
        "AND account_id IN ({}) GROUP BY account_id", NATIONAL_MAX_BODY),
    "ministry": Portal(
        "ministry", mem_portal.create_app, MEM_TABLES, write_certificates, ">预览</a>",
        # the e-licences of shared.rules.e_licence_eligibility, restated for these rows
        "SELECT a.id, count(*) FROM accounts a JOIN certificates c ON c.holder_id_number = "
        "a.id_number WHERE a.id IN ({}) AND c.card_version = 'new' AND c.status = 'valid' "
        f"AND c.valid_from <= '{TODAY}' AND c.valid_to >= '{TODAY}' AND (c.review_due_on "
        f">= '{TODAY}' OR c.review_passed_on IS NOT NULL) GROUP BY a.id", MEM_MAX_BODY,
        pass_face_checks),
}


def log(message: str) -> None:
    print(f"bench.pages: {message}", file=sys.stderr, flush=True)


def make_app(portal: Portal, db: Path):
    """The portal on the bench database with a hello-world route.

    The clock runs (from NOW), so every page view slides its login and writes, as in life.
    """
    app = portal.create_app({"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": SECRET_KEY,
                             "SIM_ENABLED": False}, clock=SimulatedClock(NOW, frozen=False))
    app.add_url_rule(HELLO, "bench_hello", lambda: "Hello, World!")
    return app


def build_database(portal: Portal, db: Path) -> int:
    """Create the portal's schema from the models, then write the holders in bulk."""
    engine = make_engine(f"sqlite:///{db}")
    create_schema(engine, portal.tables)
    engine.dispose()
    started = time.perf_counter()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        licences = portal.write(conn, ACCOUNTS, log)
        conn.execute("ANALYZE")
    log(f"{portal.name} database: {ACCOUNTS:,} accounts, {licences:,} licences in "
        f"{time.perf_counter() - started:.0f} s ({db.stat().st_size / 2**20:,.0f} MB)")
    return licences


def log_in_sample(portal: Portal, db: Path, app) -> list[tuple[str, int]]:
    """Open a page login for SAMPLE random holders; return (session cookie, rows) pairs.

    Each cookie also holds the CSRF secret a browser's has from its first page after login on.
    """
    rng = random.Random(8)
    serializer = app.session_interface.get_signing_serializer(app)
    started, seen = sql_time(NOW - timedelta(minutes=5)), sql_time(NOW)
    chosen = rng.sample(range(1, ACCOUNTS + 1), SAMPLE)
    rows = [(f"{rng.getrandbits(128):032x}", account) for account in chosen]
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO login_sessions (marker, account_id, channel, started_at, "
                         "last_seen_at) VALUES (?, ?, 'web', ?, ?)",
                         [(marker, account, started, seen) for marker, account in rows])
        portal.after_login(conn, rows)
        shown = dict(conn.execute(portal.shown.format(",".join(str(a) for a in chosen))))
    return [(serializer.dumps({"login": marker, "csrf_token": f"{rng.getrandbits(160):040x}"}),
             shown.get(account, 0)) for marker, account in rows]


def percentile(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(p / 100 * (len(sorted_ms) - 1)))]


def time_requests(portal: Portal, client, path: str, cookies: list[tuple[str, int]],
                  count: int) -> list[float]:
    """GET `path` `count` times as random holders; return sorted latencies in ms."""
    rng, timings = random.Random(27), []
    cookie_name = client.application.config["SESSION_COOKIE_NAME"]
    for _ in range(count):
        cookie, shown = rng.choice(cookies)
        if path == PAGE:  # hello-world is asked anonymously: no login work at all
            client.set_cookie(cookie_name, cookie)
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, (path, response.status_code)
        assert path != PAGE or body.count(portal.row_mark) == shown, "wrong 我的证照 rows"
    return sorted(timings)


def measure_latency(portal: Portal, app, cookies) -> tuple[list[float], list[float]]:
    """Return sorted page and hello-world latencies (ms) through the test client."""
    client = app.test_client()
    time_requests(portal, client, PAGE, cookies, WARMUP)
    page = time_requests(portal, client, PAGE, cookies, LATENCY_REQUESTS)
    hello = time_requests(portal, app.test_client(), HELLO, cookies, LATENCY_REQUESTS)
    log(f"{portal.name} latency: page p50 {percentile(page, 50):.2f} ms, p99 "
        f"{percentile(page, 99):.2f} ms; hello p99 {percentile(hello, 99):.2f} ms")
    return page, hello


def statements_per_page(app, cookie: str) -> list[tuple[str, tuple]]:
    """Return the SQL statements (with parameters) one 我的证照 request runs."""
    seen: list[tuple[str, tuple]] = []
    engine = app.extensions["certsim"].engine

    def note(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        client = app.test_client()
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        assert client.get(PAGE).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def explain(db: Path, statements: list[tuple[str, tuple]]) -> str:
    """Describe each statement with SQLite's query plan (which index each one uses)."""
    lines = []
    with sqlite3.connect(db) as conn:
        for statement, parameters in statements:
            plan = conn.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            lines.append(" ".join(statement.split())[:90] + " …")
            lines += [f"    plan: {row[-1]}" for row in plan]
    return "\n  ".join(lines)


def serve_child(portal: Portal, db: Path) -> tuple[subprocess.Popen, str]:
    """Serve the bench app with the portal's `make run` command; return the child and its URL."""
    return serve("bench.pages:served_app", portal.max_body,
                 {**os.environ, SERVE_VARIABLE: f"{portal.name}:{db}"}, HELLO)


@dataclass(frozen=True)
class Load:
    """One load run: requests per second, and CPU per request on each side."""

    rate: float
    client_ms: float
    server_ms: float


def load(server: subprocess.Popen, base: str, path: str, cookies: list[tuple[str, int]],
         cookie_name: str, count: int) -> Load:
    """Send `count` GETs from CLIENTS threads (one keep-alive session each)."""
    local = threading.local()
    rng = random.Random(64)
    picks = [rng.choice(cookies)[0] for _ in range(count)]

    def one(cookie: str) -> int:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        jar = {cookie_name: cookie} if path == PAGE else None  # hello-world: anonymously
        return local.http.get(base + path, cookies=jar, timeout=30,
                              allow_redirects=False).status_code  # a lost login: 302

    started, client, served = time.perf_counter(), time.process_time(), cpu_seconds(server.pid)
    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(one, picks))
    elapsed = time.perf_counter() - started
    if statuses.count(200) != count:
        raise RuntimeError(f"{path}: {count - statuses.count(200)} of {count} requests failed")
    return Load(count / elapsed, (time.process_time() - client) * 1000 / count,
                (cpu_seconds(server.pid) - served) * 1000 / count)


def measure_throughput(portal: Portal, db: Path, cookies, cookie_name: str) -> tuple[Load, Load]:
    """Load the page, then hello-world, on one waitress server in a child process."""
    child, base = serve_child(portal, db)
    try:
        load(child, base, PAGE, cookies, cookie_name, WARMUP)
        page = load(child, base, PAGE, cookies, cookie_name, LOAD_REQUESTS)
        hello = load(child, base, HELLO, cookies, cookie_name, LOAD_REQUESTS)
    finally:
        child.terminate()
        child.wait(timeout=10)
    for name, run in (("page", page), ("hello", hello)):
        log(f"{portal.name} throughput: {name} {run.rate:,.0f} req/s; CPU per request: server "
            f"{run.server_ms:.2f} ms, client {run.client_ms:.2f} ms")
    return page, hello


def latency_rows(portal: Portal, page: list[float], hello: list[float], licences: int,
                 statements: int) -> list[dict]:
    rows = []
    for p in (50, 95, 99):
        value, base = percentile(page, p), percentile(hello, p)
        rows.append({
            "name": f"{portal.name} 我的证照 page latency p{p}, in-process ({ACCOUNTS:,} accounts, "
                    f"{licences:,} licences, {statements} SQL statements per page)",
            "value": value, "unit": "ms", "baseline": f"hello-world route, same app: "
            f"{base:.2f} ms", "baseline_value": base, "ratio": value / base,
            "goal": f"p99 ≤ {P99_GOAL_MS:g} ms" if p == 99 else None,
            "met": value <= P99_GOAL_MS if p == 99 else None})
    return rows


def throughput_row(portal: Portal, page: Load, hello: Load) -> dict:
    ratio = page.rate / hello.rate
    return {
        "name": f"{portal.name} 我的证照 page throughput under waitress ({PORTAL_PROCESSES} "
                f"processes of {PORTAL_THREADS} threads, "
                f"{CLIENTS} keep-alive requests.Session clients, {LOAD_REQUESTS:,} requests; server CPU "
                f"{page.server_ms:.1f} ms/request)",
        "value": page.rate, "unit": "req/s",
        "baseline": f"hello-world route, same server: {hello.rate:,.0f} req/s (server CPU "
                    f"{hello.server_ms:.2f} ms/request, client CPU {hello.client_ms:.2f} "
                    "ms/request)",
        "baseline_value": hello.rate, "ratio": ratio,
        "goal": f"≥ {THROUGHPUT_GOAL:.0%} of hello-world", "met": ratio >= THROUGHPUT_GOAL}


def measure(portal: Portal, db: Path) -> list[dict]:
    """Build the portal's database, measure latency and throughput, return its rows."""
    licences = build_database(portal, db)
    app = make_app(portal, db)
    cookies = log_in_sample(portal, db, app)
    statements = statements_per_page(app, cookies[0][0])
    log(f"one {portal.name} page runs {len(statements)} statements:\n  {explain(db, statements)}")
    page, hello = measure_latency(portal, app, cookies)
    app.extensions["certsim"].engine.dispose()
    page_load, hello_load = measure_throughput(portal, db, cookies,
                                               app.config["SESSION_COOKIE_NAME"])
    return ([*latency_rows(portal, page, hello, licences, len(statements)),
             throughput_row(portal, page_load, hello_load)])


def run() -> list[dict]:
    """Measure each portal's 我的证照 on its own database; return the table rows."""
    rows = []
    for name in (os.environ.get("BENCH_PAGES_PORTALS") or "national,ministry").split(","):
        with tempfile.TemporaryDirectory(prefix="certsim-bench-pages-") as tmp:
            rows += measure(PORTALS[name], Path(tmp) / f"{name}.db")
    return rows


def served_app():
    """The app the child server serves: BENCH_PAGES_SERVE names the portal and its database."""
    name, _, db = os.environ[SERVE_VARIABLE].partition(":")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" chatter
    return make_app(PORTALS[name], Path(db))
