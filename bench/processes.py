"""What a process has spent so far, read from Linux /proc: its CPU time (a child server's, to
put a figure per request or per licence) and its peak memory; and a portal served in a child
process as `make run` serves it."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import requests

from certsim.run import waitress_command


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_of(pid: int) -> float:
    """A process's peak resident memory in MB (VmHWM), read before it stops."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def serve(target: str, max_body: int, env: dict, probe: str) -> tuple[subprocess.Popen, str]:
    """Serve the WSGI app `target` in a child process with the command `make run` serves a
    portal with (its threads and flags), on a free loopback port; return the child and its URL
    once GET `probe` answers."""
    port = free_port()
    child = subprocess.Popen(waitress_command(target, "127.0.0.1", port, max_body), env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if child.poll() is not None:
            raise RuntimeError(f"{target} exited with status {child.returncode}")
        try:
            requests.get(url + probe, timeout=1)
            return child, url
        except requests.ConnectionError:
            time.sleep(0.05)
    child.kill()
    raise RuntimeError(f"{target} did not start on port {port}")
