"""The state of a replay in progress: people's logins, named certificates, the timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from scenarios.model import Person, Scenario, Step
from scenarios.portals import Portal
from scenarios.results import Change, Event
from scenarios.world import World
from shared.workdays import WorkingCalendar

OBSERVE_LIMIT = 5000  # changes one observation reads
KIND_LABELS = {"issued": "签发", "reissued": "复审换发新版", "reviewed": "复审",
               "renewed": "延期换证", "revoked": "撤销", "cancelled": "注销"}


@dataclass
class Outcome:
    """What an action observed: an error, or facts the step's expectations compare with."""

    error: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # field at fault -> its message
    message: str = ""
    facts: dict = field(default_factory=dict)  # count, listed, bound, text, format, status, ...
    summary: str = ""


@dataclass
class HeldCode:
    """The registration SMS code a person has in hand, as the inbox showed it when sent."""

    code: str
    sent_at: str          # the inbox's sent_at: tells this message from a newer one
    wrong_tries: int = 0  # wrong codes typed against it (the portal allows five)


@dataclass
class Context:
    """What the actions share while one scenario runs."""

    world: World
    scenario: Scenario
    calendar: WorkingCalendar
    events: list[Event] = field(default_factory=list)
    certificates: dict[str, str] = field(default_factory=dict)   # alias -> certificate key
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)  # (portal, person) -> token
    sms_codes: dict[tuple[str, str], HeldCode] = field(default_factory=dict)  # (portal, phone)
    seen_changes: dict[str, set[str]] = field(default_factory=dict)   # change id -> kinds drawn
    changes: dict[str, Change] = field(default_factory=dict)  # written during the scenario
    # The named certificates' changes by key as last observed; None once a step may have
    # changed the outbox (run_step says when) or when the observation was cut at its limit.
    observed: dict[str, list[dict]] | None = None

    def portal(self, name: str) -> Portal:
        return self.world.mem if name == "mem" else self.world.national

    def person(self, step: Step) -> Person:
        return self.scenario.people[step.person]

    def token(self, portal: str, step: Step) -> str | None:
        return self.tokens.get((portal, step.person))

    def key(self, alias: str) -> str:
        return self.certificates[alias]

    def alias_of(self, key: str) -> str:
        """Return the scenario's name for a certificate key (the key itself when unnamed)."""
        return next((a for a, k in self.certificates.items() if k == key), key)

    def now(self) -> datetime:
        return self.world.now()

    def event(self, lane: str, kind: str, alias: str, label: str,
              at: datetime | None = None, change: str | None = None) -> None:
        at = at or self.now()
        if at >= self.scenario.start:  # the timeline begins at the start
            self.events.append(Event(at, lane, kind, alias, label, change))

    def observe_replication(self, step: int | None = None) -> bool:
        """Note and draw each named certificate's changes (written, due, delivered, and why
        visible then); say if any is due now. `step`: the step observing (None: the start)."""
        if not self.certificates:
            return False
        now, due_now = self.now(), False
        keys = "".join(f"&key={key}" for key in self.certificates.values())
        rows = self.world.mem.ok(
            "GET", f"/_sim/outbox?limit={OBSERVE_LIMIT}&explain=1{keys}")["changes"]
        self.observed = {} if len(rows) < OBSERVE_LIMIT else None
        aliases: dict[str, str] = {}
        for alias, key in self.certificates.items():
            aliases.setdefault(key, alias)
        for row in rows:
            if self.observed is not None:
                self.observed.setdefault(row["certificate_key"], []).append(row)
            alias = aliases[row["certificate_key"]]
            self._note_change(alias, row, step)
            self._draw_change(alias, row)
            due_now |= row.get("state") == "pending" and bool(row.get("visible_at")) and (
                datetime.fromisoformat(row["visible_at"]) <= now)
        return due_now

    def latest_change(self, key: str, step: int) -> dict | None:
        """Return a named certificate's latest change (None: none written), from the last
        observation while it is current, else observing now (as step `step`)."""
        if self.observed is None:
            self.observe_replication(step)
        if self.observed is None:  # more changes than one observation holds: ask for this one
            rows = self.world.mem.ok("GET", f"/_sim/outbox?key={key}&limit=1000")["changes"]
        else:
            rows = self.observed.get(key, [])
        return rows[-1] if rows else None

    def _note_change(self, alias: str, row: dict, step: int | None) -> None:
        """Keep a change written since the start with its latest explanation; draw the ones
        the starting snapshot wrote (a step draws its own)."""
        written = datetime.fromisoformat(row["created_at"])
        if written < self.scenario.start:
            return
        visible = datetime.fromisoformat(row["visible_at"]) if row.get("visible_at") else None
        known = self.changes.get(row["change_id"])
        if known is None:
            known = self.changes[row["change_id"]] = Change(
                row["change_id"], alias, row["kind"], written, visible, step=step)
            if step is None:
                self.event("ministry", row["kind"], alias,
                           f"{alias} {KIND_LABELS.get(row['kind'], row['kind'])}", written,
                           row["change_id"])
        known.visible_at, known.explanation = visible, list(row.get("explanation") or [])

    def _draw_change(self, alias: str, row: dict) -> None:
        drawn = self.seen_changes.setdefault(row["change_id"], set())
        what = "" if row["kind"] == "issued" else KIND_LABELS.get(row["kind"], row["kind"]) + "·"
        if "due" not in drawn and row.get("visible_at"):
            drawn.add("due")
            self.event("replication", "due", alias, f"{alias} {what}到期",
                       datetime.fromisoformat(row["visible_at"]), row["change_id"])
        if "delivered" not in drawn and row.get("state") == "delivered" and row.get(
                "delivered_at"):
            drawn.add("delivered")
            self.event("national", "delivered", alias, f"{alias} {what}送达",
                       datetime.fromisoformat(row["delivered_at"]), row["change_id"])
