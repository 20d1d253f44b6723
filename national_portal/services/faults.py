"""The national ingest's fault switch: behave as if the portal were down (503), broken (500) or
slow, for good or for the next N calls, so the replicator's retries can be shown.

The switch lives in the world (shared.world), so every worker of the portal obeys it and a
snapshot keeps it.
"""

from __future__ import annotations

from dataclasses import replace

from shared.errors import InvalidInput
from shared.world import FAULT_MODES, Faults, WorldState, WorldStore


def take_fault(world: WorldStore) -> Faults:
    """Count one ingest call through the switch; return the switch as this call meets it."""
    met: list[Faults] = []

    def count(state: WorldState) -> WorldState:
        met.append(state.faults)
        return replace(state, faults=state.faults.taken())

    if world.read().faults.mode == "up":  # the usual case costs no write
        return world.read().faults
    world.update(count)
    return met[0]


def set_faults(world: WorldStore, mode: str, calls, delay) -> Faults:
    """Switch to `mode` for `calls` calls (None: until switched back up), or refuse why not."""
    if mode not in FAULT_MODES:
        raise InvalidInput("mode", f"mode must be one of {', '.join(FAULT_MODES)}")
    if calls is not None and (not isinstance(calls, int) or isinstance(calls, bool) or calls < 1):
        raise InvalidInput("calls", "calls must be a positive integer")
    if delay is not None and (isinstance(delay, bool) or not (
            isinstance(delay, int | float) and 0 <= delay <= 120)):
        raise InvalidInput("delay", "delay must be 0..120 seconds")

    def switch(state: WorldState) -> WorldState:
        faults = state.faults
        return replace(state, faults=replace(
            faults, mode=mode, calls=calls if mode != "up" else None,
            delay=faults.delay if delay is None else float(delay)))

    return world.update(switch).faults
