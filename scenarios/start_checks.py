"""The loader's checks of where a scenario starts: `start` (a time, or a snapshot and a time
not before the one it holds) and `certificates` (certificates that snapshot holds, named).

Mixed into the loader's checker, which gives `doc`, `problem` and `time`.
"""

from __future__ import annotations

from datetime import datetime

from scenarios.model import NamedCertificate, Person
from scenarios.starting import known_snapshots, snapshot_clock


class StartChecks:
    """Read `start` and `certificates`, recording every problem found on the way."""

    def start(self) -> tuple[datetime | None, str | None]:
        """Return the start time and the snapshot the world starts from (None: empty)."""
        raw = self.doc.value["start"]
        if not isinstance(raw, dict):
            return self.time(("start",)), None
        name, at = raw["snapshot"], self.time(("start", "at")) if "at" in raw else None
        known = known_snapshots()
        if name not in known:
            self.problem(("start", "snapshot"), f"start.snapshot: unknown snapshot {name!r} "
                         f"(known: {', '.join(known)}); save one with `certsim snapshot save`")
            return at, name
        held = snapshot_clock(name)
        if "at" not in raw and held is None:
            self.problem(("start", "snapshot"), f"start.snapshot: snapshot {name!r} was saved "
                         "in real time, so it holds no simulated time: give start.at")
        elif at is not None and held is not None and at < held:
            self.problem(("start", "at"), f"start.at: time goes backwards: {at.isoformat()} is "
                         f"before {held.isoformat()}, the time snapshot {name!r} holds; time "
                         "only moves forward (start at or after it)")
        return (at if "at" in raw else held), name

    def named_certificates(self, snapshot: str | None,
                           people: dict[str, Person]) -> dict[str, NamedCertificate]:
        """Read `certificates:` (certificates the starting snapshot holds, named for steps)."""
        data = self.doc.value.get("certificates") or {}
        if data and snapshot is None:
            self.problem(("certificates",), "`certificates` names certificates a snapshot "
                         "holds, but this scenario starts from an empty world: start from a "
                         "snapshot (start: {snapshot: NAME}) or name issued ones with `as:`",
                         key=True)
        named = {}
        for alias, spec in data.items():
            if spec["person"] not in people:
                self.problem(("certificates", alias, "person"), f"unknown person "
                             f"{spec['person']!r}: list it under `people` (known: "
                             f"{', '.join(people) or 'none'})")
            named[alias] = NamedCertificate(alias, spec["person"], spec["item"],
                                            self.doc.mark(("certificates", alias)).line)
        return named
