"""What the contract says of one endpoint: its bodies, parameters, answers and refusals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

BEARER = "bearer"   # Authorization: Bearer <token from POST /api/v1/login>
SIGNED = "signed"   # the replication wire's three X-Certsim-… headers (shared.wire)


@dataclass(frozen=True)
class Answer:
    """A successful answer: its status, schema, media type and what it means."""

    schema: dict | None
    status: int = 200
    description: str = "OK"
    media_type: str = "application/json"


@dataclass(frozen=True)
class Operation:
    """One endpoint as the document describes it.

    `answers`: the successful answers (the first is the usual one). `errors`: the error codes
    it may answer beyond those its kind implies (`auth`, a body, the control plane); their
    statuses come from `shared.web.errors.STATUS`. `error_fields`: properties some of its
    error bodies carry besides the usual ones (e.g. `face_check`). `query` and `path` map
    parameter names to schemas (`path` refines what the URL map says).
    """

    summary: str
    answers: tuple[Answer, ...]
    body: dict | None = None
    body_required: bool = False
    query: Mapping[str, dict] = field(default_factory=dict)
    required_query: tuple[str, ...] = ()
    path: Mapping[str, dict] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    error_fields: Mapping[str, dict] = field(default_factory=dict)
    auth: str | None = None
    tag: str | None = None
    description: str = ""
    faults: Mapping[int, Answer] = field(default_factory=dict)


def answer(schema: dict | None, status: int = 200, description: str = "OK") -> tuple[Answer]:
    """The one successful answer of most operations."""
    return (Answer(schema, status, description),)


@dataclass(frozen=True)
class Contract:
    """A portal's operations: its JSON API (`/api/v1`) and its control plane (`/_sim`), and
    the pool of schemas they name."""

    title: str
    api: Mapping[str, Operation]
    control: Mapping[str, Operation]
    schemas: Mapping[str, dict]
