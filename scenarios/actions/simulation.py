"""Simulated time and the replication link: wait, sync, fault."""

from __future__ import annotations

from scenarios.actions import action
from scenarios.context import Context, Outcome
from scenarios.model import Step
from scenarios.reporting.days import local_time
from scenarios.timing import after, parse_time

FAULT_LABELS = {"down": "国家平台停机", "up": "国家平台恢复", "error": "国家平台报错 (5xx)",
                "slow": "国家平台响应缓慢"}


@action("wait")
def wait(ctx: Context, step: Step) -> Outcome:
    """Move the clock `for` a duration or `until` a time, replicating whatever falls due."""
    now = ctx.now()
    if "until" in step.params:
        target = parse_time(step.params["until"])
    else:
        target = after(now, step.params["for"], ctx.calendar)
    ctx.world.move_to(target)
    return Outcome(summary=f"→ {local_time(target)}")


@action("sync")
def sync(ctx: Context, step: Step) -> Outcome:
    """Run replication now, as the control plane's "tick" does."""
    answer = ctx.world.replicate()
    delivered = answer.get("delivered", answer.get("report", {}).get("delivered"))
    return Outcome(facts={"count": delivered},
                   summary="同步完成" + (f"，送达 {delivered} 条变更" if delivered is not None
                                        else ""))


@action("fault")
def fault(ctx: Context, step: Step) -> Outcome:
    """Switch the national ingest's fault: down, up, error or slow (optionally N calls)."""
    body = {"mode": step.params["national"]}
    if "calls" in step.params:
        body["calls"] = step.params["calls"]
    ctx.world.national.ok("POST", "/_sim/faults", body)
    label = FAULT_LABELS[body["mode"]] + (f"（{body['calls']} 次）" if "calls" in body else "")
    ctx.event("replication", "recovered" if body["mode"] == "up" else "fault", "", label)
    return Outcome(summary=label)
