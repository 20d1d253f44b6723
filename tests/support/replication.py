"""A replicator a test can wait on (the real one, saying each time a run ends), and a transport
that notes the calls it forwards."""

from __future__ import annotations

import threading

from sync import Replicator

RUN_TIMEOUT = 15  # seconds a run may take to start after it was asked for


class WatchedReplicator(Replicator):
    """The real replicator, telling the test each time a run ends."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.runs: list = []
        self.ran = threading.Condition()

    def replicate_due(self, now):
        """Run as usual, then note the report."""
        report = super().replicate_due(now)
        with self.ran:
            self.runs.append(report)
            self.ran.notify_all()
        return report

    def wait_for_run(self, after: int):
        """Wait until more than `after` runs have ended; return the latest report."""
        self.until(lambda: len(self.runs) > after, "the replicator did not run")
        return self.runs[-1]

    def until(self, condition, failure: str = "the replicator never got there",
              timeout: float = RUN_TIMEOUT * 2) -> None:
        """Wait (on the replicator's runs, not on the wall clock) until `condition()` holds."""
        with self.ran:
            assert self.ran.wait_for(condition, timeout), failure


class Counting:
    """A transport that notes every call it forwards ("METHOD path")."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def call(self, service, method, path, **kwargs):
        self.calls.append(f"{method} {path}")
        return self.inner.call(service, method, path, **kwargs)
