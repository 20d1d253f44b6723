"""The control plane answers only this machine unless told otherwise."""

import pytest

import mem_portal
import national_portal

FACTORIES = {"mem": mem_portal.create_app, "national": national_portal.create_app}
REAL_SECRETS = {"SECRET_KEY": "k" * 32, "SYNC_SECRET": "s" * 32, "SEAL_SEED": "e" * 32}


@pytest.mark.parametrize("portal", ["mem", "national"])
def test_the_control_plane_is_not_found_from_another_machine(portal, tmp_path, clock):
    app = FACTORIES[portal]({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                             "SIM_ENABLED": True, **REAL_SECRETS}, clock=clock)
    client = app.test_client()
    assert client.get("/_sim/clock").status_code == 200
    remote = client.get("/_sim/clock", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert remote.status_code == 404


@pytest.mark.parametrize("portal", ["mem", "national"])
def test_the_control_plane_can_be_opened_to_other_machines_on_purpose(portal, tmp_path, clock):
    app = FACTORIES[portal]({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                             "SIM_ENABLED": True, "SIM_LOOPBACK_ONLY": False, **REAL_SECRETS},
                            clock=clock)
    remote = app.test_client().get("/_sim/clock", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert remote.status_code == 200


@pytest.mark.parametrize("portal", ["mem", "national"])
def test_the_control_plane_does_not_exist_unless_enabled(portal, tmp_path, clock):
    app = FACTORIES[portal]({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
                            clock=clock)
    assert app.test_client().get("/_sim/clock").status_code == 404
