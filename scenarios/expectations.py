"""Compare what a step observed with what its `expect` says; return "expected …, got …" lines."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from scenarios.context import Outcome
from scenarios.model import Step


def compare(step: Step, outcome: Outcome) -> list[str]:
    """Return one line per unmet expectation (none when the step passed)."""
    expect = step.expect
    failures = _error_lines(expect, outcome)
    if failures:  # the wrong outcome altogether: the other keys would only repeat it
        return failures
    for key in ("count", "status", "replicated", "visible_from", "national_revision", "format"):
        if key in expect:
            failures += _equal(key, expect[key], outcome.facts)
    if "visible_at" in expect:
        failures += _same_time(expect["visible_at"], outcome.facts)
    for key, check in (("includes", _includes), ("excludes", _excludes), ("bound", _bound)):
        if key in expect:
            failures += check(expect[key], outcome.facts)
    for key in ("text", "guidance"):
        if key in expect:
            failures += _contains(key, expect[key], outcome.facts)
    return failures


def _error_lines(expect: dict, outcome: Outcome) -> list[str]:
    wanted = expect.get("error")
    if wanted is None:
        if outcome.error:
            where = f" on {', '.join(outcome.fields)}" if outcome.fields else ""
            return [f"expected success, got error {outcome.error}{where}: {outcome.message}"]
        return []
    if outcome.error != wanted:
        got = f"error {outcome.error}: {outcome.message}" if outcome.error else "success"
        return [f"expected error {wanted}, got {got}"]
    field = expect.get("field")
    if field is not None and field not in outcome.fields:
        return [f"expected error {wanted} on field {field}, got it on "
                f"{', '.join(outcome.fields) or 'no field'}: {outcome.message}"]
    return _fields(expect["fields"], outcome.fields) if "fields" in expect else []


def _fields(wanted: list[str] | dict[str, str], fields: dict[str, str]) -> list[str]:
    """Exactly the fields named are at fault; with a mapping, each message says its text."""
    if set(wanted) != set(fields):
        said = "；".join(f"{name} {message}" for name, message in fields.items())
        return [f"expected errors on {_show(list(wanted))}, got them on {_show(list(fields))}"
                + (f": {said}" if said else "")]
    texts = wanted.items() if isinstance(wanted, dict) else []
    return [f"expected the error on {name} to say {text}, got: {fields[name]}"
            for name, text in texts if text not in fields[name]]


def _fact(key: str, facts: dict):
    if key not in facts:
        return None, [f"expected {key}, but this step reported none"]
    return facts[key], []


def _equal(key: str, wanted, facts: dict) -> list[str]:
    got, missing = _fact(key, facts)
    if missing:
        return missing
    return [] if got == wanted else [f"expected {key} {_show(wanted)}, got {_show(got)}"]


def _same_time(wanted: str | None, facts: dict) -> list[str]:
    """The latest change is visible from the instant wanted (any offset), to the minute."""
    got, missing = _fact("visible_at", facts)
    if missing:
        return missing
    same = got == wanted if None in (got, wanted) else (
        datetime.fromisoformat(got) == datetime.fromisoformat(wanted))
    return [] if same else [f"expected visible_at {_show(wanted)}, got {_show(got)}"]


def _includes(wanted: list[str], facts: dict) -> list[str]:
    listed, missing = _fact("listed", facts)
    absent = [a for a in wanted if a not in (listed or [])]
    return missing or ([f"expected {', '.join(absent)} listed, got {_show(listed)}"]
                       if absent else [])


def _excludes(wanted: list[str], facts: dict) -> list[str]:
    listed, missing = _fact("listed", facts)
    present = [a for a in wanted if a in (listed or [])]
    return missing or ([f"expected {', '.join(present)} not listed, got {_show(listed)}"]
                       if present else [])


def _bound(wanted: list[str], facts: dict) -> list[str]:
    bound, missing = _fact("bound", facts)
    if missing:
        return missing
    return [] if Counter(bound) == Counter(wanted) else [
        f"expected bound {_show(sorted(wanted))}, got {_show(sorted(bound))}"]


def _contains(key: str, wanted, facts: dict) -> list[str]:
    """The step's `text` (or its FAQ, `guidance`) says every substring wanted."""
    text, missing = _fact(key, facts)
    if missing:
        return missing
    wanted = [wanted] if isinstance(wanted, str) else wanted
    absent = [w for w in wanted if w not in text]
    if not absent:
        return []
    if not text:
        return [f"expected {key} {_show(absent)}, but this step's answer said none"]
    excerpt = text if len(text) <= 160 else text[:157] + "…"
    return [f"expected {key} {_show(absent)}, not found in: {excerpt}"]


def _show(value) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
