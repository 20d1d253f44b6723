"""One portal served by two worker processes (as the README suggests for scale) shares one
world: a lag policy or a clock set through one worker is what the other answers with next.

On SQLite the world is the file under var/; on PostgreSQL it is a row in the database, as it
would be for workers on several hosts.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from datetime import datetime

import pytest
import requests

from certsim import world
from shared.clock import SHANGHAI

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def workers(db_url_factory, backend, tmp_path, monkeypatch):
    """Two waitress processes serving the ministry portal on one database and one world."""
    database = db_url_factory("mem")
    where = database if backend == "postgres" else str(tmp_path / "world.json")
    monkeypatch.setenv("MEM_DATABASE_URL", database)
    world.migrate("mem")
    env = {**os.environ, "MEM_DATABASE_URL": database, "CERTSIM_WORLD": where,
           "CERTSIM_VAR_DIR": str(tmp_path), "MEM_SIM_ENABLED": "1"}
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "certsim.serve", "--host=127.0.0.1",
                               f"--port={port}", "--threads=2", "--call",
                               "certsim.apps:ministry"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, proc in zip(urls, procs, strict=True):
            _wait_until_up(url, proc)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.communicate(timeout=30)


def _wait_until_up(url: str, proc: subprocess.Popen) -> None:
    from certsim.run import wait_until_up

    wait_until_up([url], {"worker": proc}, timeout=STARTUP_SECONDS)
    if proc.poll() is not None:
        pytest.fail(f"the worker at {url} ended: {proc.stderr.read()}")
    urllib.request.urlopen(url + "/_sim/clock", timeout=10).close()


def test_a_lag_policy_set_through_one_worker_is_the_other_worker_s_next_answer(workers):
    first, second = workers
    assert requests.put(f"{first}/_sim/lag", json={"lag": "1wd"}, timeout=10).status_code == 200
    assert requests.get(f"{second}/_sim/info", timeout=10).json()["lag"] == "1wd"
    assert requests.put(f"{second}/_sim/lag", json={"lag": "manual"},
                        timeout=10).status_code == 200
    assert requests.get(f"{first}/_sim/info", timeout=10).json()["lag"] == "manual"


def test_a_clock_set_through_one_worker_is_the_other_worker_s_time(workers):
    first, second = workers
    moved = requests.post(f"{first}/_sim/clock", timeout=10,
                          json={"set": "2024-09-27T17:00:00+08:00", "freeze": True})
    assert moved.status_code == 200, moved.text
    seen = requests.get(f"{second}/_sim/clock", timeout=10).json()
    assert datetime.fromisoformat(seen["now"]) == datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI)
    assert seen["frozen"] is True
    requests.post(f"{second}/_sim/clock", json={"advance": "1wd"}, timeout=10)
    seen = requests.get(f"{first}/_sim/clock", timeout=10).json()
    assert seen["local"] == "2024-09-29T17:00:00+08:00"  # the 调休 Sunday


def test_a_certificate_issued_through_one_worker_takes_the_lag_set_through_the_other(workers):
    first, second = workers
    requests.post(f"{first}/_sim/clock", timeout=10,
                  json={"set": "2024-09-27T17:00:00+08:00", "freeze": True})
    requests.put(f"{first}/_sim/lag", json={"lag": "1wd"}, timeout=10)
    issued = requests.post(f"{second}/_sim/certificates", timeout=10, json={
        "name": "张三", "id_number": "110101199003070011", "category": "电工作业",
        "item": "低压电工作业"})
    assert issued.status_code == 201, issued.text
    [change] = requests.get(f"{first}/_sim/outbox", timeout=10).json()["changes"]
    assert datetime.fromisoformat(change["visible_at"]) == \
        datetime(2024, 9, 29, 0, 0, tzinfo=SHANGHAI)  # the 调休 Sunday
