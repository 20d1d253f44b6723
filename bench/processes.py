"""What a process has spent so far, read from Linux /proc: its CPU time (a child server's, to
put a figure per request or per licence) and its peak memory, each counting the processes it
started (a portal is served by several: `certsim.serve --processes`); and a portal served in
a child process as `make run` serves it."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from certsim.run import PORTAL_PROCESSES, waitress_command


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def family(pid: int) -> list[int]:
    """The process and every process below it still running (Linux /proc)."""
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            try:
                waiting += map(int, (task / "children").read_text().split())
            except FileNotFoundError:  # the thread ended meanwhile
                pass
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and the processes below it have used so far."""
    return sum(_own_cpu_seconds(member) for member in family(pid))


def _own_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_of(pid: int) -> float:
    """The largest peak resident memory in MB (VmHWM) of a process and those below it, each
    on its own (the figure is per process), read before they stop."""
    return max(map(_own_peak_rss, family(pid)))


def _own_peak_rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def serve(target: str, max_body: int, env: dict, probe: str) -> tuple[subprocess.Popen, str]:
    """Serve the WSGI app `target` in a child process with the command `make run` serves a
    portal with (its processes, threads and flags), on a free loopback port; return the child
    and its URL once every serving process serves and GET `probe` answers.

    The first process to serve answers the probe while the others may still be importing and
    building their apps: a measure started then would share the cores with their start-up and
    count its CPU. Each serving process says "Serving on" when it starts to serve (waitress's
    own line).
    """
    port = free_port()
    said = tempfile.TemporaryFile()  # not a pipe: nobody drains it while the child serves
    try:
        child = subprocess.Popen(waitress_command(target, "127.0.0.1", port, max_body), env=env,
                                 stdout=said, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                if child.poll() is not None:
                    raise RuntimeError(f"{target} exited with status {child.returncode}")
                if _serving(said) >= PORTAL_PROCESSES:
                    requests.get(url + probe, timeout=5)
                    return child, url
                time.sleep(0.05)
            raise RuntimeError(f"{target} did not start on port {port}")
        except BaseException:
            child.kill()  # its serving processes stop when it is gone (certsim.serve)
            child.wait()
            raise
    finally:
        said.close()  # the child keeps its own descriptor


def _serving(said) -> int:
    """How many serving processes have said they serve (their output so far)."""
    said.seek(0)
    return said.read().count(b"Serving on")
