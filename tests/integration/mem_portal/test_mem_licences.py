"""我的证照 on the ministry portal: the face check each login needs, who sees what, the
guide's guidance when nothing is found, 预览 and 下载 (OFD)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from support import TEST_SEAL
from support.mem import ApiDriver, PageDriver, make_test_app

from shared.ofd import verify_ofd

PHONE, NAME, ID_NUMBER, PASSWORD = "13912345678", "张三", "110101199003070011", "Abc@2024x"
OTHER = ("13700000000", "李梅", "110102198505120025", "Xyz@2024q")


@pytest.fixture
def app(db_url_factory, clock):
    app = make_test_app(db_url_factory("mem"), clock)
    api = ApiDriver(app.test_client())
    api.register(PHONE, NAME, ID_NUMBER, PASSWORD)
    api.register(*OTHER)
    return app


@pytest.fixture
def api(app) -> ApiDriver:
    return ApiDriver(app.test_client())


@pytest.fixture
def pages(app) -> PageDriver:
    return PageDriver(app.test_client())


def issue(api: ApiDriver, **fields) -> dict:
    """Issue a certificate to 张三 unless told otherwise."""
    defaults = {"name": NAME, "id_number": ID_NUMBER, "category": "电工作业",
                "item": "低压电工作业", "issued_on": "2023-03-15"}
    return api.issue(**{**defaults, **fields})


def test_my_licences_needs_a_face_check_in_this_login(api):
    issue(api)
    api.login(PHONE, PASSWORD)
    assert api.call("GET", "/api/v1/licences")[1]["error"] == "identity_not_verified"
    api.pass_face_check()
    assert len(api.ok("GET", "/api/v1/licences")["licences"]) == 1


def test_a_new_login_needs_a_new_face_check(api):
    issue(api)
    api.login(PHONE, PASSWORD)
    api.pass_face_check()
    api.login(PHONE, PASSWORD)
    assert api.call("GET", "/api/v1/licences")[0] == 403


def test_a_failed_face_check_is_reported_until_a_new_one_passes(api):
    api.login(PHONE, PASSWORD)
    api.pass_face_check("fail")
    status, body = api.call("GET", "/api/v1/licences")
    assert (status, body["error"], body["message"]) == (403, "identity_failed", "实人认证未通过，请重新认证")
    api.pass_face_check()
    assert api.ok("GET", "/api/v1/licences")["licences"] == []


def test_a_face_check_left_pending_expires_after_three_minutes_of_portal_time(api, clock):
    api.login(PHONE, PASSWORD)
    ticket = api.ok("POST", "/api/v1/face-checks", {"purpose": "licences"})["token"]
    clock.advance(timedelta(minutes=3, seconds=1))
    assert api.ok("GET", f"/api/v1/face-checks/{ticket}")["state"] == "expired"
    status, body = api.call("POST", f"/_sim/face-checks/{ticket}", {"outcome": "pass"})
    assert (status, body["message"]) == (400, "二维码已过期，请刷新二维码")


def test_the_list_shows_each_eligible_licence_with_the_guides_columns(api):
    first = issue(api)
    issue(api, category="焊接与热切割作业", item="熔化焊接与热切割作业", issued_on="2024-01-10",
          authority="上海市应急管理局")
    api.login(PHONE, PASSWORD)
    api.pass_face_check()
    listed = api.ok("GET", "/api/v1/licences")
    assert listed["guidance"] == []
    assert [row["item"] for row in listed["licences"]] == ["低压电工作业", "熔化焊接与热切割作业"]
    row = listed["licences"][0]
    assert {key: row[key] for key in ("key", "type", "authority", "issued_on", "cert_number")} == {
        "key": first["certificate_key"], "type": "特种作业操作证", "authority": "北京市应急管理局",
        "issued_on": "2023-03-15", "cert_number": ID_NUMBER}


def test_old_version_coal_mine_and_revoked_certificates_get_guidance_not_a_licence(api, clock):
    issue(api, category="高处作业", item="登高架设作业", version="old",
          issued_on="2019-06-20")
    revoked = issue(api, category="制冷与空调作业", item="制冷与空调设备运行操作作业")
    api.ok("POST", f"/_sim/certificates/{revoked['certificate_key']}/revoke", {"reason": "虚假材料"})
    api.login(PHONE, PASSWORD)
    api.pass_face_check()
    listed = api.ok("GET", "/api/v1/licences")
    assert listed["licences"] == []
    assert [(g["reason"], g["item"]) for g in listed["guidance"]] == [
        ("old_version", "登高架设作业"), ("revoked", "制冷与空调设备运行操作作业")]
    assert "经复审合格换发新版特种作业操作证后" in listed["guidance"][0]["message"]


def test_a_coal_mine_licence_appears_only_from_2022(app, clock):
    api = ApiDriver(app.test_client())
    clock.set(clock.now().replace(year=2021, month=12, day=31))
    issue(api, category="煤矿安全作业", item="煤矿瓦斯检查作业", issued_on="2021-06-01")
    api.login(PHONE, PASSWORD)
    api.pass_face_check()
    assert api.ok("GET", "/api/v1/licences")["guidance"][0]["reason"] == "coal_mine_not_yet"
    clock.advance(timedelta(days=1))
    api.login(PHONE, PASSWORD)
    api.pass_face_check()
    assert api.ok("GET", "/api/v1/licences")["licences"][0]["item"] == "煤矿瓦斯检查作业"


def test_a_holder_without_certificates_is_told_why_nothing_is_found(api):
    api.login(PHONE, PASSWORD)
    api.pass_face_check()
    assert api.ok("GET", "/api/v1/licences")["guidance"][0]["reason"] == "no_certificate"


def test_preview_gives_the_face_rows_and_the_verification_url(api):
    cert = issue(api)
    api.login(PHONE, PASSWORD)
    api.pass_face_check()
    preview = api.ok("GET", f"/api/v1/licences/{cert['certificate_key']}")
    face = {row["label"]: row["value"] for row in preview["face"]}
    assert face["证照类型名称"] == "中华人民共和国特种作业操作证"
    assert (face["持证主体"], face["证照编号"], face["证照颁发日期"]) == (NAME, ID_NUMBER, "2023-03-15")
    assert (face["作业类别"], face["操作项目"]) == ("电工作业", "低压电工作业")
    assert face["有效期限"] == "2023-03-15 至 2029-03-15" and face["签发机关"] == "北京市应急管理局"
    assert face["档案编码"] == cert["archive_code"]
    assert preview["verify_url"] == f"http://mem.test/verify/{cert['licence_id']}"
    assert api.ok("GET", f"/api/v1/licences/{cert['licence_id']}")["key"] == cert["certificate_key"]


def test_another_holders_licence_is_not_found_by_key_or_identifier(api):
    mine = issue(api)
    api.login(OTHER[0], OTHER[3])
    api.pass_face_check()
    for key in (mine["certificate_key"], mine["licence_id"], "nonexistent"):
        for suffix in ("", "/download"):
            status, body = api.call("GET", f"/api/v1/licences/{key}{suffix}")
            assert (status, body["error"], body["message"]) == (404, "not_found", "未找到该电子证照")


def test_download_serves_a_sealed_ofd_named_after_the_item_and_holder(api, clock):
    cert = issue(api)
    api.login(PHONE, PASSWORD)
    api.pass_face_check()
    response = api.client.get(f"/api/v1/licences/{cert['certificate_key']}/download",
                              headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 200 and response.mimetype == "application/ofd"
    name = quote("特种作业操作证_低压电工作业_张三.ofd")
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"licence-{cert['certificate_key']}.ofd\"; filename*=UTF-8''{name}")
    checked = verify_ofd(response.data, seal=TEST_SEAL)
    assert checked.genuine and checked.licence_id == cert["licence_id"]


def test_the_pages_send_my_licences_through_the_face_check_first(pages, api):
    issue(api)
    pages.login(PHONE, PASSWORD)
    answer = pages.client.get("/space/licences")
    assert answer.headers["Location"] == "/face-check?next=/space/licences"
    ticket = pages.pass_face_check()
    state = pages.client.get(f"/face-checks/{ticket}/state").get_json()
    assert state["state"] == "passed"
    html = pages.client.get("/space/licences").get_data(as_text=True)
    for column in ("序号", "证照类型", "证照颁发机构名称", "证照颁发日期", "证件号码", "操作"):
        assert f"<th>{column}</th>" in html
    assert "北京市应急管理局" in html and ">预览</a>" in html and ">下载</a>" in html


def test_the_preview_page_shows_the_licence_face_and_the_reader_hint(pages, api):
    cert = issue(api)
    pages.login(PHONE, PASSWORD)
    pages.pass_face_check()
    html = pages.client.get(f"/space/licences/{cert['certificate_key']}/preview").get_data(
        as_text=True)
    assert "<svg" in html and "中华人民共和国特种作业操作证" in html
    assert "数科OFD阅读器" in html and "QQ浏览器" in html
    download = pages.client.get(f"/space/licences/{cert['certificate_key']}/download")
    assert download.mimetype == "application/ofd" and verify_ofd(download.data, seal=TEST_SEAL).genuine


def test_the_pages_hide_another_holders_licence_behind_a_404(pages, api):
    mine = issue(api)
    pages.login(OTHER[0], OTHER[3])
    pages.pass_face_check()
    for path in ("preview", "download"):
        answer = pages.client.get(f"/space/licences/{mine['certificate_key']}/{path}")
        assert answer.status_code == 404
        assert "您访问的页面不存在" in answer.get_data(as_text=True)


def test_the_page_lists_the_guides_faq_when_nothing_is_found(pages, api):
    issue(api, category="高处作业", item="登高架设作业", version="old", issued_on="2019-06-20")
    pages.login(PHONE, PASSWORD)
    pages.pass_face_check()
    html = pages.client.get("/space/licences").get_data(as_text=True)
    assert "未查询到特种作业操作证电子证照" in html and "旧版特种作业操作证在有效期内可继续使用" in html


def test_the_faq_says_the_old_version_reason_once_for_two_old_cards(pages, api):
    issue(api, category="高处作业", item="登高架设作业", version="old", issued_on="2019-06-20")
    issue(api, category="电工作业", item="高压电工作业", version="old", issued_on="2018-04-02")
    pages.login(PHONE, PASSWORD)
    pages.pass_face_check()
    html = pages.client.get("/space/licences").get_data(as_text=True)
    assert html.count("不支持旧版特种作业操作证") == 1
    assert "高处作业 / 登高架设作业、电工作业 / 高压电工作业：" in html


def test_a_revoked_new_card_gets_its_own_reason_and_not_the_old_version_line(pages, api):
    key = issue(api)["certificate_key"]
    api.ok("POST", f"/_sim/certificates/{key}/revoke", {"reason": "提供虚假材料取得证书"})
    pages.login(PHONE, PASSWORD)
    pages.pass_face_check()
    html = pages.client.get("/space/licences").get_data(as_text=True)
    assert "电工作业 / 低压电工作业：</strong>证书状态为已撤销，无电子证照" in html
    assert "旧版" not in html
