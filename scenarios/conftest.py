"""Collect every scenario file under `scenarios/` as a test, so `make test` replays the library.

One test item per file, named after the scenario; a failure shows the console report of that
scenario (each step with its simulated time, ✓/✗, expected vs actual). A file that does not
load fails at collection with its file:line:column problems.
"""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import create_engine, text

from scenarios.loader import SUFFIXES, ScenarioLoadError, load_file
from scenarios.model import Scenario
from scenarios.reporting.console import ConsoleReport
from scenarios.runner import run_scenario
from scenarios.world import InProcessWorlds
from shared.settings import read_settings

POSTGRES_URL = os.environ.get("CERTSIM_TEST_POSTGRES_URL")


def _postgres_urls(database: str) -> str:
    """A fresh schema of this process for one portal's database on the test PostgreSQL."""
    schema = f"certsim_{os.getpid()}_scenario_{database}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


# One pair of apps per backend and test process, restarted for each scenario. PostgreSQL runs
# only when CERTSIM_TEST_POSTGRES_URL is set (CI sets it when a server answers).
WORLDS = {"sqlite": InProcessWorlds()}
if POSTGRES_URL:
    WORLDS["postgres"] = InProcessWorlds(urls=_postgres_urls)


def pytest_sessionfinish(session, exitstatus):
    """Close the shared apps."""
    for worlds in WORLDS.values():
        worlds.discard()


def pytest_collect_file(parent, file_path):
    """Collect `*.yaml` files (the scenario library) found under this directory."""
    if file_path.suffix in SUFFIXES:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """A scenario file: loaded at collection, one item."""

    def collect(self):
        scenario = load_file(self.path)
        for backend in WORLDS:
            yield ScenarioItem.from_parent(self, name=f"{scenario.name}[{backend}]",
                                           scenario=scenario, backend=backend)

    def repr_failure(self, excinfo):
        if excinfo.errisinstance(ScenarioLoadError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class ScenarioFailed(Exception):
    """A scenario replayed with an unmet expectation or a crash."""


class ScenarioItem(pytest.Item):
    """Replay one scenario in-process."""

    def __init__(self, *, scenario: Scenario, backend: str, **kwargs):
        super().__init__(**kwargs)
        self.scenario, self.backend = scenario, backend

    def runtest(self):
        calendar = read_settings(os.environ).calendar()
        result = run_scenario(self.scenario, WORLDS[self.backend], calendar)
        if not result.passed:
            out = io.StringIO()
            ConsoleReport(calendar, out, color=False).scenario(result)
            raise ScenarioFailed(f"{result.failure_text()}\n\n{out.getvalue()}")

    def repr_failure(self, excinfo):
        if excinfo.errisinstance(ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.scenario.name}"
