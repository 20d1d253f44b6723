"""Load scenario files: YAML, then the JSON Schema, then the checks a schema cannot make.

Every problem names the file, line and column. Loading several files reports the problems of
all of them at once, and nothing runs while any remains.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator

from scenarios.model import NamedCertificate, Person, Scenario, Step
from scenarios.schema_errors import describe
from scenarios.start_checks import StartChecks
from scenarios.timing import after, parse_date, parse_time
from scenarios.yamltree import Document, Problem, YamlProblems, read_document
from shared.errors import DomainError
from shared.lag import parse_lag
from shared.settings import read_settings
from shared.workdays import WorkingCalendar

STEP_KEYS = ("do", "at", "note", "expect")
DEFAULT_PASSWORD = "Abc12345!"
SUFFIXES = (".yaml", ".yml")
ANNOTATIONS = {"description", "title", "$comment", "examples", "default"}  # never fail
DATA_KEYWORDS = {"const", "enum", "default", "examples"}  # their values are data, not schemas


class ScenarioLoadError(Exception):
    """One or more scenario files are wrong; `problems` lists each with file:line:column."""

    def __init__(self, problems: list[Problem]):
        problems = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@cache
def schema() -> dict:
    """Return the published JSON Schema of scenario files."""
    return json.loads(resources.files("scenarios").joinpath("schema.json").read_text("utf-8"))


@cache
def _validator(ref: str | None = None) -> Draft202012Validator:
    """Return a validator for the whole schema as published, or for one of its definitions
    (`ref`) with every reference inside it written out (see `_inlined`)."""
    if ref is None:
        return Draft202012Validator(schema())
    return Draft202012Validator(_inlined({"$ref": ref}))


@cache
def _top_level_validator() -> Draft202012Validator:
    """Validate everything but the steps and the start (each is checked on its own)."""
    top = _inlined({key: value for key, value in schema().items() if key != "$defs"})
    top["properties"] = {**top["properties"], "start": True,  # a time or a snapshot
                         "steps": {**top["properties"]["steps"], "items": True}}
    return Draft202012Validator(top)


def _inlined(node, within: tuple[str, ...] = ()):
    """Return `node` with each `{"$ref": "#/$defs/…"}` replaced by what it names.

    The validator then never looks a reference up: that lookup was half the time of loading
    a file. A reference beside other keywords becomes `allOf: [what it names]` in its place,
    so errors keep their order and point at the same schema; beside annotations only (a
    description), it becomes what it names (no error comes from an annotation). The
    definitions do not refer to themselves (a loop is refused)."""
    if isinstance(node, list):
        return [_inlined(item, within) for item in node]
    if not isinstance(node, dict):
        return node
    inlined = {}
    for key, value in node.items():
        if key == "$ref":
            if value in within:
                raise ValueError(f"the scenario schema refers to {value} from within itself")
            named = _inlined(_named(value), (*within, value))
            if node.keys() <= ANNOTATIONS | {"$ref"}:
                return named
            key, value = "allOf", [named]
        elif key not in DATA_KEYWORDS:
            value = _inlined(value, within)
        inlined[key] = value
    return inlined


def _named(ref: str):
    """Return the part of the schema a `#/…` reference names."""
    node = schema()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def scenario_files(paths: list[str | Path]) -> list[Path]:
    """Expand directories into the scenario files under them, sorted; keep files as given."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            found.append(path)
    return found


def load_files(paths: list[str | Path], calendar: WorkingCalendar | None = None) -> list[Scenario]:
    """Load every scenario file under `paths`, or raise ScenarioLoadError listing all problems."""
    scenarios, problems = [], []
    for path in scenario_files(paths):
        try:
            scenarios.append(load_file(path, calendar))
        except ScenarioLoadError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioLoadError(problems)
    return scenarios


def load_file(path: str | Path, calendar: WorkingCalendar | None = None) -> Scenario:
    """Load one scenario file or raise ScenarioLoadError."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioLoadError([Problem(str(path), 1, 1, f"cannot read the file: {exc}")]) from None
    return load_text(text, str(path), calendar)


def load_text(text: str, filename: str, calendar: WorkingCalendar | None = None) -> Scenario:
    """Load a scenario from its YAML text; `filename` is used in messages."""
    try:
        doc = read_document(text, filename)
    except YamlProblems as exc:
        raise ScenarioLoadError(exc.problems) from None
    problems = [Problem(filename, *_line_column(doc, path, key), message)
                for path, key, message in _schema_problems(doc)]
    if problems:
        raise ScenarioLoadError(problems)
    checker = _Checker(doc, filename, calendar or read_settings(os.environ).calendar())
    scenario = checker.scenario(Path(filename))
    if checker.problems:
        raise ScenarioLoadError(checker.problems)
    return scenario


def _schema_problems(doc: Document):
    """Yield (path, point-at-key, message) for each schema violation, most specific first.

    Same verdict as validating against the whole schema, but each step goes straight to the
    definition of its action instead of through the 24 if/then branches (ten times faster).
    """
    seen = set()
    for prefix, error in _schema_errors(doc.value):
        found = describe(error, prefix)
        if found and found[:2] not in seen:  # one message per place: the first is the clearest
            seen.add(found[:2])
            yield found


def _schema_errors(data):
    """Yield (path prefix, error) from the top level, the start, then from each step."""
    yield from (((), e) for e in _top_level_validator().iter_errors(data))
    start = data.get("start") if isinstance(data, dict) else None
    if start is not None:  # the form written decides the definition: clearer messages
        ref = "#/$defs/snapshot_start" if isinstance(start, dict) else "#/$defs/time"
        yield from ((("start",), e) for e in _validator(ref).iter_errors(start))
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list):
        return
    actions = schema()["$defs"]["actions"]
    for i, step in enumerate(steps):
        action = step.get("do") if isinstance(step, dict) else None
        ref = (f"#/$defs/actions/{action}" if isinstance(action, str) and action in actions
               else "#/$defs/step")
        yield from ((("steps", i), e) for e in _validator(ref).iter_errors(step))


def _line_column(doc: Document, path: tuple, key: bool) -> tuple[int, int]:
    mark = doc.mark(path, key=key)
    return mark.line, mark.column


class _Checker(StartChecks):
    """The checks after the schema: start, times, lag, aliases and time order."""

    def __init__(self, doc: Document, filename: str, calendar: WorkingCalendar):
        self.doc, self.filename, self.calendar = doc, filename, calendar
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(self.filename, *_line_column(self.doc, path, key), message))

    def time(self, path: tuple) -> datetime | None:
        """Parse the time at `path`, or record why it is not one."""
        try:
            return parse_time(_get(self.doc.value, path))
        except ValueError as exc:
            self.problem(path, f"not a valid time: {exc}")
            return None

    def date(self, path: tuple):
        value = _get(self.doc.value, path)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.problem(path, f"not a valid date: {exc}")
            return None

    def scenario(self, path: Path) -> Scenario:
        """Build the Scenario, recording every problem found on the way."""
        data = self.doc.value
        start, snapshot = self.start()
        lag = data.get("replication", {}).get("lag")
        if lag is not None:
            try:
                parse_lag(str(lag), field="replication.lag")
            except DomainError as exc:
                self.problem(("replication", "lag"), exc.message)
        people = {alias: self.person(alias, i, spec)
                  for i, (alias, spec) in enumerate(data.get("people", {}).items())}
        named = self.named_certificates(snapshot, people)
        steps = [self.step(i, raw) for i, raw in enumerate(data["steps"])]
        self.check_aliases(steps, people, named)
        if start is not None:
            self.check_time_order(steps, start)
        return Scenario(path=path, name=data["name"], start=start, steps=steps, people=people,
                        description=data.get("description"),
                        lag=None if lag is None else str(lag), snapshot=snapshot,
                        certificates=named)

    def person(self, alias: str, position: int, spec: dict) -> Person:
        """Build a Person, filling the fields the file leaves out."""
        return Person(alias=alias, name=spec["name"], id_number=spec["id_number"],
                      phone=spec.get("phone", f"1390000{position + 1:04d}"),
                      password=spec.get("password", DEFAULT_PASSWORD),
                      id_valid_from=self.date(("people", alias, "id_valid_from")))

    def step(self, index: int, raw: dict) -> Step:
        """Build a Step, parsing its times and dates."""
        where = ("steps", index)
        for key in ("issued_on", "id_valid_from"):
            if raw.get(key) is not None:
                self.date((*where, key))
        if raw.get("expect", {}).get("visible_from") is not None:
            self.date((*where, "expect", "visible_from"))
        if raw.get("expect", {}).get("visible_at") is not None:
            self.time((*where, "expect", "visible_at"))
        if "until" in raw:
            self.time((*where, "until"))
        mark = self.doc.mark(where)
        return Step(number=index + 1, action=raw["do"],
                    params={k: v for k, v in raw.items() if k not in STEP_KEYS},
                    expect=dict(raw.get("expect", {})),
                    at=self.time((*where, "at")) if "at" in raw else None,
                    note=raw.get("note"), line=mark.line, column=mark.column)

    def check_aliases(self, steps: list[Step], people: dict[str, Person],
                      named: dict[str, NamedCertificate]) -> None:
        """Every person must be listed; every certificate named under `certificates` or by an
        earlier `as`."""
        certificates: dict[str, int] = dict.fromkeys(named, 0)  # 0: under `certificates`
        for step in steps:
            where = ("steps", step.number - 1)
            if step.person is not None and step.person not in people:
                self.problem((*where, "person"), f"unknown person {step.person!r}: list it "
                             f"under `people` (known: {', '.join(people) or 'none'})")
            used = [((*where, "certificate"), step.certificate)] if step.certificate else []
            used += [((*where, "expect", key, i), alias)
                     for key in ("includes", "excludes", "bound")
                     for i, alias in enumerate(step.expect.get(key, []))]
            for path, alias in used:
                if alias not in certificates:
                    self.problem(path, f"unknown certificate {alias!r}: name it with `as:` in an "
                                 f"earlier issue step (known: {', '.join(certificates) or 'none'})")
            if "as" in step.params:
                self.define(certificates, step, (*where, "as"))

    def define(self, certificates: dict[str, int], step: Step, path: tuple) -> None:
        alias = step.params["as"]
        if alias in certificates:
            by = f"step {certificates[alias]}" if certificates[alias] else "`certificates`"
            self.problem(path, f"certificate {alias!r} is already named by {by}")
        certificates.setdefault(alias, step.number)

    def check_time_order(self, steps: list[Step], start: datetime) -> None:
        """The clock never goes backwards: each `at` and `until` is at or after the time before."""
        now, since = start, "the start"
        for step in steps:
            where = ("steps", step.number - 1)
            if step.at is not None:
                now = self.forwards(now, since, step.at, (*where, "at"))
                since = f"step {step.number}"
            if step.action != "wait":
                continue
            if "until" in step.params:
                until = _quiet_time(step.params["until"])  # step() reported a bad one
                if until is not None:
                    now = self.forwards(now, since, until, (*where, "until"))
            else:
                try:
                    now = after(now, step.params["for"], self.calendar)
                except (ValueError, DomainError) as exc:
                    self.problem((*where, "for"), str(getattr(exc, "message", exc)))
            since = f"step {step.number}"

    def forwards(self, now: datetime, since: str, target: datetime, path: tuple) -> datetime:
        """Return `target`, or record that it goes back before `now`."""
        if target < now:
            self.problem(path, f"time goes backwards: {target.isoformat()} is before "
                               f"{now.isoformat()}, the simulated time reached by {since}")
            return now
        return target


def _quiet_time(text: str) -> datetime | None:
    try:
        return parse_time(text)
    except ValueError:
        return None


def _get(data, path: tuple):
    """Return the value at `path`, or None when any part is missing."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
