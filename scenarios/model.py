"""What a loaded scenario is: people, steps, times, all checked and ready to run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path


@dataclass(frozen=True)
class Person:
    """Someone the scenario registers, logs in and issues certificates to."""

    alias: str
    name: str
    id_number: str
    phone: str
    password: str
    id_valid_from: date | None = None  # None = 长期有效


@dataclass(frozen=True)
class NamedCertificate:
    """A certificate the starting snapshot already holds, named for later steps."""

    alias: str
    person: str   # the holder, a person of `people`
    item: str     # 操作项目, e.g. 熔化焊接与热切割作业
    line: int


@dataclass(frozen=True)
class Step:
    """One `do` with its parameters and expectations, and where it was written."""

    number: int            # 1-based position in the file
    action: str
    params: dict
    expect: dict
    at: datetime | None
    note: str | None
    line: int
    column: int

    @property
    def person(self) -> str | None:
        return self.params.get("person")

    @property
    def certificate(self) -> str | None:
        return self.params.get("certificate")

    def describe(self) -> str:
        """Return a short label: the action and its main arguments."""
        shown = [f"{k}={v}" for k, v in self.params.items()
                 if k in ("person", "certificate", "category", "item", "as", "for", "until",
                          "national", "outcome", "result")]
        return self.action + (f" ({', '.join(shown)})" if shown else "")


@dataclass(frozen=True)
class Scenario:
    """A scenario file, loaded and checked."""

    path: Path
    name: str
    start: datetime            # the simulated clock when the first step runs
    steps: list[Step]
    people: dict[str, Person] = field(default_factory=dict)
    description: str | None = None
    lag: str | None = None
    snapshot: str | None = None  # the world it starts from; None: an empty world
    certificates: dict[str, NamedCertificate] = field(default_factory=dict)  # held by it

    @property
    def label(self) -> str:
        return f"{self.path.name}: {self.name}"
