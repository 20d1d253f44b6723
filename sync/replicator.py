"""`replicate_due(now)`: deliver the changes due at `now` from the ministry to the national portal.

One run: take (or renew) the lease; read the feed from the durable checkpoint in bounded
batches; send each batch to the national ingest; acknowledge what the national portal answered
for (applied, superseded or duplicate); report rejections so a change that keeps failing is
parked as blocked. A failure stops the run and backs off exponentially. Delivery is
at-least-once (a crash between ingest and ack re-sends the batch) and the national side is
idempotent, so the effect is exactly once.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from shared.clock import require_aware
from sync.config import SyncConfig
from sync.transport import CallRefused, Transport, TransportFailure

log = logging.getLogger("sync")
SETTLED = ("applied", "superseded", "duplicate")
OUTCOMES = (*SETTLED, "rejected", "held")


@dataclass
class RunReport:
    """What one run did; sent to the ministry as the last run, and logged."""

    holder: str
    at: str
    outcome: str = "idle"   # idle, delivered, lease_held, backoff, failed
    batches: int = 0
    results: dict = field(default_factory=dict)
    acknowledged: int = 0
    blocked: list = field(default_factory=list)
    checkpoint: int | None = None
    more: bool = False
    error: str | None = None

    def to_json(self) -> dict:
        """Return the report as JSON-able values."""
        return asdict(self)


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Replicator:
    """Deliver due changes in order, with a lease, retries and a durable checkpoint."""

    def __init__(self, transport: Transport, config: SyncConfig, *, holder: str | None = None):
        self.transport, self.config = transport, config
        self.holder = holder or config.holder
        self.failures = 0
        self.retry_at: datetime | None = None
        self.next_due_at: datetime | None = None
        self.lease_until: datetime | None = None
        self.last: RunReport | None = None

    def replicate_due(self, now: datetime) -> RunReport:
        """Deliver every change due at `now` (up to the batch budget) and report the run."""
        require_aware(now, "now")
        report = RunReport(self.holder, now.isoformat())
        if self.retry_at is not None and now < self.retry_at:
            report.outcome = "backoff"
            return self._done(report)
        try:
            lease = self._lease(self.config.lease_ttl)
            if not lease["granted"]:
                report.outcome, self.lease_until = "lease_held", _moment(lease["expires_at"])
                return self._done(report)
            self.lease_until = None
            self._deliver(now, lease["checkpoint"], report)
        except TransportFailure as exc:
            report.outcome, report.error = "failed", str(exc)
            (log.error if isinstance(exc, CallRefused) else log.warning)(
                "run at %s failed: %s", report.at, exc)
        self._back_off(now, report)
        self._record(report)
        return self._done(report)

    def _deliver(self, now: datetime, after: int, report: RunReport) -> None:
        """Send due batches until none is left, one fails, or the batch budget is spent."""
        report.checkpoint = after
        for _ in range(self.config.max_batches):
            page = self.transport.call("mem", "GET", "/api/v1/changes", query={
                "after": after, "limit": self.config.batch_size, "until": now.isoformat()})
            self.next_due_at = _moment(page.get("next_due_at"))
            changes = page["changes"]
            if not changes:
                return
            answer = self.transport.call("national", "POST", "/api/v1/ingest",
                                         body={"changes": changes})
            self._settle(changes, answer.get("results"), report)
            report.batches += 1
            after = page["next_after"]
            if report.error or len(changes) < self.config.batch_size:
                return
            if not self._lease(self.config.lease_ttl)["granted"]:
                report.error = "lease lost during the run"
                return
        report.more = True

    def _settle(self, changes: list[dict], results, report: RunReport) -> None:
        """Acknowledge the settled changes and report the rejected ones."""
        if not isinstance(results, list) or [r.get("change_id") for r in results] != [
                c["change_id"] for c in changes]:
            raise TransportFailure("national", "the answer does not match the batch sent")
        counts = Counter(r["outcome"] for r in results)
        settled = [r["change_id"] for r in results if r["outcome"] in SETTLED]
        rejected = [{"change_id": r["change_id"], "error": r.get("error")}
                    for r in results if r["outcome"] == "rejected"]
        if settled:
            ack = self.transport.call("mem", "POST", "/api/v1/changes/ack",
                                      body={"change_ids": settled})
            report.acknowledged += ack["acknowledged"]
            report.checkpoint = ack["checkpoint"]
        if rejected:
            nack = self.transport.call("mem", "POST", "/api/v1/changes/nack", body={
                "failures": rejected, "max_attempts": self.config.max_attempts})
            report.blocked += nack["blocked"]
            report.error = f"{len(rejected)} change(s) rejected: {rejected[0]['error']}"
        for name in OUTCOMES:
            if counts[name]:
                report.results[name] = report.results.get(name, 0) + counts[name]
        report.outcome = "delivered"
        log.info("batch %d: %d changes seq %d..%d -> %s; checkpoint %s", report.batches + 1,
                 len(changes), changes[0]["seq"], changes[-1]["seq"],
                 " ".join(f"{k}={counts[k]}" for k in OUTCOMES if counts[k]), report.checkpoint)

    def _back_off(self, now: datetime, report: RunReport) -> None:
        """After a failure wait base * 2^(n-1) seconds (capped) before the next attempt."""
        if report.error is None:
            self.failures, self.retry_at = 0, None
            return
        self.failures += 1
        delay = min(self.config.backoff_base * 2 ** (self.failures - 1), self.config.backoff_max)
        self.retry_at = now + timedelta(seconds=delay)
        log.warning("retrying after %.0fs (failure %d in a row)", delay, self.failures)

    def _lease(self, ttl: float, report: RunReport | None = None) -> dict:
        body = {"holder": self.holder, "ttl": ttl}
        if report is not None:
            body["report"] = report.to_json()
        return self.transport.call("mem", "POST", "/api/v1/changes/lease", body=body)

    def _record(self, report: RunReport) -> None:
        """Renew the lease and leave the run's report with the ministry (best effort)."""
        if report.outcome in ("lease_held", "backoff"):
            return
        try:
            self._lease(self.config.lease_ttl, report)
        except TransportFailure as exc:
            log.warning("could not record the run with the ministry: %s", exc)

    def _done(self, report: RunReport) -> RunReport:
        self.last = report
        if report.outcome not in ("idle", "backoff"):
            log.info("run at %s: %s, %d batch(es), %s", report.at, report.outcome,
                     report.batches, report.results or "nothing delivered")
        return report

    def next_wakeup(self, now: datetime) -> datetime | None:
        """Return when a run next has something to do: a retry, more backlog, or a due change."""
        if self.retry_at is not None and self.retry_at > now:
            return self.retry_at
        if self.last is not None and self.last.more:
            return now
        if self.last is not None and self.last.outcome == "lease_held":
            return self.lease_until
        return self.next_due_at

    def release(self) -> None:
        """Give the lease back (on shutdown), so another replicator can take over at once."""
        try:
            self._lease(0)
        except TransportFailure as exc:
            log.warning("could not release the lease: %s", exc)
