"""Licence files and their seal (issue 12, item 1: a re-sealed licence with another holder and
item passed `/verify/file` as "该电子证照真实有效", its seal key derived from the published
replication secret).
"""

from __future__ import annotations

import io

from support.mem import ApiDriver, PageDriver, csrf_token_in, make_test_app
from support.national import PASSWORD, ZHANG

from shared.ofd import render_licence_ofd, verify_ofd
from shared.ofd.samples import sample_licence
from shared.ofd.seal import seal_key

SYNC_SECRET, SEAL_SEED = "s" * 32, "the-seal-has-a-secret-of-its-own"
HOLDER = {"name": ZHANG.name, "id_number": ZHANG.id_number, "category": "电工作业",
          "item": "低压电工作业", "authority": "北京市应急管理局"}


def app_with_secrets(db_url_factory, clock):
    return make_test_app(db_url_factory("mem"), clock, SYNC_SECRET=SYNC_SECRET,
                         SEAL_SEED=SEAL_SEED)


def upload(client, data: bytes) -> str:
    token = csrf_token_in(client.get("/verify").get_data(as_text=True))
    return client.post("/verify/file", data={"csrf_token": token,
                                             "licence_file": (io.BytesIO(data), "x.ofd")},
                       content_type="multipart/form-data").get_data(as_text=True)


def test_licence_files_are_sealed_with_the_seal_secret_never_the_replication_one(
        db_url_factory, clock):
    app = app_with_secrets(db_url_factory, clock)
    api = ApiDriver(app.test_client())
    issued = api.issue(**HOLDER)
    api.register(ZHANG.phone, ZHANG.name, ZHANG.id_number, PASSWORD)
    api.login(ZHANG.phone, PASSWORD)
    api.pass_face_check()
    status, data = api.call("GET", f"/api/v1/licences/{issued['certificate_key']}/download")
    assert status == 200
    assert verify_ofd(data, seal=seal_key(SEAL_SEED)).genuine
    assert not verify_ofd(data, seal=seal_key(SYNC_SECRET)).genuine


def test_a_file_resealed_with_another_holder_and_item_is_refused_by_the_record(
        db_url_factory, clock):
    app = app_with_secrets(db_url_factory, clock)
    issued = ApiDriver(app.test_client()).issue(**HOLDER)
    forged = sample_licence(certificate_key=issued["certificate_key"],
                            authority_code=issued["authority_code"], holder_name="李四",
                            holder_id_number="110102198505120025", item="高压电工作业")
    assert forged.licence_id == issued["licence_id"]
    data = render_licence_ofd(forged, generated_at=clock.now(), verify_url="http://x/verify",
                              seal=seal_key(SEAL_SEED))   # whoever holds the seal key
    assert verify_ofd(data, seal=seal_key(SEAL_SEED)).genuine   # the seal alone says yes
    html = upload(app.test_client(), data)
    assert 'data-genuine="false"' in html and "该电子证照真实有效" not in html
    assert "文件内容与发证机关的记录不符" in html and "持证主体" in html and "操作项目" in html


def test_a_genuine_download_still_passes_the_record_check(db_url_factory, clock):
    app = app_with_secrets(db_url_factory, clock)
    api = ApiDriver(app.test_client())
    issued = api.issue(**HOLDER)
    api.register(ZHANG.phone, ZHANG.name, ZHANG.id_number, PASSWORD)
    pages = PageDriver(app.test_client())
    pages.login(ZHANG.phone, PASSWORD)
    pages.pass_face_check()
    data = pages.client.get(f"/space/licences/{issued['certificate_key']}/download").data
    html = upload(app.test_client(), data)
    assert 'data-genuine="true"' in html and "该电子证照真实有效" in html
