"""One world as `certsim run` lays it out, for tests that drive the CLI, the console or
snapshots: both databases (migrated) and the world file under a test's folder, named in the
process's environment so that every entry point finds them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from certsim import world
from shared.world import FileStore, WorldState


def lay_out_world(monkeypatch, tmp_path: Path,
                  database_url: Callable[[str], str] | None = None) -> FileStore:
    """Name both databases (SQLite files under tmp_path unless `database_url` gives another
    per database), the var folder and the world file; migrate; return the world (lag 3wd)."""
    for name in ("mem", "national"):
        url = database_url(name) if database_url else f"sqlite:///{tmp_path / (name + '.sqlite3')}"
        monkeypatch.setenv(f"{name.upper()}_DATABASE_URL", url)
    monkeypatch.setenv("CERTSIM_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("CERTSIM_WORLD", str(tmp_path / "world.json"))
    monkeypatch.delenv("CERTSIM_CLOCK", raising=False)
    for name in ("mem", "national"):
        world.migrate(name)
    return FileStore(tmp_path / "world.json", WorldState(lag="3wd"))
