"""`certsim run` never serves the network on a development secret (issue 12, item 1).

On this machine it generates secrets once per install into var/ (0600); for another address
every secret must be set, and a missing or published one stops it before anything starts.
"""

from __future__ import annotations

import json
import stat

import pytest

from certsim.cli import main
from certsim.keys import SERVED
from certsim.run import environment
from shared.keys import DEVELOPMENT_VALUES


@pytest.fixture(autouse=True)
def no_secrets_set(monkeypatch):
    for name in SERVED:
        monkeypatch.delenv(name, raising=False)


def test_on_this_machine_secrets_are_generated_once_into_var_and_reused(tmp_path):
    first = environment("127.0.0.1", 9000, tmp_path)
    again = environment("127.0.0.1", 9000, tmp_path)
    stored = tmp_path / "secrets.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert {name: first[name] for name in SERVED} == json.loads(stored.read_text())
    assert all(first[name] == again[name] and len(first[name]) == 64 for name in SERVED)
    assert not set(first[name] for name in SERVED) & set(DEVELOPMENT_VALUES.values())


def test_two_installs_never_share_a_key(tmp_path):
    one = environment("127.0.0.1", 9000, tmp_path / "one")
    two = environment("127.0.0.1", 9000, tmp_path / "two")
    assert all(one[name] != two[name] for name in SERVED)


def test_a_secret_you_set_wins_over_the_generated_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNC_SECRET", "mine-" + "x" * 30)
    assert environment("127.0.0.1", 9000, tmp_path)["SYNC_SECRET"] == "mine-" + "x" * 30


@pytest.mark.parametrize("value", [None, "certsim-dev-secret-change-me", "short"])
def test_serving_the_network_without_a_real_secret_stops_before_anything_starts(
        tmp_path, monkeypatch, capsys, value):
    monkeypatch.setenv("CERTSIM_VAR_DIR", str(tmp_path))
    for name in SERVED:
        monkeypatch.setenv(name, "r" * 40)
    if value is None:
        monkeypatch.delenv("SYNC_SECRET")
    else:
        monkeypatch.setenv("SYNC_SECRET", value)
    assert main(["run", "--host", "0.0.0.0", "--port", "9400"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("certsim run: SYNC_SECRET: set SYNC_SECRET")
    assert list(tmp_path.iterdir()) == []   # nothing migrated, generated or started


def test_serving_the_network_with_every_secret_set_is_allowed(tmp_path, monkeypatch):
    for name in SERVED:
        monkeypatch.setenv(name, name.lower() + "-" + "z" * 30)
    env = environment("0.0.0.0", 9000, tmp_path)
    assert env["SYNC_SECRET"] == "sync_secret-" + "z" * 30
    assert not (tmp_path / "secrets.json").exists()


def test_a_command_beside_certsim_run_seals_with_the_install_s_generated_key(tmp_path):
    from certsim.keys import secret_of

    generated = environment("127.0.0.1", 9000, tmp_path)["CERTSIM_SEAL_SEED"]
    assert secret_of("CERTSIM_SEAL_SEED", {}, tmp_path) == generated
    assert secret_of("CERTSIM_SEAL_SEED", {}, tmp_path / "none") == \
        DEVELOPMENT_VALUES["CERTSIM_SEAL_SEED"]
