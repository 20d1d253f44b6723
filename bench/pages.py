"""The national portal's 我的证照 page on a big database: latency in-process, throughput served.

One SQLite database with 100 000 accounts and 1 000 000 replicated licences (8–12 per holder,
all bound; one holder in ten also has a closed binding episode) is written in bulk with
sqlite3 (the schema itself comes from the models), then used by both measurements:

- latency: GET /space/licences for logged-in holders picked at random, through the Flask test
  client; baseline: a hello-world route registered on the same app, same client;
- throughput: the same app served by waitress in a child process (so the client's GIL is not
  the server's), loaded by a bounded pool of requests.Session clients; baseline: the
  hello-world route on the same server.

`python -m bench --only pages` runs it; `python -m bench.pages serve DB` is the child server.
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import event

import national_portal
import national_portal.models  # noqa: F401  (registers the portal's own tables)
from bench.pages_data import HOLDING_TIME, sql_time, write_holders
from national_portal.models import TABLES as NATIONAL_TABLES
from shared.clock import SimulatedClock
from shared.db import create_schema, make_engine

ACCOUNTS = 100_000
SAMPLE = 5_000            # logged-in holders the requests pick from
LATENCY_REQUESTS, WARMUP = 3_000, 200
LOAD_REQUESTS, CLIENTS, SERVER_THREADS = 2_000, 8, 8
SECRET_KEY = "bench-pages-secret"
NOW = HOLDING_TIME
PAGE, HELLO = "/space/licences", "/_bench/hello"
COOKIE = "national_session"  # the portal's SESSION_COOKIE_NAME
P99_GOAL_MS, THROUGHPUT_GOAL = 20.0, 0.5


def log(message: str) -> None:
    print(f"bench.pages: {message}", file=sys.stderr, flush=True)


def make_app(db: Path):
    """The national portal on the bench database with a hello-world route.

    The clock runs (from NOW), so every page view slides its login and writes, as in life.
    """
    app = national_portal.create_app({"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": SECRET_KEY,
                                      "SIM_ENABLED": False},
                                     clock=SimulatedClock(NOW, frozen=False))
    app.add_url_rule(HELLO, "bench_hello", lambda: "Hello, World!")
    return app


def build_database(db: Path) -> None:
    """Create the national schema from the models, then write the holders in bulk."""
    engine = make_engine(f"sqlite:///{db}")
    create_schema(engine, NATIONAL_TABLES)
    engine.dispose()
    started = time.perf_counter()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        licences = write_holders(conn, ACCOUNTS, log)
        conn.execute("ANALYZE")
    log(f"database: {ACCOUNTS:,} accounts, {licences:,} licences in "
        f"{time.perf_counter() - started:.0f} s ({db.stat().st_size / 2**20:,.0f} MB)")


def log_in_sample(db: Path, app) -> list[tuple[str, int]]:
    """Open a page login for SAMPLE random holders; return (session cookie, licences) pairs."""
    rng = random.Random(8)
    serializer = app.session_interface.get_signing_serializer(app)
    seen = sql_time(NOW)
    chosen = rng.sample(range(1, ACCOUNTS + 1), SAMPLE)
    rows = [(f"{rng.getrandbits(128):032x}", account) for account in chosen]
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO login_sessions (marker, account_id, channel, started_at, "
                         "last_seen_at) VALUES (?, ?, 'web', ?, ?)",
                         [(marker, account, seen, seen) for marker, account in rows])
        held = dict(conn.execute("SELECT account_id, count(*) FROM licence_bindings "
                                 "WHERE unbound_at IS NULL GROUP BY account_id"))
    return [(serializer.dumps({"login": marker}), held[account]) for marker, account in rows]


def percentile(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(p / 100 * (len(sorted_ms) - 1)))]


def time_requests(client, path: str, cookies: list[tuple[str, int]], count: int) -> list[float]:
    """GET `path` `count` times as random holders; return sorted latencies in ms."""
    rng, timings = random.Random(27), []
    for _ in range(count):
        cookie, held = rng.choice(cookies)
        if path == PAGE:  # hello-world is asked anonymously: no login work at all
            client.set_cookie(COOKIE, cookie)
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, (path, response.status_code)
        assert path != PAGE or body.count("<tr data-key=") == held, "wrong 我的证照 rows"
    return sorted(timings)


def measure_latency(app, cookies) -> tuple[list[float], list[float]]:
    """Return sorted page and hello-world latencies (ms) through the test client."""
    client = app.test_client()
    time_requests(client, PAGE, cookies, WARMUP)
    page = time_requests(client, PAGE, cookies, LATENCY_REQUESTS)
    hello = time_requests(app.test_client(), HELLO, cookies, LATENCY_REQUESTS)  # no cookie
    log(f"latency: page p50 {percentile(page, 50):.2f} ms, p99 {percentile(page, 99):.2f} ms; "
        f"hello p99 {percentile(hello, 99):.2f} ms")
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
        client.set_cookie(COOKIE, cookie)
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


def serve_child(db: Path) -> tuple[subprocess.Popen, str]:
    """Start `python -m bench.pages serve DB` and return it with its base URL."""
    child = subprocess.Popen([sys.executable, "-m", "bench.pages", "serve", str(db)],
                             stdout=subprocess.PIPE, text=True)
    port = child.stdout.readline().strip()
    if not port.isdigit():
        child.kill()
        raise RuntimeError(f"the bench server did not start (said {port!r})")
    return child, f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class Load:
    """One load run: requests per second, and CPU per request on each side."""

    rate: float
    client_ms: float
    server_ms: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(server: subprocess.Popen, base: str, path: str, cookies: list[tuple[str, int]],
         count: int) -> Load:
    """Send `count` GETs from CLIENTS threads (one keep-alive session each)."""
    local = threading.local()
    rng = random.Random(64)
    picks = [rng.choice(cookies)[0] for _ in range(count)]

    def one(cookie: str) -> int:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        jar = {COOKIE: cookie} if path == PAGE else None  # hello-world is asked anonymously
        return local.http.get(base + path, cookies=jar, timeout=30).status_code

    started, client, served = time.perf_counter(), time.process_time(), cpu_seconds(server.pid)
    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(one, picks))
    elapsed = time.perf_counter() - started
    if statuses.count(200) != count:
        raise RuntimeError(f"{path}: {count - statuses.count(200)} of {count} requests failed")
    return Load(count / elapsed, (time.process_time() - client) * 1000 / count,
                (cpu_seconds(server.pid) - served) * 1000 / count)


def measure_throughput(db: Path, cookies) -> tuple[Load, Load]:
    """Load the page, then hello-world, on one waitress server in a child process."""
    child, base = serve_child(db)
    try:
        load(child, base, PAGE, cookies, WARMUP)
        page = load(child, base, PAGE, cookies, LOAD_REQUESTS)
        hello = load(child, base, HELLO, cookies, LOAD_REQUESTS)
    finally:
        child.terminate()
        child.wait(timeout=10)
    for name, run in (("page", page), ("hello", hello)):
        log(f"throughput: {name} {run.rate:,.0f} req/s; CPU per request: server "
            f"{run.server_ms:.2f} ms, client {run.client_ms:.2f} ms")
    return page, hello


def latency_rows(page: list[float], hello: list[float], statements: int) -> list[dict]:
    rows = []
    for p in (50, 95, 99):
        value, base = percentile(page, p), percentile(hello, p)
        rows.append({
            "name": f"national 我的证照 page latency p{p}, in-process ({ACCOUNTS:,} accounts, "
                    f"1,000,000 licences, {statements} SQL statements per page)",
            "value": value, "unit": "ms", "baseline": f"hello-world route, same app: "
            f"{base:.2f} ms", "baseline_value": base, "ratio": value / base,
            "goal": f"p99 ≤ {P99_GOAL_MS:g} ms" if p == 99 else None,
            "met": value <= P99_GOAL_MS if p == 99 else None})
    return rows


def run() -> list[dict]:
    """Build the database once, measure latency and throughput, return the table rows."""
    with tempfile.TemporaryDirectory(prefix="certsim-bench-pages-") as tmp:
        db = Path(tmp) / "national.db"
        build_database(db)
        app = make_app(db)
        cookies = log_in_sample(db, app)
        statements = statements_per_page(app, cookies[0][0])
        log(f"one page runs {len(statements)} statements:\n  {explain(db, statements)}")
        page, hello = measure_latency(app, cookies)
        app.extensions["certsim"].engine.dispose()
        page_load, hello_load = measure_throughput(db, cookies)
    return latency_rows(page, hello, len(statements)) + [throughput_row(page_load, hello_load)]


def throughput_row(page: Load, hello: Load) -> dict:
    ratio = page.rate / hello.rate
    return {
        "name": f"national 我的证照 page throughput under waitress ({SERVER_THREADS} threads, "
                f"{CLIENTS} keep-alive requests.Session clients, {LOAD_REQUESTS:,} requests; server CPU "
                f"{page.server_ms:.1f} ms/request)",
        "value": page.rate, "unit": "req/s",
        "baseline": f"hello-world route, same server: {hello.rate:,.0f} req/s (server CPU "
                    f"{hello.server_ms:.2f} ms/request, client CPU {hello.client_ms:.2f} "
                    "ms/request)",
        "baseline_value": hello.rate, "ratio": ratio,
        "goal": f"≥ {THROUGHPUT_GOAL:.0%} of hello-world", "met": ratio >= THROUGHPUT_GOAL}


def serve(db: Path) -> None:
    """Serve the bench app with waitress on a free loopback port; print the port first."""
    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" chatter
    server = create_server(make_app(db), host="127.0.0.1", port=0, threads=SERVER_THREADS,
                           connection_limit=200)
    print(server.effective_port, flush=True)
    server.run()


if __name__ == "__main__":
    if sys.argv[1:2] != ["serve"] or len(sys.argv) != 3:
        raise SystemExit("usage: python -m bench.pages serve DATABASE")
    serve(Path(sys.argv[2]))
