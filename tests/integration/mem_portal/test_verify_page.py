"""The public verification page (no login), its JSON twin and the file upload check."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from support import TEST_SEAL
from support.mem import ApiDriver, csrf_token_in, make_test_app, resources_of

from shared.certificates import get_certificate
from shared.clock import SHANGHAI
from shared.ofd import render_licence_ofd

HOLDER = {"name": "张三", "id_number": "110101199003070011", "category": "电工作业",
          "item": "低压电工作业", "authority": "北京市应急管理局"}


@pytest.fixture
def app(db_url_factory, clock):
    return make_test_app(db_url_factory("mem"), clock)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def issued(client) -> dict:
    return ApiDriver(client).issue(**HOLDER)


def page(client, licence_id: str):
    response = client.get(f"/verify/{licence_id}")
    return response.status_code, response.get_data(as_text=True)


def licence_file(app, licence_id: str) -> bytes:
    """Render the licence the way the portal's 下载 does (same function, same database row)."""
    with resources_of(app).sessions() as session:
        cert = get_certificate(session, licence_id)
        return render_licence_ofd(cert, generated_at=resources_of(app).clock.now(),
                                  verify_url=f"http://mem.test/verify/{licence_id}",
                                  seal=TEST_SEAL)


def upload(client, data: bytes, *, name: str = "licence.ofd"):
    token = csrf_token_in(client.get("/verify").get_data(as_text=True))
    return client.post("/verify/file", data={"csrf_token": token,
                                             "licence_file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_anyone_scanning_the_qr_code_sees_a_valid_licence_with_the_holder_masked(client, issued):
    status, html = page(client, issued["licence_id"])
    assert status == 200
    assert "该电子证照真实有效" in html and 'data-status="valid"' in html
    assert "*三" in html and "110101********0011" in html
    assert "110101199003070011" not in html and "张三" not in html
    assert "低压电工作业" in html and "北京市应急管理局" in html
    assert "应急管理部" in html and 'name="csrf_token"' in html  # the site layout and the upload form


def test_an_unknown_or_malformed_identifier_is_not_found(client, issued):
    forged = issued["licence_id"][:-1] + ("A" if issued["licence_id"][-1] != "A" else "B")
    for licence_id in (forged, "not-a-licence"):
        status, html = page(client, licence_id)
        assert status == 404 and "未查询到该电子证照" in html


def test_a_revoked_licence_is_reported_as_revoked(client, issued):
    ApiDriver(client).ok("POST", f"/_sim/certificates/{issued['certificate_key']}/revoke",
                         {"reason": "提供虚假材料"})
    status, html = page(client, issued["licence_id"])
    assert status == 200 and "已被发证机关撤销" in html and 'data-status="revoked"' in html


def test_a_cancelled_licence_is_reported_as_cancelled(client, issued):
    ApiDriver(client).ok("POST", f"/_sim/certificates/{issued['certificate_key']}/cancel",
                         {"reason": "本人申请注销"})
    assert 'data-status="cancelled"' in page(client, issued["licence_id"])[1]


def test_a_missed_review_makes_the_licence_invalid_and_the_end_of_validity_expired(
        client, issued, clock):
    clock.set(datetime(2027, 10, 8, 9, 0, tzinfo=SHANGHAI))  # review due 2027-09-27, not done
    assert 'data-status="invalid"' in page(client, issued["licence_id"])[1]
    clock.set(datetime(2030, 9, 28, 9, 0, tzinfo=SHANGHAI))
    _, html = page(client, issued["licence_id"])
    assert 'data-status="expired"' in html and "已超过有效期限" in html


def test_a_renewed_licence_s_old_version_is_reported_as_superseded(client, clock):
    driver = ApiDriver(client)
    clock.set(datetime(2020, 3, 2, 9, 0, tzinfo=SHANGHAI))  # the calendar knows 2020-2026
    issued = driver.issue(**HOLDER)
    key = issued["certificate_key"]
    clock.set(datetime(2023, 1, 9, 9, 0, tzinfo=SHANGHAI))
    driver.ok("POST", f"/_sim/certificates/{key}/review", {"result": "pass"})
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=SHANGHAI))
    renewed = driver.ok("POST", f"/_sim/certificates/{key}/renew", {})
    assert renewed["licence_id"] != issued["licence_id"]
    assert 'data-status="superseded"' in page(client, issued["licence_id"])[1]
    assert 'data-status="valid"' in page(client, renewed["licence_id"])[1]


def test_the_json_twin_answers_the_same_with_masked_data(client, issued):
    answer = client.get(f"/api/v1/verify/{issued['licence_id']}").get_json()
    assert answer["status"] == "valid" and answer["valid"] is True
    assert answer["licence"]["持证人"] == "*三"
    assert answer["licence"]["证号"] == "110101********0011"
    missing = client.get("/api/v1/verify/1.2.3")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_the_query_box_looks_a_licence_up_by_its_identifier(client, issued):
    response = client.get("/verify", query_string={"licence_id": issued["licence_id"]})
    assert response.status_code == 200 and "该电子证照真实有效" in response.get_data(as_text=True)


def test_an_uploaded_licence_file_passes_the_digest_and_seal_check(app, client, issued):
    html = upload(client, licence_file(app, issued["licence_id"])).get_data(as_text=True)
    assert 'data-genuine="true"' in html and "电子印章（模拟）验证通过" in html
    assert 'data-status="valid"' in html


def test_an_uploaded_genuine_file_of_a_revoked_licence_says_it_is_revoked(app, client, issued):
    data = licence_file(app, issued["licence_id"])
    ApiDriver(client).ok("POST", f"/_sim/certificates/{issued['certificate_key']}/revoke",
                         {"reason": "撤销"})
    html = upload(client, data).get_data(as_text=True)
    assert 'data-genuine="true"' in html and 'data-status="revoked"' in html


def test_an_uploaded_file_with_a_changed_name_fails_the_check(app, client, issued):
    original = licence_file(app, issued["licence_id"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.replace("张三".encode(), "李四".encode()))
    html = upload(client, buffer.getvalue()).get_data(as_text=True)
    assert 'data-genuine="false"' in html and "内容已被篡改" in html
    assert 'data-status=' not in html


def test_uploading_something_that_is_not_an_ofd_says_so(client):
    html = upload(client, b"%PDF-1.7", name="licence.pdf").get_data(as_text=True)
    assert 'data-genuine="false"' in html and "不是有效的OFD文件" in html


def test_an_upload_without_a_file_or_without_the_csrf_token_is_refused(client):
    token = csrf_token_in(client.get("/verify").get_data(as_text=True))
    missing = client.post("/verify/file", data={"csrf_token": token},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and "请选择要核验的电子证照文件" in missing.get_data(as_text=True)
    forged = client.post("/verify/file", data={"licence_file": (io.BytesIO(b"x"), "a.ofd")},
                         content_type="multipart/form-data")
    assert forged.status_code == 400
