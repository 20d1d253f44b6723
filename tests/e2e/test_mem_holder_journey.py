"""A holder's whole journey on the ministry portal, on one simulated clock: the back office
issues, the holder registers, logs in, passes 实人认证, lists, previews and downloads — once
through the pages and once through the JSON API, with the same answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import TEST_SEAL
from support.mem import ApiDriver, PageDriver, make_test_app

from shared.ofd import verify_ofd

PHONE, NAME, ID_NUMBER, PASSWORD = "13912345678", "张三", "110101199003070011", "Abc@2024x"


@pytest.fixture
def app(db_url_factory, clock):
    app = make_test_app(db_url_factory("mem"), clock)
    ApiDriver(app.test_client()).issue(name=NAME, id_number=ID_NUMBER, category="电工作业",
                                       item="低压电工作业", issued_on="2023-03-15")
    return app


def test_a_holder_walks_the_guide_through_the_pages(app, clock):
    pages = PageDriver(app.test_client())
    assert "恭喜您，注册成功" in pages.register(PHONE, NAME, ID_NUMBER, PASSWORD).get_data(as_text=True)
    clock.advance(timedelta(hours=20))
    assert pages.login(PHONE, PASSWORD).headers["Location"] == "/space"
    assert pages.client.get("/space/licences").headers["Location"].startswith("/face-check")
    pages.pass_face_check()
    listing = pages.client.get("/space/licences").get_data(as_text=True)
    key = listing.split("/space/licences/")[1].split("/")[0]
    preview = pages.client.get(f"/space/licences/{key}/preview").get_data(as_text=True)
    assert "低压电工作业" in preview and "北京市应急管理局" in preview
    download = pages.client.get(f"/space/licences/{key}/download")
    assert download.mimetype == "application/ofd" and verify_ofd(download.data, seal=TEST_SEAL).genuine
    pages.submit("/logout", {}, page="/space")
    assert pages.client.get("/space/licences").status_code == 302


def test_a_holder_walks_the_guide_through_the_api(app, clock):
    api = ApiDriver(app.test_client())
    api.register(PHONE, NAME, ID_NUMBER, PASSWORD)
    clock.advance(timedelta(hours=20))
    api.login(ID_NUMBER, PASSWORD)
    assert api.call("GET", "/api/v1/licences")[1]["error"] == "identity_not_verified"
    api.pass_face_check()
    licence = api.ok("GET", "/api/v1/licences")["licences"][0]
    detail = api.ok("GET", f"/api/v1/licences/{licence['key']}")
    assert (detail["status_label"], detail["holder_name"]) == ("有效", NAME)
    status, data = api.call("GET", f"/api/v1/licences/{licence['key']}/download")
    assert status == 200 and verify_ofd(data, seal=TEST_SEAL).licence_id == licence["licence_id"]
    clock.advance(timedelta(minutes=31))
    assert api.call("GET", "/api/v1/licences")[1]["error"] == "not_logged_in"
