"""Turn the journal of a recording (shared.recording) into a scenario file (format v1).

Each event that says what was done becomes a step, at the world's time it happened, with the
expectations taken from what the holder saw (licences listed or bound, statuses, refusals and
their fields, the FAQ guidance). What the format cannot say is returned as `Unexpressed`, with
the request it came from, and left out of the file; the rest is still written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import yaml

from scenarios.guidance import faq_text
from scenarios.loader import schema
from scenarios.recorded_people import NotExpressible, People
from shared.clock import SHANGHAI
from shared.recording import Recording

FACE_PURPOSES = {"licences", "bind"}  # a login's face check; "register" is the registration's
GUIDANCE_PREFIX = 24  # characters of each FAQ line a step expects (原因一：… then the reason)


@dataclass(frozen=True)
class Unexpressed:
    """A request the scenario format cannot say, and why."""

    at: str
    method: str
    path: str
    why: str

    def line(self) -> str:
        at = datetime.fromisoformat(self.at).astimezone(SHANGHAI)
        return f"{at:%Y-%m-%d %H:%M:%S} {self.method} {self.path}: {self.why}"


@dataclass
class Recorded:
    """A recording as a scenario: the document (written with `to_yaml`) and what it left out."""

    document: dict
    unexpressed: list[Unexpressed] = field(default_factory=list)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.document, allow_unicode=True, sort_keys=False, width=100)


def translate(recording: Recording, events: list[dict], *, title: str | None = None) -> Recorded:
    """Return the scenario `events` tell, started where `recording` started."""
    return _Translator(recording, events).scenario(title or recording.name)


def _error_codes() -> set[str]:
    return set(schema()["$defs"]["expect"]["properties"]["error"]["enum"])


class _Translator:
    def __init__(self, recording: Recording, events: list[dict]):
        self.recording, self.events = recording, events
        self.people = People(events)
        self.now = _instant(recording.started_at)
        self.certificates: dict[str, str] = {}       # key -> alias
        self.from_snapshot: dict[str, dict] = {}     # alias -> {person, item}
        self.logged_in: set[tuple[str, str]] = set()  # (portal, person alias)
        self.steps: list[dict] = []
        self.unexpressed: list[Unexpressed] = []
        self.errors = _error_codes()

    def scenario(self, title: str) -> Recorded:
        for event in self.events:
            try:
                self.step(event)
            except NotExpressible as exc:
                request = event.get("request") or {}
                self.unexpressed.append(Unexpressed(
                    event["at"], request.get("method", "?"), request.get("path", "?"), str(exc)))
        return Recorded(self.document(title), self.unexpressed)

    def document(self, title: str) -> dict:
        start = self.recording.started_at
        doc = {"version": 1, "name": title,
               "description": f"recorded by certsim from {_local(_instant(start))}",
               "start": {"snapshot": self.recording.snapshot} if self.recording.snapshot
               else _local(_instant(start)),
               "replication": {"lag": self.recording.lag}, "people": self.people.document()}
        if self.from_snapshot:
            doc["certificates"] = self.from_snapshot
        doc["steps"] = self.steps or [{"do": "wait", "for": "1m",
                                       "note": "nothing was recorded"}]
        return doc

    def step(self, event: dict) -> None:
        action = event.get("action")
        if action is None:
            raise NotExpressible("the scenario format has no step for this request")
        handler = getattr(self, "on_" + action, None)
        if handler is None:
            raise NotExpressible(f"no scenario step for {action!r}")
        handler(event)

    # -- helpers -----------------------------------------------------------------------------

    def emit(self, event: dict, do: str, params: dict | None = None,
             expect: dict | None = None, *, timed: bool = True) -> None:
        step = {}
        if timed:
            at = max(self.now, _instant(event["at"]))
            self.now = at
            step["at"] = _local(at)
        step["do"] = do
        step.update(params or {})
        if expect:
            step["expect"] = expect
        self.steps.append(step)

    def refusal(self, event: dict) -> dict:
        """The `expect` of a refused step, or {} when it succeeded."""
        error = event.get("error")
        if error is None:
            return {}
        error = "not_found" if error == "http_404" else error
        if error not in self.errors:
            raise NotExpressible(f"refused with {error!r}, an error scenarios cannot expect")
        fields = sorted(event.get("fields") or {})
        return {"error": error, **({"fields": fields} if len(fields) > 1 else
                                   {"field": fields[0]} if fields else {})}

    def holder(self, event: dict) -> str:
        holder = event.get("holder")
        if not holder:
            raise NotExpressible("no holder was logged in")
        return self.people.alias_of(holder["id_number"])

    def logged_in_holder(self, event: dict) -> str:
        alias = self.holder(event)
        if (event["source"], alias) not in self.logged_in:
            raise NotExpressible(f"{alias} acted in a login begun before the recording")
        return alias

    def certificate(self, ref: dict | None) -> str:
        if not ref or ref.get("key") not in self.certificates and "item" not in ref:
            raise NotExpressible("a licence the recording cannot name")
        key = ref["key"]
        if key not in self.certificates:
            if not self.recording.snapshot:
                raise NotExpressible(f"licence {key} was not issued during the recording")
            alias = f"c{len(self.certificates) + 1}"
            self.certificates[key] = alias
            self.from_snapshot[alias] = {"person": self.people.meet_holder(ref),
                                         "item": ref["item"]}
        return self.certificates[key]

    def guidance(self, facts: dict) -> list[str]:
        text = faq_text(facts.get("guidance") or [])
        return [line[:GUIDANCE_PREFIX] for line in text.splitlines()]

    # -- holders -----------------------------------------------------------------------------

    def on_sms_code(self, event: dict) -> None:
        """获取验证码: the registration step asks for its code itself."""

    def on_register(self, event: dict) -> None:
        portal, typed = event["source"], event.get("typed") or {}
        alias = self.people.registrant(event)
        params = {"person": alias, **self.people.overrides(alias, typed)}
        expect = self.refusal(event)
        faulted = set(event.get("fields") or {})
        if "sms_code" in faulted:
            params["sms_code"] = typed.get("sms_code") or ""
        if portal == "mem" and "captcha" in faulted:
            params["captcha_answer"] = typed.get("captcha_answer") or ""
        self.emit(event, f"{portal}.register", params, expect)

    def on_login(self, event: dict) -> None:
        portal, typed = event["source"], event.get("typed") or {}
        alias = self.people.login_person(event)
        person = self.people.spec(alias)
        params = {"person": alias}
        if typed.get("login", "").strip().upper() == person["id_number"]:
            params["with"] = "id_number"
        if typed.get("password") != person.get("password"):
            params["password"] = typed.get("password") or ""
        expect = self.refusal(event)
        self.emit(event, f"{portal}.login", params, expect)
        if not expect:
            self.logged_in.add((portal, alias))

    def on_logout(self, event: dict) -> None:
        alias = self.logged_in_holder(event)
        self.emit(event, f"{event['source']}.logout", {"person": alias}, self.refusal(event))
        self.logged_in.discard((event["source"], alias))

    def on_verify_identity(self, event: dict) -> None:
        facts = event.get("facts") or {}
        if facts.get("purpose") not in FACE_PURPOSES:
            return  # the registration's own check: its step walks it
        alias = self.logged_in_holder(event)
        params = {"person": alias}
        expect = self.refusal(event)
        if facts.get("outcome") == "fail" and not expect:
            params["outcome"], expect = "fail", {"error": "identity_failed"}
        self.emit(event, f"{event['source']}.verify_identity", params, expect)

    def on_my_licences(self, event: dict) -> None:
        alias, facts = self.logged_in_holder(event), event.get("facts") or {}
        expect = self.refusal(event)
        if not expect:
            listed = [self.certificate(ref) for ref in facts.get("listed", [])]
            expect = {"count": len(listed), **({"includes": listed} if listed else {})}
            if guidance := self.guidance(facts):
                expect["guidance"] = guidance
        self.emit(event, f"{event['source']}.my_licences", {"person": alias}, expect)

    def on_preview(self, event: dict) -> None:
        self.licence_step(event, "mem.preview", {})

    def on_download(self, event: dict) -> None:
        self.licence_step(event, "mem.download", {"format": "ofd"})

    def on_details(self, event: dict) -> None:
        status = (event.get("facts") or {}).get("status")
        self.licence_step(event, "national.details", {"status": status} if status else {})

    def on_unbind(self, event: dict) -> None:
        self.licence_step(event, "national.unbind", {})

    def licence_step(self, event: dict, do: str, seen: dict) -> None:
        alias = self.logged_in_holder(event)
        certificate = self.certificate((event.get("facts") or {}).get("certificate"))
        expect = self.refusal(event) or seen
        self.emit(event, do, {"person": alias, "certificate": certificate}, expect)

    def on_bind(self, event: dict) -> None:
        alias, facts = self.logged_in_holder(event), event.get("facts") or {}
        expect = self.refusal(event)
        if not expect:
            bound = [self.certificate(ref) for ref in facts.get("bound", [])]
            listed = [self.certificate(ref) for ref in facts.get("listed", [])]
            expect = {"bound": bound, "count": len(listed)}
            if facts.get("message"):
                expect["text"] = facts["message"]
            if guidance := self.guidance(facts):
                expect["guidance"] = guidance
        self.emit(event, "national.bind", {"person": alias}, expect)

    # -- back office and simulation ------------------------------------------------------------

    def on_issue(self, event: dict) -> None:
        facts = event.get("facts") or {}
        ref = facts.get("certificate")
        if not ref:
            raise NotExpressible("an issue the ministry refused names no certificate")
        alias = f"c{len(self.certificates) + 1}"
        self.certificates[ref["key"]] = alias
        params = {"person": self.people.meet_holder(ref), "category": ref["category"],
                  "item": ref["item"]}
        if facts.get("version") in ("old", "old_ic"):
            params["version"] = "old"
        for key in ("issued_on", "authority"):
            if facts.get(key):
                params[key] = facts[key]
        self.emit(event, "issue", {**params, "as": alias})

    def on_review(self, event: dict) -> None:
        self.change(event, "review", "result")

    def on_renew(self, event: dict) -> None:
        self.change(event, "renew", None)

    def on_revoke(self, event: dict) -> None:
        self.change(event, "revoke", "reason")

    def on_cancel(self, event: dict) -> None:
        self.change(event, "cancel", "reason")

    def change(self, event: dict, do: str, detail: str | None) -> None:
        facts = event.get("facts") or {}
        if facts.get("dated"):
            raise NotExpressible(f"{do} dated {facts['dated']}: a step {do}s on its own day")
        params = {"certificate": self.certificate(facts.get("certificate"))}
        if detail and facts.get(detail):
            params[detail] = facts[detail]
        self.emit(event, do, params, self.refusal(event))

    def on_clock(self, event: dict) -> None:
        target = _instant((event.get("facts") or {})["to"])
        if target > self.now:  # pausing or resuming: each step's `at` says when it happened
            self.now = target
            self.emit(event, "wait", {"until": _local(target)}, timed=False)

    def on_sync(self, event: dict) -> None:
        self.emit(event, "sync")

    def on_fault(self, event: dict) -> None:
        facts = event.get("facts") or {}
        params = {"national": facts["mode"]}
        if facts.get("calls"):
            params["calls"] = int(facts["calls"])
        self.emit(event, "fault", params)
        if facts.get("delay") is not None:
            request = event.get("request") or {}
            self.unexpressed.append(Unexpressed(
                event["at"], request.get("method", "?"), request.get("path", "?"),
                f"the fault step keeps no delay ({facts['delay']}s): replayed with the default"))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _local(moment: datetime) -> str:
    """The moment in Beijing time, exactly (a running clock's instants keep their fraction:
    a step never lands before the moment it happened, nor after the next one)."""
    exact = "microseconds" if moment.microsecond else "seconds"
    return moment.astimezone(SHANGHAI).isoformat(timespec=exact)
