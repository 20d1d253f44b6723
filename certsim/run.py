"""`certsim run`: migrate, seed the demo, start every process, print where they are.

One supervisor, four children (ministry portal, national portal, replicator, console), all
served by waitress (`certsim.serve`) and sharing one simulated clock file. A child that dies
is restarted (`certsim.supervisor`); Ctrl-C stops them all cleanly.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from certsim import world
from certsim.demo import DEMO_PASSWORD, DEMO_START, HOLDERS
from certsim.keys import secrets_for
from certsim.supervisor import Child, Supervisor
from mem_portal.views.verify import MAX_BODY as MEM_MAX_BODY
from national_portal.replication import MAX_BODY as NATIONAL_MAX_BODY
from shared.lag import parse_lag
from shared.settings import read_settings
from shared.world import WorldClock

STARTUP_SECONDS = 60
BODY_MARGIN = 64 * 1024
RECV_BYTES = 256 * 1024
# Each portal is served by PORTAL_PROCESSES processes of PORTAL_THREADS request threads
# (`certsim.serve --processes`). The handlers are CPU work plus short SQLite calls, and every
# SQLite call lets go of the GIL: with more threads than that work needs, each call hands the
# GIL to another thread and back, and one process never uses more than one core. Measured on 2
# cores (我的证照, 20 000 holders, 8 clients): one process of 2 threads served 483–486 pages/s
# at 1.9 ms of server CPU a page; two processes of 2 threads 672–697/s; two of one thread
# 617–687/s. Two threads a process keep one serving while the other waits (a write lock, an
# argon2 hash, an injected slow answer).
PORTAL_PROCESSES = 2
PORTAL_THREADS = 2
OUTBUF_OVERFLOW = 16 * 1024 * 1024  # a change-feed page of 5000 changes is ~6 MB


def register(sub) -> None:
    p = sub.add_parser("run", help="start both portals, the replicator and the console")
    p.add_argument("--host", default=os.environ.get("CERTSIM_HOST", "127.0.0.1"),
                   help="address the portals listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=int(os.environ.get("CERTSIM_PORT", "8000")),
                   help="console port; the portals take the next two (default 8000)")
    p.set_defaults(func=run)


def environment(host: str, port: int, var: Path) -> dict[str, str]:
    """The variables every child shares (existing ones win, so PostgreSQL URLs pass through)."""
    public = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    env = dict(os.environ)
    defaults = {
        "CERTSIM_WORLD": str(var / "world.json"),
        "MEM_SIM_ENABLED": "1", "NATIONAL_SIM_ENABLED": "1",
        "MEM_PUBLIC_URL": f"http://{public}:{port + 1}",
        "NATIONAL_PUBLIC_URL": f"http://{public}:{port + 2}",
        "SYNC_MEM_URL": f"http://127.0.0.1:{port + 1}",
        "SYNC_NATIONAL_URL": f"http://127.0.0.1:{port + 2}",
        "CONSOLE_MEM_URL": f"http://127.0.0.1:{port + 1}",
        "CONSOLE_NATIONAL_URL": f"http://127.0.0.1:{port + 2}",
        "PYTHONUNBUFFERED": "1",
        # one name for this run's replicator, kept across its restarts: a replicator restarted
        # after kill -9 takes its lease back at once, even while the world's clock is paused
        "SYNC_HOLDER": f"certsim-run-{socket.gethostname()[:30]}-{os.getpid()}",
    }
    for key, value in defaults.items():
        env.setdefault(key, value)
    env.update(secrets_for(host, env, var))
    return env


def waitress_command(target: str, host: str, port: int, max_body: int) -> list[str]:
    """The command serving one portal, as `make run` starts it (the benchmarks too): waitress
    through `certsim.serve`, which spares its loop a busy wait while a page is sent, in
    PORTAL_PROCESSES processes.

    waitress buffers a whole body before the app sees it: cap it (a little above the app's own
    cap, so the app answers 413 in its own words), and read in large pieces, so a chunk-size
    line that never ends costs bounded time (waitress re-scans it per read). Bodies and answers
    up to that size stay in memory: past 512 KB in, 1 MB out, waitress would spill them to a
    temporary file and read them back (a replication batch or page is a few MB).
    """
    buffered = max_body + BODY_MARGIN
    return [sys.executable, "-m", "certsim.serve", f"--host={host}", f"--port={port}",
            f"--processes={PORTAL_PROCESSES}", f"--threads={PORTAL_THREADS}",
            f"--max-request-body-size={buffered}",
            f"--recv-bytes={RECV_BYTES}", f"--inbuf-overflow={buffered}",
            f"--outbuf-overflow={OUTBUF_OVERFLOW}", "--call", target]


def children(host: str, port: int) -> list[Child]:
    """The processes `make run` starts."""
    return [
        Child("ministry", waitress_command("certsim.apps:ministry", host, port + 1,
                                           MEM_MAX_BODY)),
        Child("national", waitress_command("certsim.apps:national", host, port + 2,
                                           NATIONAL_MAX_BODY)),
        Child("replicator", [sys.executable, "-m", "sync"]),
        Child("console", [sys.executable, "-m", "certsim.serve", "--host=127.0.0.1",
                          f"--port={port}", "--call", "certsim.console:create_app"]),
    ]


def prepare(env: dict[str, str]) -> None:
    """Migrate both databases and seed the demo, starting the world's clock at the demo moment."""
    settings = read_settings(env)
    parse_lag(settings.sync_lag, seed=settings.sync_lag_seed)  # a bad policy never starts
    if not settings.world().exists():
        clock = WorldClock(settings.world())
        clock.set(DEMO_START)
        clock.resume()
    subprocess.run([sys.executable, "-m", "certsim", "migrate"], env=env, check=True)
    subprocess.run([sys.executable, "-m", "certsim", "seed-demo"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def wait_until_up(urls: list[str], procs: dict[str, subprocess.Popen],
                  timeout: float = STARTUP_SECONDS) -> None:
    """Poll each portal's front page until it answers (or a child dies, or time runs out)."""
    deadline = time.monotonic() + timeout
    for url in urls:
        while time.monotonic() < deadline and all(p.poll() is None for p in procs.values()):
            try:
                urllib.request.urlopen(url + "/", timeout=1).close()
                break
            except (OSError, http.client.HTTPException):
                # HTTPException: before the server listens, a connect to a port in the
                # ephemeral range can meet itself (TCP self-connect) and read its own request
                time.sleep(0.2)


def banner(port: int, env: dict[str, str]) -> str:
    logins = "\n".join(f"    {p.phone} / {DEMO_PASSWORD}   {p.name}：{p.case}" for p in HOLDERS)
    return (
        "\ncertsim is running (Ctrl-C stops everything)\n"
        f"  应急管理部政务服务平台  {env['MEM_PUBLIC_URL']}/\n"
        f"  国家政务服务平台        {env['NATIONAL_PUBLIC_URL']}/\n"
        f"  模拟器控制台            http://127.0.0.1:{port}/\n"
        f"  simulated world         {env['CERTSIM_WORLD']}\n"
        f"  demo logins (both portals; log in with phone or ID number):\n{logins}\n"
    )


def run(args) -> int:
    """Start everything, restart whatever dies, stop it all on Ctrl-C or SIGTERM."""
    var = world.settings().var_dir.resolve()
    env = environment(args.host, args.port, var)
    prepare(env)
    with Supervisor(env) as supervisor:
        for child in children(args.host, args.port):
            supervisor.start(child)
            if child.name == "national":  # the replicator and console wait for both portals
                wait_until_up([env["SYNC_MEM_URL"], env["SYNC_NATIONAL_URL"]], supervisor.procs)
        if not supervisor.stopping:
            print(banner(args.port, env), flush=True)
        supervisor.supervise()
    return 0
