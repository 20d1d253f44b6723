"""The step vocabulary: each action drives the portals over their APIs and reports an Outcome.

`ACTIONS` maps every `do:` name of the schema to its function `(context, step) -> Outcome`.
"""

from __future__ import annotations

from collections.abc import Callable

from scenarios.context import Context, Outcome
from scenarios.model import Step

Action = Callable[[Context, Step], Outcome]
ACTIONS: dict[str, Action] = {}


def action(*names: str):
    """Register a function under one or more `do:` names."""

    def register(function: Action) -> Action:
        for name in names:
            ACTIONS[name] = function
        return function

    return register


def _load() -> None:
    from scenarios.actions import accounts, backoffice, licences, simulation  # noqa: F401


_load()
