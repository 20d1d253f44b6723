"""Scenarios that start from a snapshot (`start: {snapshot: demo}`): the snapshots there are,
the time each holds, and the certificates a scenario names in one (`certificates:`).

The snapshots are this machine's, as `certsim snapshot list` shows them: `demo` (built in) and
those saved under var/snapshots/ (CERTSIM_VAR_DIR). certsim is imported only when a scenario
names a snapshot, so loading the other scenarios stays light.
"""

from __future__ import annotations

from datetime import datetime

from scenarios.model import Scenario
from scenarios.portals import Portal

DEMO = "demo"
PAGE = 5000  # outbox rows read per call while looking for named certificates


class StartError(Exception):
    """The world a scenario starts from lacks something the scenario names."""


def known_snapshots() -> list[str]:
    """Return the names a scenario may start from, `demo` first."""
    from certsim import snapshots

    return snapshots.names()


def snapshot_clock(name: str) -> datetime | None:
    """Return the simulated time a snapshot holds (None: it was saved in real time)."""
    from certsim import snapshots
    from certsim.demo import DEMO_START

    if name == DEMO:
        return DEMO_START
    clock = snapshots.saved_state(name).clock
    return clock.at if clock else None


def find_certificates(mem: Portal) -> dict[tuple[str, str], str]:
    """Map (holder's ID number, 操作项目) to a certificate key, from the ministry's outbox.

    When a holder has several certificates of one item, the one changed last wins.
    """
    found: dict[tuple[str, str], str] = {}
    after = 0
    while True:
        rows = mem.ok("GET", f"/_sim/outbox?payload=1&limit={PAGE}&after={after}")["changes"]
        for row in rows:
            licence = (row.get("payload") or {}).get("licence") or {}
            found[(licence.get("holder_id_number"), licence.get("item"))] = row["certificate_key"]
        if len(rows) < PAGE:
            return found
        after = rows[-1]["seq"]


def name_certificates(scenario: Scenario, mem: Portal) -> dict[str, str]:
    """Return alias -> certificate key for the scenario's `certificates:`, or raise StartError."""
    if not scenario.certificates:
        return {}
    held, named = find_certificates(mem), {}
    for alias, wanted in scenario.certificates.items():
        person = scenario.people[wanted.person]
        key = held.get((person.id_number, wanted.item))
        if key is None:
            raise StartError(
                f"certificates.{alias} (line {wanted.line}): snapshot {scenario.snapshot!r} "
                f"holds no {wanted.item} certificate of {person.name} ({person.id_number})")
        named[alias] = key
    return named
