"""`python -m sync`: the replicator process of `make run` (real time, APScheduler)."""

from __future__ import annotations

import logging
import os
import signal
import sys

from apscheduler.schedulers import SchedulerNotRunningError

from shared.errors import DomainError
from shared.settings import read_settings
from sync.config import load_config
from sync.replicator import Replicator
from sync.runner import build_scheduler
from sync.transport import HttpTransport

log = logging.getLogger("sync")


def main(environ: dict | None = None) -> int:
    """Check the configuration, then replicate every SYNC_INTERVAL seconds until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per batch is ours
    try:
        config = load_config(environ)
        clock = read_settings(os.environ if environ is None else environ).clock()
    except DomainError as exc:
        print(f"sync: refusing to start: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    transport = HttpTransport({"mem": config.mem_url, "national": config.national_url},
                              config.secret, timeout=config.timeout)
    replicator = Replicator(transport, config)
    scheduler = build_scheduler(replicator, clock, config)
    signal.signal(signal.SIGTERM, lambda *_: _stop(scheduler))
    log.info("replicating %s -> %s every %gs, batches of %d, holder %s",
             config.mem_url, config.national_url, config.interval, config.batch_size,
             replicator.holder)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping")
    finally:
        replicator.release()
        transport.close()
    return 0


def _stop(scheduler) -> None:
    """Stop scheduling and let a run in progress finish (its thread must not meet shutdown)."""
    try:
        scheduler.shutdown(wait=True)
    except SchedulerNotRunningError:
        raise SystemExit(0) from None


if __name__ == "__main__":
    raise SystemExit(main())
