"""The national portal's pages: layout, 个人专属服务空间, 我的证照, 绑定证照 with the QR flow, 查看详情, 解除绑定."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image
from support.national import LI, ZHANG, Api, Browser

NAV = ("首页", "国务院部门服务窗口", "地方政府服务窗口", "个人办事", "法人办事", "公共服务")


@pytest.fixture
def browser(app):
    """张三, registered and logged in through the pages."""
    Api(app).register(ZHANG)
    browser = Browser(app)
    browser.login()
    return browser


def text(response) -> str:
    return response.get_data(as_text=True)


def ticket_in(page: str) -> str:
    """Return the face-check ticket a page follows."""
    return re.search(r'data-state-url="/face-checks/([0-9a-f]{32})/state"', page).group(1)


def verify_face(browser: Browser, outcome: str = "pass") -> str:
    """Open 绑定证照, read the QR's ticket, and answer it on the simulated app page."""
    page = text(browser.get("/space/licences/bind"))
    token = ticket_in(page)
    phone = Browser(browser.client.application)
    phone.submit(f"/app/face/{token}", {"outcome": outcome})
    return token


def test_the_home_page_reads_as_the_national_platform(app):
    page = text(app.test_client().get("/"))
    for words in ("全国一体化在线政务服务平台", "国家政务服务平台", "www.gjzwfw.gov.cn", "登录",
                  "个人注册", "法人注册", "主办单位", *NAV):
        assert words in page
    assert "http://" not in page.replace('href="http://', "")  # no external assets


def test_legal_person_registration_says_it_is_not_part_of_the_simulator(app):
    client = app.test_client()
    home = text(client.get("/"))
    link = re.search(r'href="([^"]+)">法人注册<', home).group(1)
    page = text(client.get(link))
    assert "“法人注册”不属于本模拟系统的范围" in page


def test_login_offers_the_personal_user_login(app):
    page = text(app.test_client().get("/login"))
    assert "个人用户登录" in page and "法人用户登录" in page


def test_the_personal_space_is_reached_from_my_licences_in_the_header(browser):
    home = text(browser.get("/"))
    assert re.search(r'href="/space">我的证照<', home)
    space = text(browser.get("/space"))
    assert "个人专属服务空间" in space and "我的证照" in space and "查看更多" in space
    assert "110101********0011" in space and "138****8000" in space


def test_my_licences_page_has_breadcrumb_filter_bind_button_and_columns(browser):
    page = text(browser.get("/space/licences"))
    assert re.search(r"当前位置：.*空间首页.*&gt; 我的证照", page)
    for words in ("全部", "绑定证照", "序号", "证照颁发机构", "证照类型名称", "证照颁发日期", "操作"):
        assert words in page


def test_pages_of_the_space_send_anonymous_visitors_to_login(app):
    response = app.test_client().get("/space/licences/bind")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/personal?next=/space/licences/bind"


def test_bind_page_shows_the_two_qr_codes_until_the_face_check_passes(browser):
    page = text(browser.get("/space/licences/bind"))
    assert "请使用国家政务服务平台APP扫描二维码进行实人身份认证" in page
    assert "扫描下载APP" in page
    token = ticket_in(page)
    codes = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(codes) == 2
    assert Image.open(io.BytesIO(base64.b64decode(codes[0]))).size[0] > 100
    assert f'href="http://localhost/app/face/{token}"' in page
    assert browser.get(f"/face-checks/{token}/state").json == {
        "state": "pending", "scanned": False, "label": "等待扫码"}
    assert "绑定证照" in text(browser.get("/space/licences/bind"))
    assert token in text(browser.get("/space/licences/bind"))  # the same ticket until decided


def test_opening_the_app_page_tells_the_desktop_it_was_scanned(browser):
    token = ticket_in(text(browser.get("/space/licences/bind")))
    Browser(browser.client.application).get(f"/app/face/{token}")
    assert browser.get(f"/face-checks/{token}/state").json == {
        "state": "pending", "scanned": True, "label": "已扫码，请在手机上完成认证"}
    page = text(browser.get("/space/licences/bind"))
    assert '<span class="state pending scanned" id="face-state">已扫码，请在手机上完成认证</span>' in page


def test_the_app_page_decides_the_face_check_and_the_bind_page_moves_on(browser):
    token = verify_face(browser)
    assert browser.get(f"/face-checks/{token}/state").json == {
        "state": "passed", "scanned": True, "label": "认证通过"}
    page = text(browser.get("/space/licences/bind"))
    assert "实人身份认证已通过" in page
    assert 'value="特种作业操作证"' in page


def test_a_failed_face_check_offers_a_fresh_qr_code(browser):
    token = verify_face(browser, "fail")
    page = text(browser.get("/space/licences/bind"))
    assert "认证未通过" in page and "刷新二维码" in page
    renewed = text(browser.get("/space/licences/bind?renew=1"))
    assert token not in renewed


def test_binding_without_a_face_check_goes_back_to_the_qr_codes(browser):
    response = browser.submit("/space/licences", {"type": "特种作业操作证"},
                              action="/space/licences/bind", follow_redirects=True)
    assert "请先进行实人身份认证" in text(response)


def test_bind_not_found_page_gives_the_guides_two_reasons(browser):
    verify_face(browser)
    page = text(browser.submit("/space/licences/bind", {"type": "特种作业操作证"}))
    assert "未查询到特种作业操作证电子证照" in page
    assert "原因一" in page and "不支持旧版特种作业操作证" in page
    assert "原因二" in page and "数据存在延迟现象" in page
    assert "可先行前往应急管理部政务服务平台进行查询；或等待3个工作日后" in page


def test_bind_view_and_unbind_through_the_pages(app, browser, ministry):
    key = ministry.issue()
    ministry.deliver(app)
    verify_face(browser)
    listing = text(browser.submit("/space/licences/bind", {"type": "特种作业操作证"},
                                  follow_redirects=True))
    assert "绑定成功，已绑定1张特种作业操作证电子证照" in listing
    assert "北京市应急管理局" in listing and "2024-09-27" in listing and "查看详情" in listing
    detail = text(browser.get(f"/space/licences/{key}"))
    for words in ("中华人民共和国特种作业操作证", "低压电工作业", "证照标识", "到达本平台时间",
                  "2024-09-27 17:00:00", "2024-09-27 至 2030-09-27", "有效"):
        assert words in detail
    confirm = text(browser.get(f"/space/licences/{key}/unbind"))
    assert "确定要解除绑定该证照吗？" in confirm
    done = text(browser.submit(f"/space/licences/{key}/unbind", {}, follow_redirects=True))
    assert "已解除绑定" in done and "暂无证照" in done
    again = text(browser.submit("/space/licences/bind", {"type": "特种作业操作证"},
                                follow_redirects=True))
    assert "绑定成功" in again and f'data-key="{key}"' in again


def test_a_revoked_licence_shows_its_status_in_the_list(app, browser, ministry):
    key = ministry.issue()
    ministry.deliver(app)
    verify_face(browser)
    browser.submit("/space/licences/bind", {"type": "特种作业操作证"})
    ministry.revoke(key)
    ministry.deliver(app)
    listing = text(browser.get("/space/licences"))
    assert "已撤销" in listing
    assert "已撤销" in text(browser.get("/space/licences?status=other"))
    assert "暂无证照" in text(browser.get("/space/licences?status=valid"))


def test_another_holders_licence_page_is_not_found(app, browser, ministry):
    theirs = ministry.issue(LI)
    ministry.deliver(app)
    other = Api(app).signed_up(LI)
    other.bind()
    assert browser.get(f"/space/licences/{theirs}").status_code == 404
    assert browser.get(f"/space/licences/{theirs}/unbind").status_code == 404
    response = browser.submit("/space/licences", {}, action=f"/space/licences/{theirs}/unbind")
    assert response.status_code == 404
    assert len(other.get("/api/v1/licences").json["licences"]) == 1


def test_the_app_page_of_an_unknown_ticket_is_not_found(app):
    assert app.test_client().get("/app/face/" + "0" * 32).status_code == 404


def test_deciding_a_ticket_twice_says_it_is_done(browser):
    token = ticket_in(text(browser.get("/space/licences/bind")))
    late_phone = browser.client.application.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     text(late_phone.get(f"/app/face/{token}"))).group(1)
    Browser(browser.client.application).submit(f"/app/face/{token}", {"outcome": "pass"})
    again = text(late_phone.post(f"/app/face/{token}", data={"csrf_token": csrf,
                                                             "outcome": "fail"}))
    assert "该二维码已完成认证" in again and "认证成功" in again
    assert browser.get(f"/face-checks/{token}/state").json["state"] == "passed"


def test_my_licences_offers_the_guides_reasons_for_a_missing_licence(browser):
    page = text(browser.get("/space/licences"))
    assert '<details class="faq" id="faq">' in page and "没有找到需要的证照？" in page
    assert "不支持旧版特种作业操作证" in page and "数据存在延迟现象" in page


def test_the_choose_licence_step_offers_the_guides_reasons(browser):
    verify_face(browser)
    page = text(browser.get("/space/licences/bind"))
    assert "选择证照类型" in page and "没有找到需要的证照？" in page
    assert "等待3个工作日后再前往国家政务服务平台上查看、下载" in page


def test_all_bound_opens_the_reasons_when_one_licence_is_delayed(app, browser, ministry):
    ministry.issue()
    ministry.deliver(app)
    verify_face(browser)
    browser.submit("/space/licences/bind", {"type": "特种作业操作证"})
    ministry.issue(item="熔化焊接与热切割作业", category="焊接与热切割作业")  # on its way
    answer = browser.submit("/space/licences/bind", {"type": "特种作业操作证"})
    assert answer.headers["Location"] == "/space/licences?faq=open"
    page = text(browser.get(answer.headers["Location"]))
    assert "您的特种作业操作证电子证照均已绑定" in page
    assert '<details class="faq" id="faq" open>' in page and "数据存在延迟现象" in page
