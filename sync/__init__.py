"""The replicator: delivers the ministry's changes to the national portal after their lag.

It talks to the portals only through their HTTP APIs (or their WSGI apps in-process), never
through a database. `replicate_due(now)` is the one operation; `python -m sync` runs it on an
APScheduler interval in real time, `SimulatedStepper` runs it at every due moment of a
simulated clock. See docs/replication.md.
"""

from sync.config import SyncConfig, load_config
from sync.replicator import Replicator, RunReport
from sync.stepper import SimulatedStepper
from sync.transport import CallRefused, HttpTransport, TransportFailure, WsgiTransport

__all__ = [
    "CallRefused", "HttpTransport", "Replicator", "RunReport", "SimulatedStepper", "SyncConfig",
    "TransportFailure", "WsgiTransport", "load_config",
]
