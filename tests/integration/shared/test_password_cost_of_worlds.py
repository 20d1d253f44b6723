"""Which argon2id cost each world hashes at: production for a portal serving people (the
default), simulation for the in-process worlds of a replay, whatever the environment says."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.national import Api, make_app

from scenarios.loader import load_text
from scenarios.runner import run_all
from scenarios.world import InProcessWorlds
from shared.accounts.models import Account

PRODUCTION_PARAMETERS = "$argon2id$v=19$m=65536,t=3,p=4$"
SIMULATION_PARAMETERS = "$argon2id$v=19$m=64,t=1,p=1$"

REGISTERS = """version: 1
name: 注册
start: "2024-09-27T17:00:00+08:00"
people:
  zhang: {name: 张三, id_number: "110101199003070011", phone: "13800138000"}
steps:
  - do: national.register
    person: zhang
  - do: national.login
    person: zhang
"""


@pytest.fixture
def no_cost_in_the_environment(monkeypatch):
    """As `make run` and `make replay` start: no PASSWORD_COST anywhere (the suite sets one)."""
    for variable in ("MEM_PASSWORD_COST", "NATIONAL_PASSWORD_COST"):
        monkeypatch.delenv(variable, raising=False)


def stored_hashes(app) -> list[str]:
    with app.extensions["certsim"].sessions() as session:
        return list(session.scalars(select(Account.password_hash)))


def test_a_default_portal_hashes_at_the_production_cost(no_cost_in_the_environment, tmp_path,
                                                         clock):
    app = make_app(f"sqlite:///{tmp_path / 'national.sqlite3'}", clock)
    api = Api(app)
    assert api.register().status_code == 201
    assert api.login().status_code == 200
    [stored] = stored_hashes(app)
    assert stored.startswith(PRODUCTION_PARAMETERS)


def test_an_in_process_scenario_world_hashes_at_the_simulation_cost(no_cost_in_the_environment):
    pool = InProcessWorlds()
    try:
        [result] = run_all([load_text(REGISTERS, "registers.yaml")], pool)
        assert result.passed
        [stored] = stored_hashes(pool.world.apps[1])
        assert stored.startswith(SIMULATION_PARAMETERS)
    finally:
        pool.discard()
