"""Request bodies are bounded: by waitress as `certsim run` starts it, and by each route.

Replays of issue 12, item 4: a chunked body whose size line never ends cost waitress CPU
quadratic in its size (16 MB: 13.9 s); a 200 MB unsigned POST was read in full before the
missing signature was noticed.
"""

from __future__ import annotations

import io
import os
import select
import socket
import subprocess
import time

import pytest

import national_portal
from certsim.run import children
from shared.keys import development_value
from shared.wire import NONCE, SIGNATURE, TIMESTAMP


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def national_server(tmp_path_factory):
    """The national portal exactly as `certsim run` serves it (waitress and its flags)."""
    if not os.path.exists("/proc/self/stat"):
        pytest.skip("needs /proc to read the server's CPU time")
    port = free_port()
    argv = next(c.argv for c in children("127.0.0.1", port - 2) if c.name == "national")
    folder = tmp_path_factory.mktemp("national")
    env = {**os.environ, "NATIONAL_DATABASE_URL": f"sqlite:///{folder / 'n.sqlite3'}"}
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield server, port
    server.terminate()
    server.wait(timeout=10)


def send_raw(port: int, head: bytes, body_pieces) -> bytes:
    """Send a request piece by piece until the server answers, stops reading or closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head)
        for piece in body_pieces:
            if select.select([conn], [], [], 0)[0]:
                break                       # the server has answered (or closed)
            if not select.select([], [conn], [], 5)[1]:
                break                       # the server stopped reading
            try:
                conn.send(piece)
            except OSError:
                break
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except OSError:
            pass
        return answer


def test_a_chunk_size_line_that_never_ends_costs_the_server_bounded_time(national_server):
    server, port = national_server
    head = (b"POST /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n")
    piece = b"f" * (64 * 1024)
    before, started = cpu_seconds(server.pid), time.monotonic()
    answer = send_raw(port, head, (piece for _ in range(32 * 16)))   # up to 32 MB of size line
    spent, took = cpu_seconds(server.pid) - before, time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert spent < 3.0 and took < 15.0, (spent, took)   # unbounded: 16 MB alone cost 13.9 s


def test_a_huge_unsigned_post_is_refused_without_reading_it(national_server):
    server, port = national_server
    head = (b"POST /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
            b"\r\nContent-Length: 209715200\r\n\r\n")
    rss, started = resident_mb(server.pid), time.monotonic()
    answer = send_raw(port, head, (b"x" * 65536 for _ in range(3200)))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 10 and resident_mb(server.pid) - rss < 50


class CountingInput(io.BytesIO):
    """A request body that counts how much of it the app read."""

    taken = 0

    def read(self, size=-1):
        data = super().read(size)
        self.taken += len(data)
        return data

    readline = read


@pytest.fixture
def national_app(tmp_path, clock):
    return national_portal.create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'n.sqlite3'}", "SIM_ENABLED": True}, clock=clock)


def post_counted(app, path: str, body: bytes, headers: dict) -> tuple[int, int]:
    stream = CountingInput(body)
    response = app.test_client().post(path, input_stream=stream, headers={
        "Content-Type": "application/json", "Content-Length": str(len(body)), **headers})
    return response.status_code, stream.taken


@pytest.mark.parametrize("headers", [
    {},
    {TIMESTAMP: "1700000000", NONCE: "0123456789abcdef", SIGNATURE: "0" * 64},   # stale
])
def test_an_unsigned_or_stale_ingest_call_is_refused_before_its_body_is_read(national_app,
                                                                             headers):
    status, taken = post_counted(national_app, "/api/v1/ingest", b"{" + b" " * 2_000_000 + b"}",
                                 headers)
    assert (status, taken) == (401, 0)


def test_a_body_over_the_route_limit_is_answered_413_in_the_portal_s_words(national_app):
    response = national_app.test_client().post(
        "/api/v1/register", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"


def test_the_development_sync_secret_is_what_unset_means(national_app):
    assert national_app.config["SYNC_SECRET"] == development_value("SYNC_SECRET")
