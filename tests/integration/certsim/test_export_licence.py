"""`certsim export`: the back office writes the very file the portal's 下载 serves."""

from __future__ import annotations

import pytest
from support import TEST_SEAL
from support.mem import ApiDriver, make_test_app

from certsim.cli import main
from shared.ofd import verify_ofd

PHONE, PASSWORD = "13800138000", "Passw0rd!x"
ZHANG = {"name": "张三", "id_number": "110101199003070011", "category": "电工作业",
         "item": "低压电工作业"}


@pytest.fixture
def mem_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'mem.sqlite3'}"
    monkeypatch.setenv("MEM_DATABASE_URL", url)
    monkeypatch.setenv("CERTSIM_WORLD", str(tmp_path / "world.json"))
    assert main(["migrate", "mem"]) == 0
    return url


@pytest.fixture
def driver(mem_url, clock):
    return ApiDriver(make_test_app(mem_url, clock).test_client())


def export(tmp_path, *args) -> tuple[int, bytes | None]:
    out = tmp_path / "licence.ofd"
    code = main(["export", *args, "--out", str(out), "--at", "2024-09-27T17:00:00+08:00",
                 "--public-url", "http://mem.test"])
    return code, out.read_bytes() if out.exists() else None


def test_export_writes_the_same_bytes_the_portal_download_serves(driver, tmp_path, clock):
    issued = driver.issue(**ZHANG)
    driver.register(PHONE, ZHANG["name"], ZHANG["id_number"], PASSWORD)
    driver.login(PHONE, PASSWORD)
    driver.pass_face_check()
    status, served = driver.call("GET", f"/api/v1/licences/{issued['certificate_key']}/download")
    assert status == 200 and served[:2] == b"PK"
    code, exported = export(tmp_path, issued["licence_id"])
    assert code == 0
    assert exported == served
    assert verify_ofd(exported, seal=TEST_SEAL).genuine


def test_export_finds_a_licence_by_certificate_number_and_item(driver, tmp_path, capsys):
    driver.issue(**ZHANG)
    driver.issue(**{**ZHANG, "category": "高处作业", "item": "登高架设作业"})
    code, data = export(tmp_path, ZHANG["id_number"], "--item", "登高架设作业")
    assert code == 0 and verify_ofd(data, seal=TEST_SEAL).metadata["证照编号"] == ZHANG["id_number"]
    assert "登高架设作业" in capsys.readouterr().out


def test_a_certificate_number_with_two_items_needs_the_item(driver, tmp_path, capsys):
    driver.issue(**ZHANG)
    driver.issue(**{**ZHANG, "category": "高处作业", "item": "登高架设作业"})
    code, data = export(tmp_path, ZHANG["id_number"])
    assert code == 2 and data is None
    assert "--item" in capsys.readouterr().err


def test_an_unknown_licence_is_refused_and_nothing_is_written(driver, tmp_path, capsys):
    code, data = export(tmp_path, "1.2.156.3005.2.nothing")
    assert code == 2 and data is None and "证照不存在" in capsys.readouterr().err


def test_a_revoked_licence_is_exported_only_with_force(driver, tmp_path, capsys):
    issued = driver.issue(**ZHANG)
    driver.ok("POST", f"/_sim/certificates/{issued['certificate_key']}/revoke", {"reason": "撤销"})
    code, data = export(tmp_path, issued["licence_id"])
    assert code == 2 and data is None and "已撤销" in capsys.readouterr().err
    code, data = export(tmp_path, issued["licence_id"], "--force")
    assert code == 0 and verify_ofd(data, seal=TEST_SEAL).licence_id == issued["licence_id"]
