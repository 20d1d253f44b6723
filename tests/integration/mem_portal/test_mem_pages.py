"""The ministry portal's pages read as the 应急管理部政务服务平台: header, navigation, footer,
the user centre's sections, the simulated phone app, error pages and security headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.mem import ApiDriver, PageDriver, make_test_app

PHONE, NAME, ID_NUMBER, PASSWORD = "13912345678", "张三", "110101199003070011", "Abc@2024x"
NAVIGATION = ("首页", "机构", "新闻", "公开", "服务", "互动", "科普", "党建", "社会救援服务")


@pytest.fixture
def app(db_url_factory, clock):
    app = make_test_app(db_url_factory("mem"), clock)
    ApiDriver(app.test_client()).register(PHONE, NAME, ID_NUMBER, PASSWORD)
    return app


@pytest.fixture
def pages(app) -> PageDriver:
    return PageDriver(app.test_client())


def test_the_front_page_has_the_ministry_header_navigation_and_footer(pages):
    html = pages.client.get("/").get_data(as_text=True)
    assert "中华人民共和国应急管理部" in html and "2024年9月27日 星期五" in html
    assert all(f">{label}</a>" in html for label in NAVIGATION)
    assert "办事大厅" in html and "【您未登录】" in html and "主办单位：中华人民共和国应急管理部" in html
    assert "特种作业操作证电子证照查看与下载" in html


def test_the_date_line_follows_the_portal_clock(pages, clock):
    clock.advance(timedelta(days=3))
    assert "2024年9月30日 星期一" in pages.client.get("/").get_data(as_text=True)


def test_the_top_bars_english_and_accessibility_links_open_their_own_pages(pages):
    html = pages.client.get("/").get_data(as_text=True)
    assert '<a href="/column/english" lang="en">English</a>' in html
    assert '<a href="/column/accessibility">无障碍</a>' in html
    english = pages.client.get("/column/english").get_data(as_text=True)
    assert "“English”栏目暂无内容" in english


def test_every_navigation_column_and_static_asset_answers(pages):
    for slug in ("organisation", "news", "disclosure", "interaction", "science", "party", "rescue"):
        assert pages.client.get(f"/column/{slug}").status_code == 200
    for asset in ("css/portal.css", "js/portal.js", "img/emblem.svg", "img/avatar.svg"):
        assert pages.client.get(f"/static/{asset}").status_code == 200


def test_each_user_centre_section_exists_and_says_there_is_nothing_yet(pages):
    pages.login(PHONE, PASSWORD)
    for slug, label, empty in (("affairs", "我的办件", "暂无办件记录"), ("messages", "我的消息", "暂无消息"),
                               ("favourites", "我的收藏", "暂无收藏的事项"),
                               ("ratings", "我的评价", "暂无评价记录"),
                               ("enquiries", "我的咨询", "暂无咨询记录"),
                               ("complaints", "我的投诉", "暂无投诉记录"),
                               ("materials", "我的材料", "暂无材料"), ("deliveries", "我的快递", "暂无快递信息"),
                               ("relatives", "亲友管理", "暂未添加亲友")):
        html = pages.client.get(f"/space/{slug}").get_data(as_text=True)
        assert f"<h2>{label}</h2>" in html and empty in html
    assert pages.client.get("/space/nothing").status_code == 404


def test_the_phone_app_page_shows_the_masked_holder_and_records_the_verdict(pages):
    pages.login(PHONE, PASSWORD)
    ticket = pages.ticket_on("/face-check")
    html = pages.client.get(f"/app/face/{ticket}").get_data(as_text=True)
    assert "*三" in html and "110101********0011" in html and "开始人脸识别" in html
    assert NAME not in html and ID_NUMBER not in html
    done = pages.submit(f"/app/face/{ticket}", {"outcome": "pass"}).get_data(as_text=True)
    assert "认证成功" in done
    again = pages.submit(f"/app/face/{ticket}", {"outcome": "fail"}, page="/space")
    assert "该二维码已完成认证" in again.get_data(as_text=True)


def test_an_expired_face_check_is_shown_as_expired_on_both_screens(pages, clock):
    pages.login(PHONE, PASSWORD)
    ticket = pages.ticket_on("/face-check")
    clock.advance(timedelta(minutes=4))
    assert pages.client.get(f"/face-checks/{ticket}/state").get_json()["state"] == "expired"
    assert "二维码已过期" in pages.client.get(f"/app/face/{ticket}").get_data(as_text=True)


def test_an_unknown_app_link_and_an_unknown_page_say_so_in_chinese(pages):
    assert "二维码无效" in pages.client.get("/app/face/0000").get_data(as_text=True)
    missing = pages.client.get("/no/such/page")
    assert missing.status_code == 404 and "您访问的页面不存在" in missing.get_data(as_text=True)


def test_pages_carry_security_headers(pages):
    headers = pages.client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


def test_the_registration_page_sends_a_logged_in_holder_to_the_user_centre(pages):
    pages.login(PHONE, PASSWORD)
    assert pages.client.get("/register").headers["Location"] == "/space"
