"""Where the suites find the files they read: the scenario library, its schema, the fixtures."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "scenarios" / "library"
SCHEMA_FILE = REPO / "scenarios" / "schema.json"
SCENARIO_FILES = REPO / "tests" / "scenario_files"
