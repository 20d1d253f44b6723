"""A lane of ministry calls that runs beside the national ingest, keeping its own order.

Over HTTP the lane is one worker thread: while the national portal applies batch N, the lane
reads page N+1 and renews the lease, and it acknowledges batch N while batch N+1 is applied.
Calls on the lane run one at a time in the order they were queued. In-process (replay, tests)
the lane runs each call at once in the caller's thread, so a replay stays deterministic; the
replicator's code is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor


class InlineLane:
    """Run each queued call at once, in the caller's thread."""

    def submit(self, call: Callable, *args) -> Future:
        """Run `call(*args)` now and return its settled future."""
        future: Future = Future()
        try:
            future.set_result(call(*args))
        except Exception as exc:  # kept for .result(), as a worker thread would keep it
            future.set_exception(exc)
        return future

    def close(self) -> None:
        """Nothing to stop."""


class ThreadLane:
    """Run queued calls one at a time, in order, on one worker thread."""

    def __init__(self):
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-lane")

    def submit(self, call: Callable, *args) -> Future:
        """Queue `call(*args)` behind the calls already queued."""
        return self.worker.submit(call, *args)

    def close(self) -> None:
        """Let the queued calls finish and stop the worker."""
        self.worker.shutdown(wait=True)


def lane_for(transport) -> InlineLane | ThreadLane:
    """Return a worker-thread lane for a transport that may be called from two threads."""
    return ThreadLane() if getattr(transport, "concurrent", False) else InlineLane()
