"""Keep `certsim run`'s children running: report each death as it happened, restart with back-off.

One thread and no polling: SIGCHLD, SIGINT and SIGTERM each write their number into a pipe
(`signal.set_wakeup_fd`), and the supervisor sleeps in select() on that pipe until a signal
comes or the next restart is due. So a stop interrupts a back-off at once, and a child that
dies while another waits for its restart is seen at once too.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

STOP_GRACE_SECONDS = 10
CRASH_LOOP_DEATHS = 5  # beyond this many deaths without the reset uptime, say it is looping
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class Child:
    name: str
    argv: list[str]


@dataclass
class Backoff:
    """The waits before restarting one child: `first`, doubling up to `cap`, reset by uptime."""

    first: float = 1.0
    cap: float = 30.0
    reset_after: float = 60.0
    deaths: int = 0  # since the child last stayed up `reset_after` seconds

    def delay(self, uptime: float) -> float:
        """Count a death after `uptime` seconds up; return how long to wait before the restart."""
        if uptime >= self.reset_after:
            self.deaths = 0
        self.deaths += 1
        # The bounded exponent keeps a child that dies for days from overflowing the float.
        return min(self.first * 2 ** min(self.deaths - 1, 32), self.cap)


def outcome(returncode: int) -> str:
    """Describe how a child ended: its exit status, or the signal that killed it."""
    if returncode >= 0:
        return f"exited with status {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:  # real-time signals have no name
        name = str(-returncode)
    return f"was killed by signal {name}"


class Supervisor:
    """Start children, restart whichever dies, stop them all on Ctrl-C or SIGTERM.

    Entering the `with` block routes the signals to it; leaving it stops every child.
    """

    def __init__(self, env: dict[str, str], *, backoff: Callable[[], Backoff] = Backoff,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.env, self._new_backoff, self._clock = env, backoff, clock
        self.procs: dict[str, subprocess.Popen] = {}  # in first-start order, which stop() reverses
        self.stopping = False
        self.interrupted = False  # Ctrl-C: the terminal sent SIGINT to the children as well
        self._children: dict[str, Child] = {}
        self._started_at: dict[str, float] = {}
        self._backoffs: dict[str, Backoff] = {}
        self._due: dict[str, float] = {}  # name -> when to restart that dead child

    def __enter__(self) -> Supervisor:
        self._wake_r, self._wake_w = os.pipe()
        for fd in (self._wake_r, self._wake_w):
            os.set_blocking(fd, False)  # set_wakeup_fd insists on it
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._old_wakeup_fd = signal.set_wakeup_fd(self._wake_w)
        # The handler does nothing: the byte in the pipe is what the loop reads.
        self._old_handlers = {sig: signal.signal(sig, lambda *_: None)
                              for sig in (signal.SIGCHLD, *STOP_SIGNALS)}
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
        signal.set_wakeup_fd(self._old_wakeup_fd)
        for sig, handler in self._old_handlers.items():
            if handler is not None:  # None: installed outside Python, cannot be put back
                signal.signal(sig, handler)
        self._selector.close()
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)

    def start(self, child: Child) -> None:
        """Start `child` unless a stop was asked for, noting when so its uptime is known."""
        self._take_signals(timeout=0)
        if self.stopping:
            return
        self._children[child.name] = child
        self.procs[child.name] = subprocess.Popen(child.argv, env=self.env)
        self._started_at[child.name] = self._clock()

    def supervise(self) -> None:
        """Keep every child running until Ctrl-C or SIGTERM."""
        while not self.stopping:
            self.step()

    def step(self, timeout: float | None = None) -> None:
        """Restart those due, reap the dead, then wait for a signal or the next restart."""
        self._restart_due()
        self._reap()  # after the restarts: start() may have read a SIGCHLD off the pipe
        waits = [due - self._clock() for due in self._due.values()]
        if timeout is not None:
            waits.append(timeout)
        self._take_signals(min(waits, default=None))

    def stop(self) -> None:
        """Stop every child, the replicator before the portals; kill any that outstays the grace."""
        self.stopping = True
        self._due.clear()
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the stop
        for name, proc in reversed(self.procs.items()):  # the replicator releases its lease first
            if not self.interrupted and proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                print(f"certsim: {name} did not stop; killing it", file=sys.stderr, flush=True)
                proc.kill()
                proc.wait()

    def _reap(self) -> None:
        """Report each child that died since the last look and schedule its restart."""
        for name, proc in self.procs.items():
            if name in self._due or proc.poll() is None:
                continue
            backoff = self._backoffs.setdefault(name, self._new_backoff())
            delay = backoff.delay(uptime=self._clock() - self._started_at[name])
            self._due[name] = self._clock() + delay
            looping = (f" (it died {backoff.deaths} times without staying up "
                       f"{backoff.reset_after:g} s)" if backoff.deaths > CRASH_LOOP_DEATHS else "")
            print(f"certsim: {name} {outcome(proc.returncode)}; restarting in {delay:g} s{looping}",
                  file=sys.stderr, flush=True)

    def _restart_due(self) -> None:
        """Start again each dead child whose back-off is over."""
        now = self._clock()
        for name in [name for name, due in self._due.items() if due <= now]:
            del self._due[name]
            self.start(self._children[name])

    def _take_signals(self, timeout: float | None) -> None:
        """Wait up to `timeout` seconds (None: until one comes) for signals; note a stop."""
        if not self._selector.select(timeout):
            return
        try:
            signals = os.read(self._wake_r, 512)
        except BlockingIOError:
            return
        for signum in signals:
            if signum in STOP_SIGNALS and not self.stopping:
                self.stopping, self.interrupted = True, signum == signal.SIGINT
