"""`replicate_due(now)`: deliver the changes due at `now` from the ministry to the national portal.

One run: take (or renew) the lease and read the feed from the durable checkpoint, in one call,
then in bounded batches (each page read ahead renews the lease); send each batch to the
national ingest; acknowledge what the national portal answered for (applied, superseded or
duplicate); report rejections so a change that keeps failing is parked as blocked. A failure
stops the run and backs off exponentially. Delivery is at-least-once (a crash between ingest
and ack re-sends the batch) and the national side is idempotent, so the effect is exactly once.
"""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import Future, wait
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from shared.clock import require_aware
from shared.wire import SETTLED, Outcome
from sync.config import SyncConfig
from sync.lane import lane_for
from sync.pages import PassedChanges
from sync.transport import CallRefused, Transport, TransportFailure

log = logging.getLogger("sync")
OUTCOMES = tuple(outcome.value for outcome in Outcome)  # plain str: report keys go on the wire


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


@dataclass
class Settlement:
    """What acknowledging one batch did, merged into the run's report by the sending thread."""

    number: int
    size: int
    first_seq: int
    last_seq: int
    counts: Counter
    acknowledged: int = 0
    checkpoint: int | None = None
    blocked: list = field(default_factory=list)


@dataclass
class _InFlight:
    """The ministry calls of a run still on the lane: the read-ahead and the last settlement."""

    ahead: Future | None = None
    settling: Future | None = None


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
        self.last: RunReport | None = None
        self.lane = lane_for(transport)
        self.isolating = 0  # changes still to send one by one after a batch met a server error

    def replicate_due(self, now: datetime) -> RunReport:
        """Deliver every change due at `now` (up to the batch budget) and report the run."""
        require_aware(now, "now")
        report = RunReport(self.holder, now.isoformat())
        if self.retry_at is not None and now < self.retry_at:
            report.outcome = "backoff"
            return self._done(report)
        try:
            page = self._pull(now, None)  # the lease and the first page, in one call
            if not page["lease"]["granted"]:
                report.outcome = "lease_held"
                return self._done(report)
            self._deliver(now, page, report)
        except TransportFailure as exc:
            report.outcome, report.error = "failed", str(exc)
            (log.error if isinstance(exc, CallRefused) else log.warning)(
                "run at %s failed: %s", report.at, exc)
        self._back_off(now, report)
        self._record(report)
        return self._done(report)

    def _deliver(self, now: datetime, page: dict, report: RunReport) -> None:
        """Send due batches in order until none is left, one fails, or the budget is spent."""
        report.checkpoint = page["lease"]["checkpoint"]
        flight = _InFlight()
        try:
            for number in range(1, self.config.max_batches + 1):
                if not page["changes"]:
                    return
                page = self._send(now, number, page, flight, report)
                if page is None:
                    return
        finally:
            self._land(flight, report)

    def _send(self, now: datetime, number: int, page: dict, flight: _InFlight,
              report: RunReport) -> dict | None:
        """Send batch `number` and settle the one before; return the next page, or None to stop.

        Pipelined on the ministry lane (sync.lane): page N+1 is read with the lease renewed (one
        call) while batch N is applied, and batch N is acknowledged while batch N+1 is applied.
        A batch goes out only once the previous one was answered, the renewal that came with
        its page was granted and the batch before it was acknowledged.
        """
        changes = page["changes"]
        full = len(changes) == self._limit()
        if full and number < self.config.max_batches:
            flight.ahead = self.lane.submit(self._pull, now, page["next_after"])
        results = self._ingest(changes)
        settling, flight.settling = flight.settling, None
        self._merge(settling, report)
        flight.settling = self.lane.submit(self._settle, number, changes, results)
        report.batches, report.outcome = number, "delivered"
        if self._rejected(results, report) or not full:
            return None
        if flight.ahead is None:
            report.more = True  # the batch budget is spent: the next run goes on from here
            return None
        return self._next_page(flight, report)

    def _pull(self, now: datetime, after: int | None) -> dict:
        """Take or renew the lease and read one page of the changes due at `now` after `after`
        (None: after the checkpoint), in one call; the page carries the lease under `lease`."""
        body = {"holder": self.holder, "ttl": self.config.lease_ttl, "limit": self._limit(),
                "until": now.isoformat()}
        if after is not None:
            body["after"] = after
        page = self.transport.call("mem", "POST", "/api/v1/changes", body=body, page=True)
        if page["lease"]["granted"]:
            self.next_due_at = _moment(page.get("next_due_at"))
        return page

    def _next_page(self, flight: _InFlight, report: RunReport) -> dict | None:
        """Return the page read ahead, or None when the lease was lost meanwhile."""
        ahead, flight.ahead = flight.ahead, None
        page = ahead.result()
        if not page["lease"]["granted"]:
            report.error = "lease lost during the run"
            return None
        return page

    def _limit(self) -> int:
        """Batch size: one change at a time while a server error is being narrowed down."""
        return 1 if self.isolating else self.config.batch_size

    def _ingest(self, changes: PassedChanges) -> list[dict]:
        """Send one batch to the national portal; return its outcomes, checked against it.

        The changes go out as the bytes the ministry sent (sync.pages); the answer must name
        the same change ids in the same order.
        """
        try:
            answer = self.transport.call("national", "POST", "/api/v1/ingest",
                                         body={"changes": changes})
        except TransportFailure as exc:
            return self._server_error(changes, exc)
        results = answer.get("results")
        if not isinstance(results, list) or [r.get("change_id") for r in results] != [
                change_id for _, change_id in changes.ids]:
            raise TransportFailure("national", "the answer does not match the batch sent")
        self.isolating = max(0, self.isolating - len(changes))
        return results

    def _server_error(self, changes: PassedChanges, exc: TransportFailure) -> list[dict]:
        """Tell an outage from a change the national portal cannot take (a poison change).

        A batch answered with a 5xx is retried one change at a time. When a single change
        still gets a 5xx while an empty batch is accepted, the portal is up and that change
        is what fails: it is rejected, so the ministry counts the attempt and, after
        SYNC_MAX_ATTEMPTS, parks it as blocked. Anything else is an outage: back off.
        """
        if exc.status is None or exc.status < 500:
            raise exc
        if len(changes) > 1:
            self.isolating = len(changes)
            raise exc
        try:
            self.transport.call("national", "POST", "/api/v1/ingest", body={"changes": []})
        except TransportFailure:
            raise exc from None
        self.isolating = 0
        return [{"change_id": changes.ids[0][1], "outcome": Outcome.REJECTED,
                 "error": f"the national portal fails on this change ({exc.reason})"}]

    @staticmethod
    def _rejected(results: list[dict], report: RunReport) -> bool:
        """Note rejected changes on the report; say whether there were any."""
        rejected = [r for r in results if r["outcome"] == Outcome.REJECTED]
        if rejected:
            report.error = f"{len(rejected)} change(s) rejected: {rejected[0].get('error')}"
        return bool(rejected)

    def _settle(self, number: int, changes: PassedChanges, results: list[dict]) -> Settlement:
        """Acknowledge the settled changes and report the rejected ones (on the lane)."""
        settlement = Settlement(number, len(changes), changes.ids[0][0], changes.ids[-1][0],
                                Counter(r["outcome"] for r in results))
        seq_of = dict((change_id, seq) for seq, change_id in changes.ids)
        settled = [seq_of[r["change_id"]] for r in results if r["outcome"] in SETTLED]
        rejected = [{"change_id": r["change_id"], "error": r.get("error")}
                    for r in results if r["outcome"] == Outcome.REJECTED]
        if settled:
            ack = self.transport.call("mem", "POST", "/api/v1/changes/ack",
                                      body={"seqs": settled})
            settlement.acknowledged, settlement.checkpoint = ack["acknowledged"], ack["checkpoint"]
        if rejected:
            settlement.blocked = self.transport.call("mem", "POST", "/api/v1/changes/nack", body={
                "failures": rejected, "max_attempts": self.config.max_attempts})["blocked"]
        return settlement

    @staticmethod
    def _merge(settling: Future | None, report: RunReport) -> None:
        """Wait for a batch's settlement (raising its failure); add it to the report; log it."""
        if settling is None:
            return
        done = settling.result()
        report.acknowledged += done.acknowledged
        report.blocked += done.blocked
        if done.checkpoint is not None:
            report.checkpoint = done.checkpoint
        for name in OUTCOMES:
            if done.counts[name]:
                report.results[name] = report.results.get(name, 0) + done.counts[name]
        log.info("batch %d: %d changes seq %d..%d -> %s; checkpoint %s", done.number,
                 done.size, done.first_seq, done.last_seq,
                 " ".join(f"{k}={done.counts[k]}" for k in OUTCOMES if done.counts[k]),
                 report.checkpoint)

    def _land(self, flight: _InFlight, report: RunReport) -> None:
        """End a run with nothing left on the lane: drop an unused read-ahead, settle the last."""
        if flight.ahead is not None:
            wait([flight.ahead])  # its page is not sent; a failure there changes nothing
            flight.ahead = None
        settling, flight.settling = flight.settling, None
        self._merge(settling, report)

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

    def retry_now(self) -> None:
        """Forget the back-off: someone asked for a run now (立即同步), e.g. after an outage."""
        self.retry_at = None

    def next_wakeup(self, now: datetime) -> datetime | None:
        """Return when a run next has something to do: a retry, more backlog, or a due change."""
        if self.retry_at is not None and self.retry_at > now:
            return self.retry_at
        if self.last is not None and self.last.more:
            return now
        if self.last is not None and self.last.outcome == "lease_held":
            return None  # another process delivers; its lease runs on the wall clock, not ours
        return self.next_due_at

    def release(self) -> None:
        """Give the lease back (on shutdown), so another replicator can take over at once."""
        try:
            self._lease(0)
        except TransportFailure as exc:
            log.warning("could not release the lease: %s", exc)
