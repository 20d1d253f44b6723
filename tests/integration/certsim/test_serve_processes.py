"""`certsim.serve --processes=N`: N processes answer on one port; stopping, a dead serving
process and a killed watcher each leave nothing serving behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bench.processes import family, free_port
from certsim.serve import main

REPO = Path(__file__).resolve().parents[3]
DEADLINE = 30.0  # seconds a process gets to start or stop; polled, never slept through
PID_APP = '''
import os

def create_app():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(os.getpid()).encode()]
    return app
'''

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(),
                                reason="finds the serving processes in Linux /proc")


def until(condition, what: str):
    """Poll `condition` until it holds (returning its value) or DEADLINE passes."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.02)
    raise AssertionError(f"still not {what} after {DEADLINE:g} s")


def serving_processes(watcher: int) -> set[int]:
    return set(family(watcher)) - {watcher}


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has stopped; only its parent's wait is missing


@pytest.fixture
def served(tmp_path):
    """The watcher of two serving processes (one thread each) of a WSGI app answering its
    process id; yields (watcher, url, the serving process ids)."""
    (tmp_path / "pid_app.py").write_text(PID_APP)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(tmp_path)])}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "certsim.serve", "--processes=2", "--threads=1",
         "--host=127.0.0.1", f"--port={port}", "--call", "pid_app:create_app"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url, serving = f"http://127.0.0.1:{port}/", set()

    def answering() -> bool:
        try:
            return requests.get(url, timeout=5).ok
        except requests.ConnectionError:
            return False

    try:
        until(answering, "answering")
        serving = until(lambda: len(found := serving_processes(watcher.pid)) == 2 and found,
                        "two serving processes")
        yield watcher, url, serving
    finally:
        watcher.kill()
        watcher.wait()
        for pid in children_left(serving):
            os.kill(pid, signal.SIGKILL)


def children_left(pids: set[int]) -> set[int]:
    return {pid for pid in pids if running(pid)}


def test_both_serving_processes_answer_on_the_one_port(served):
    watcher, url, serving = served
    seen = set()
    for _ in range(500):  # each request a new connection, which one of them accepts
        seen.add(int(requests.get(url, timeout=5).text))
        if seen == serving:
            break
    assert seen == serving and watcher.pid not in seen


def test_sigterm_stops_the_watcher_and_every_serving_process(served):
    watcher, _, serving = served
    watcher.send_signal(signal.SIGTERM)
    assert watcher.wait(timeout=DEADLINE) == 0
    until(lambda: not children_left(serving), "stopped")


def test_a_serving_process_that_dies_stops_the_other_and_the_watcher_fails(served):
    watcher, _, serving = served
    dead, other = sorted(serving)
    os.kill(dead, signal.SIGKILL)
    assert watcher.wait(timeout=DEADLINE) != 0  # so `certsim run` restarts the portal
    until(lambda: not running(other), "stopped")


def test_serving_processes_stop_when_their_watcher_is_killed_outright(served):
    watcher, url, serving = served
    watcher.kill()
    watcher.wait()
    until(lambda: not children_left(serving), "stopped")
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5)


@pytest.mark.parametrize("count", ["0", "two", "-1", ""])
def test_a_process_count_that_is_not_one_or_more_is_refused_before_anything_starts(count,
                                                                                   capsys):
    assert main(["certsim.serve", f"--processes={count}", "--call", "pid_app:create_app"]) == 2
    assert f"--processes=N needs a whole number N ≥ 1, not {count!r}" in capsys.readouterr().err


def test_several_processes_on_a_unix_socket_are_refused_before_anything_binds(tmp_path, capsys):
    path = tmp_path / "portal.sock"
    assert main(["certsim.serve", "--processes=2", f"--unix-socket={path}", "--call",
                 "pid_app:create_app"]) == 2
    assert "serves TCP ports only" in capsys.readouterr().err and not path.exists()


def test_help_with_several_processes_is_waitress_help_and_binds_nothing():
    done = subprocess.run([sys.executable, "-m", "certsim.serve", "--processes=2", "--help"],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0 and "--threads=INT" in done.stdout
