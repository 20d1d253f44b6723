"""A recording of a session: what people, the back office and the simulator did between 开始录制
and 停止录制, kept as a journal of events in the world store (every process appends to it).

An event is a plain JSON object; `event()` builds one. Its keys:

- `at`: the world's time when it happened (ISO 8601); `source`: `mem`, `national` (a portal's
  request), `cli` (a `certsim` command) or `console`;
- `request`: `{method, path}` for a portal's request, `{command}` for the CLI's;
- `action`: what was done, intent-level (`login`, `register`, `bind`, `issue`, `clock` …), or
  absent when the request meant nothing the recording knows (it is reported at stop time);
- `holder`: the account acting (`name`, `id_number`, `phone`); `typed`: what the holder typed
  (the login name, the password, the registration form);
- `facts`: what the holder saw or the back office did (licences listed or bound, statuses,
  the FAQ guidance, the clock's new time …);
- `error`, `fields`: the refusal the answer carried, with each field's message.

The scenario format these become is the composition root's (`scenarios.recorder`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime


@dataclass(frozen=True)
class Recording:
    """A recording in progress: its name, the world's time it started at, the lag policy then,
    and the snapshot saved at its start (a world that was not empty), if any."""

    name: str
    started_at: str
    lag: str
    lag_seed: int = 0
    snapshot: str | None = None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> Recording | None:
        return cls(**data) if data else None


def event(at: datetime, source: str, action: str | None, *, request: dict | None = None,
          **parts) -> dict:
    """Return one journal event (parts that are None are left out)."""
    found = {"at": at.isoformat(), "source": source, "action": action, "request": request}
    return {key: value for key, value in {**found, **parts}.items() if value is not None}


def holder_json(account) -> dict:
    """The acting holder, as an event names them (the account row of either portal)."""
    return {"name": account.name, "id_number": account.id_number, "phone": account.phone}


def licence_ref(row) -> dict:
    """A licence as an event names it: its key, holder and 操作项目 (either portal's row)."""
    return {"key": row.certificate_key, "name": row.holder_name,
            "id_number": row.holder_id_number, "category": row.category, "item": row.item}
