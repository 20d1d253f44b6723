"""The replicator's settings, read once at start-up; anything malformed stops it with a reason.

| variable | default | meaning |
|---|---|---|
| SYNC_MEM_URL | http://127.0.0.1:8001 | the ministry portal (change feed) |
| SYNC_NATIONAL_URL | http://127.0.0.1:8002 | the national portal (ingest) |
| SYNC_SECRET | development value | HMAC secret shared with both portals |
| SYNC_INTERVAL | 5 | seconds between two runs of replicate_due |
| SYNC_BATCH_SIZE | 2500 | changes per feed read and ingest call (1..5000) |
| SYNC_MAX_BATCHES | 50 | batches per run; the rest waits for the next run |
| SYNC_TIMEOUT | 10 | seconds before an HTTP call is given up |
| SYNC_LEASE_TTL | 60 | wall-clock seconds a lease lasts without renewal |
| SYNC_MAX_ATTEMPTS | 5 | rejections before a change is parked as blocked |
| SYNC_BACKOFF_BASE / SYNC_BACKOFF_MAX | 1 / 300 | retry delay: base * 2^(failures-1), capped |
| SYNC_TICK_POLL | 1 | seconds between checks for a "tick now" request (0 = off) |
| SYNC_HOLDER | host-pid | the name this replicator takes the lease under |
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from shared.errors import InvalidInput
from shared.wire import DEVELOPMENT_SECRET

MAX_BATCH_SIZE = 5000  # the ministry's feed limit and the national ingest cap


def default_holder() -> str:
    """Name this process for the lease: host and process id."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}"


@dataclass(frozen=True)
class SyncConfig:
    """Everything the replicator needs besides a transport and a clock."""

    mem_url: str = "http://127.0.0.1:8001"
    national_url: str = "http://127.0.0.1:8002"
    secret: str = DEVELOPMENT_SECRET
    interval: float = 5.0
    batch_size: int = 2500  # a backlog goes in few round trips (docs/replication.md)
    max_batches: int = 50
    timeout: float = 10.0
    lease_ttl: float = 60.0
    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    tick_poll: float = 1.0
    holder: str = field(default_factory=default_holder)

    def __post_init__(self):
        _check_range("SYNC_BATCH_SIZE", self.batch_size, 1, MAX_BATCH_SIZE)
        _check_range("SYNC_MAX_BATCHES", self.max_batches, 1, 100_000)
        _check_range("SYNC_INTERVAL", self.interval, 0.1, 86_400)
        _check_range("SYNC_TIMEOUT", self.timeout, 0.01, 600)
        _check_range("SYNC_LEASE_TTL", self.lease_ttl, 1, 3600)
        _check_range("SYNC_MAX_ATTEMPTS", self.max_attempts, 1, 1000)
        _check_range("SYNC_BACKOFF_BASE", self.backoff_base, 0.001, 3600)
        _check_range("SYNC_BACKOFF_MAX", self.backoff_max, self.backoff_base, 86_400)
        _check_range("SYNC_TICK_POLL", self.tick_poll, 0, 3600)
        for name, url in (("SYNC_MEM_URL", self.mem_url), ("SYNC_NATIONAL_URL", self.national_url)):
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
                raise InvalidInput(name, f"{url!r} is not an http(s) URL")
        if not self.holder or len(self.holder) > 64:
            raise InvalidInput("SYNC_HOLDER", "the holder name must be 1..64 characters")


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise InvalidInput(name, f"{value} is out of range {low}..{high}")


NUMBERS = {
    "SYNC_INTERVAL": ("interval", float), "SYNC_BATCH_SIZE": ("batch_size", int),
    "SYNC_MAX_BATCHES": ("max_batches", int), "SYNC_TIMEOUT": ("timeout", float),
    "SYNC_LEASE_TTL": ("lease_ttl", float), "SYNC_MAX_ATTEMPTS": ("max_attempts", int),
    "SYNC_BACKOFF_BASE": ("backoff_base", float), "SYNC_BACKOFF_MAX": ("backoff_max", float),
    "SYNC_TICK_POLL": ("tick_poll", float),
}


def load_config(environ: dict | None = None) -> SyncConfig:
    """Read the SYNC_* variables, or raise InvalidInput naming the first bad one."""
    environ = os.environ if environ is None else environ
    values: dict = {}
    for name, (attr, kind) in NUMBERS.items():
        if environ.get(name, "").strip():
            try:
                values[attr] = kind(environ[name])
            except ValueError:
                raise InvalidInput(name, f"{environ[name]!r} is not a number") from None
    for name, attr in (("SYNC_MEM_URL", "mem_url"), ("SYNC_NATIONAL_URL", "national_url"),
                       ("SYNC_HOLDER", "holder")):
        if environ.get(name):
            values[attr] = environ[name].rstrip("/")
    values["secret"] = environ.get("SYNC_SECRET") or DEVELOPMENT_SECRET
    return SyncConfig(**values)
