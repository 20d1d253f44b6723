"""The supervisor of `certsim run`: a dead child is reported as it died and restarted alone.

Issue 12, item 14: `kill -9` of the replicator used to stop both portals and the console, and
was logged as "exited with status 0". These tests drive `certsim.supervisor` with tiny fake
children and back-offs of hundredths of a second; the ones about signals run the supervisor
in a subprocess of its own, as `certsim run` does.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from certsim.supervisor import Backoff, Child, Supervisor, outcome

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
FAST = lambda: Backoff(first=0.01, cap=0.04)  # noqa: E731

# A supervisor of the children named on its command line, each of which says when it is
# ready and how it was stopped.
SUPERVISOR = """
import os, sys
from certsim.supervisor import Backoff, Child, Supervisor
first, names = float(sys.argv[1]), sys.argv[2:]
with Supervisor(dict(os.environ), backoff=lambda: Backoff(first=first, cap=first)) as supervisor:
    for name in names:
        supervisor.start(Child(name, [sys.executable, "-c", CHILD, name]))
    supervisor.supervise()
"""
CHILD = """
import os, signal, sys, time
name = sys.argv[1]
def say(what):
    os.write(1, f"{name} {what} {os.getpid()}\\n".encode())  # one write: lines never interleave
def stopped(*_):
    say("stopped")
    sys.exit(0)
signal.signal(signal.SIGTERM, stopped)
try:  # from the "ready" on, so that a Ctrl-C right after it is still reported
    say("ready")
    if name == "crasher":
        sys.exit(1)
    time.sleep(60)
except KeyboardInterrupt:
    say("interrupted")
"""
PORTALS_AND_REPLICATOR = ["ministry", "national", "replicator"]


def step_until(supervisor: Supervisor, condition, limit: float = 10.0) -> None:
    """Run the supervisor's loop until `condition()` holds (failing after `limit` seconds)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the supervisor never got there"
        supervisor.step(timeout=0.1)


def stderr_lines(capsys):
    """Return a function giving every stderr line printed so far (capsys hands each out once)."""
    lines = []

    def read() -> list[str]:
        lines.extend(capsys.readouterr().err.splitlines())
        return lines

    return read


def test_a_child_killed_by_sigkill_is_reported_with_its_signal_and_restarted(capsys):
    with Supervisor(dict(os.environ), backoff=FAST) as supervisor:
        for name in PORTALS_AND_REPLICATOR:
            supervisor.start(Child(name, SLEEPER))
        before = {name: proc.pid for name, proc in supervisor.procs.items()}
        os.kill(before["replicator"], signal.SIGKILL)
        step_until(supervisor, lambda: supervisor.procs["replicator"].pid != before["replicator"])
        after = {name: proc.pid for name, proc in supervisor.procs.items()}
        assert supervisor.procs["replicator"].poll() is None
    assert after["ministry"] == before["ministry"] and after["national"] == before["national"]
    assert ("certsim: replicator was killed by signal SIGKILL; restarting in 0.01 s"
            in capsys.readouterr().err)


def test_a_child_that_exits_with_status_3_is_reported_as_status_3(capsys):
    err = stderr_lines(capsys)
    with Supervisor(dict(os.environ), backoff=FAST) as supervisor:
        supervisor.start(Child("replicator", [sys.executable, "-c", "raise SystemExit(3)"]))
        step_until(supervisor, err)
    assert err()[0] == "certsim: replicator exited with status 3; restarting in 0.01 s"


def test_a_child_that_keeps_dying_is_restarted_with_growing_capped_delays_and_never_given_up(
        capsys):
    err = stderr_lines(capsys)
    with Supervisor(dict(os.environ), backoff=FAST) as supervisor:
        supervisor.start(Child("ministry", [sys.executable, "-c", "raise SystemExit(1)"]))
        step_until(supervisor, lambda: len(err()) >= 7)
    delays = [line.split("restarting in ")[1].split(" s")[0] for line in err()]
    assert delays[:7] == ["0.01", "0.02", "0.04", "0.04", "0.04", "0.04", "0.04"]
    assert err()[5].endswith("restarting in 0.04 s (it died 6 times without staying up 60 s)")


def test_the_back_off_doubles_from_one_second_to_thirty_and_resets_after_a_minute_up():
    backoff = Backoff()
    assert [backoff.delay(uptime=0.5) for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert backoff.delay(uptime=59) == 30
    assert backoff.delay(uptime=60) == 1
    assert backoff.delay(uptime=3) == 2


def test_a_child_dying_for_days_does_not_overflow_the_back_off():
    backoff = Backoff(deaths=10_000)
    assert backoff.delay(uptime=0) == 30


def test_the_outcome_names_the_signal_not_a_status_of_zero():
    assert outcome(-signal.SIGKILL) == "was killed by signal SIGKILL"
    assert outcome(-signal.SIGSEGV) == "was killed by signal SIGSEGV"
    assert outcome(0) == "exited with status 0"
    assert outcome(3) == "exited with status 3"


@pytest.fixture
def start_supervisor():
    """Return a function running a supervisor of CHILD processes in a session of its own."""
    started = []

    def start(names: list[str], first_delay: float = 0.01) -> subprocess.Popen:
        code = f"CHILD = {CHILD!r}\n{SUPERVISOR}"
        supervisor = subprocess.Popen([sys.executable, "-c", code, str(first_delay), *names],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      start_new_session=True)
        # A hung supervisor must not hang the suite: kill its whole session (children too).
        watchdog = threading.Timer(30, os.killpg, (supervisor.pid, signal.SIGKILL))
        watchdog.start()
        started.append((supervisor, watchdog))
        return supervisor

    yield start
    for supervisor, watchdog in started:
        watchdog.cancel()
        with contextlib.suppress(ProcessLookupError):  # nothing left: as it should be
            os.killpg(supervisor.pid, signal.SIGKILL)
        supervisor.communicate()


def wait_ready(supervisor: subprocess.Popen, count: int) -> dict[str, int]:
    """Read the children's "ready" lines; return their pids by name."""
    pids = {}
    while len(pids) < count:
        line = supervisor.stdout.readline()
        if not line:
            pytest.fail("the supervisor ended early: " + supervisor.stderr.read())
        name, what, pid = line.split()
        if what == "ready":
            pids[name] = int(pid)
    return pids


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_sigterm_stops_every_child_replicator_first_and_the_supervisor_exits(start_supervisor):
    supervisor = start_supervisor(PORTALS_AND_REPLICATOR)
    pids = wait_ready(supervisor, 3)
    supervisor.send_signal(signal.SIGTERM)
    out, err = supervisor.communicate(timeout=20)
    assert supervisor.returncode == 0, err
    stopped = [line.split()[0] for line in out.splitlines() if " stopped " in line]
    assert stopped == ["replicator", "national", "ministry"], out + err
    assert all(gone(pid) for pid in pids.values())
    assert "restarting" not in err and "Traceback" not in err


def test_ctrl_c_stops_everything_without_a_second_signal_or_a_restart(start_supervisor):
    supervisor = start_supervisor(PORTALS_AND_REPLICATOR)
    pids = wait_ready(supervisor, 3)
    os.killpg(supervisor.pid, signal.SIGINT)  # what the terminal does: the whole group
    out, err = supervisor.communicate(timeout=20)
    assert supervisor.returncode == 0, err
    assert sorted(line.split()[0] for line in out.splitlines() if " interrupted " in line) \
        == sorted(PORTALS_AND_REPLICATOR), out + err
    assert " stopped" not in out  # the children were not sent SIGTERM on top of Ctrl-C
    assert "restarting" not in err and all(gone(pid) for pid in pids.values())


def test_sigterm_during_a_back_off_stops_at_once_without_the_restart(start_supervisor):
    supervisor = start_supervisor(["ministry", "crasher"], first_delay=30)
    pids = wait_ready(supervisor, 2)
    line = supervisor.stderr.readline()
    assert line == "certsim: crasher exited with status 1; restarting in 30 s\n"
    began = time.monotonic()
    supervisor.send_signal(signal.SIGTERM)
    out, err = supervisor.communicate(timeout=20)
    assert time.monotonic() - began < 10  # not the 30 s back-off
    assert supervisor.returncode == 0, err
    assert out == f"ministry stopped {pids['ministry']}\n"  # no second "crasher ready": no restart
    assert "restarting" not in err
