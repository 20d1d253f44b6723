"""PASSWORD_COST: the argon2id cost a portal hashes at, named in every refusal."""

from __future__ import annotations

import pytest

from shared.accounts.passwords import SIMULATION, hash_password, password_cost, verify_password
from shared.errors import InvalidInput
from shared.web.settings import portal_settings


def settings(config=None, environ=None) -> dict:
    return portal_settings("mem", "MEM", "应急管理部政务服务平台", config, environ or {})


def test_a_portal_hashes_at_the_production_cost_unless_told_otherwise():
    assert settings()["PASSWORD_COST"] == "production"
    assert settings(environ={"MEM_PASSWORD_COST": "simulation"})["PASSWORD_COST"] == SIMULATION
    assert settings({"PASSWORD_COST": "Simulation "})["PASSWORD_COST"] == SIMULATION


@pytest.mark.parametrize("config, environ, named", [
    ({}, {"MEM_PASSWORD_COST": "fast"}, "MEM_PASSWORD_COST"),
    ({"PASSWORD_COST": "cheap"}, {}, "PASSWORD_COST"),
])
def test_an_unknown_password_cost_is_refused_naming_the_setting(config, environ, named):
    with pytest.raises(InvalidInput) as info:
        settings(config, environ)
    assert named in str(info.value) and "production" in str(info.value)
    assert "simulation" in info.value.message


def test_an_unknown_cost_is_refused_by_the_core_too():
    with pytest.raises(InvalidInput, match="PASSWORD_COST"):
        password_cost("1")


def test_a_hash_carries_its_cost_and_verifies_whatever_the_cost():
    cheap = hash_password("Abc12345!", SIMULATION)
    assert cheap.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert verify_password(cheap, "Abc12345!") and not verify_password(cheap, "Abc12345?")
