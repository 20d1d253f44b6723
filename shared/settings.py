"""What every process of certsim shares, read once from the environment by its entry point.

The entry points (the portals' app factories, `python -m sync`, the `certsim` command, the
scenario runner) pass their environment to `read_settings`; nothing under `shared/` reads it
itself. One variable per line, so this table and the README's stay easy to compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.authorities import DEFAULT_MINISTRY_CODE, DEFAULT_TYPE_CODE
from shared.clock import Clock, SystemClock
from shared.keys import development_value
from shared.lag import DEFAULT_LAG
from shared.workdays import WorkingCalendar, configured_calendar
from shared.world import WorldClock, WorldState, WorldStore, world_store

TRUE = ("1", "true", "yes", "on")


def flag(value: str) -> bool:
    """Read a yes/no variable."""
    return value.strip().lower() in TRUE


@dataclass(frozen=True)
class Settings:
    """The process-wide settings; each field's variable is in VARIABLES."""

    var_dir: Path = Path("var")
    world_spec: str | None = None        # a file path or a PostgreSQL URL; None: var/world.json
    clock_spec: str = "world"            # "world": the world's time; "system": real time
    calendar_file: str | None = None
    calendar_fallback: str | None = None
    ministry_code: str = DEFAULT_MINISTRY_CODE
    type_code: str = DEFAULT_TYPE_CODE
    sync_secret: str = development_value("SYNC_SECRET")
    seal_seed: str = development_value("CERTSIM_SEAL_SEED")
    sync_lag: str = DEFAULT_LAG
    sync_lag_seed: int = 0
    mem_database_url: str | None = None
    national_database_url: str | None = None

    def world(self) -> WorldStore:
        """The store of the world (CERTSIM_WORLD); a new world starts with SYNC_LAG."""
        where = self.world_spec or str(self.var_dir / "world.json")
        return world_store(where, WorldState(lag=self.sync_lag, lag_seed=self.sync_lag_seed))

    def clock(self, world: WorldStore | None = None) -> Clock:
        """The world's clock (real time until it has a simulated one), or real time by choice."""
        if self.clock_spec == "system":
            return SystemClock()
        return WorldClock(world or self.world())

    def calendar(self) -> WorkingCalendar:
        """The working-day calendar, with CERTSIM_CALENDAR_FILE and _FALLBACK."""
        return configured_calendar(self.calendar_file, self.calendar_fallback)

    def database_url(self, database: str) -> str:
        """The URL of "mem" or "national": as set, else a SQLite file under var/."""
        url = self.mem_database_url if database == "mem" else self.national_database_url
        return url or f"sqlite:///{(self.var_dir / f'{database}.sqlite3').resolve()}"


# environment variable -> (field, parser)
VARIABLES = {
    "CERTSIM_VAR_DIR": ("var_dir", Path),
    "CERTSIM_WORLD": ("world_spec", str),
    "CERTSIM_CLOCK": ("clock_spec", str),
    "CERTSIM_CALENDAR_FILE": ("calendar_file", str),
    "CERTSIM_CALENDAR_FALLBACK": ("calendar_fallback", str),
    "CERTSIM_MINISTRY_CODE": ("ministry_code", str),
    "CERTSIM_TYPE_CODE": ("type_code", str),
    "SYNC_SECRET": ("sync_secret", str),
    "CERTSIM_SEAL_SEED": ("seal_seed", str),
    "SYNC_LAG": ("sync_lag", str),
    "SYNC_LAG_SEED": ("sync_lag_seed", int),
    "MEM_DATABASE_URL": ("mem_database_url", str),
    "NATIONAL_DATABASE_URL": ("national_database_url", str),
}


def read_settings(environ: Mapping[str, str]) -> Settings:
    """Return the settings the given environment sets (the rest keep their defaults)."""
    return Settings(**{name: parse(environ[variable])
                       for variable, (name, parse) in VARIABLES.items() if environ.get(variable)})
