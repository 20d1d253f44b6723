"""A holder walks the national portal in Chromium: 个人注册 → 实人认证 → 绑定证照 (not found) →
licence delivered → 绑定证照 → 查看详情 → 解除绑定 → 绑定证照 again. Screenshots go to
reports/screenshots/national_*.png."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from support import walks

import national_portal
from mem_portal.models import TABLES as MEM_TABLES
from national_portal.models import TABLES as NATIONAL_TABLES
from national_portal.services.replica import apply_changes
from shared.certificates import IssueCertificate, Issuer, issue_certificate
from shared.clock import SHANGHAI, SimulatedClock
from shared.db import create_schema, make_engine, make_sessionmaker, session_scope
from shared.lag import parse_lag
from shared.models import OutboxEntry
from shared.outbox import change_json
from shared.web.resources import resources

NAME, ID_NUMBER, PHONE, PASSWORD = "张三", "110101199003070011", "13800138000", "Abc12345"
HOLDER = walks.Holder(NAME, ID_NUMBER, PHONE, PASSWORD)


@pytest.fixture
def clock():
    return SimulatedClock(datetime(2024, 9, 27, 17, 0, tzinfo=SHANGHAI))


@pytest.fixture
def national(tmp_path, clock):
    app = national_portal.create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'national.sqlite3'}",
                                      "SECRET_KEY": "browser-test", "SIM_ENABLED": True},
                                     clock=clock)
    with app.app_context():
        create_schema(resources().engine, NATIONAL_TABLES)
    return app


def deliver_new_licence(app, tmp_path, clock) -> str:
    """Issue 张三's certificate at a ministry and apply its change on the national portal."""
    engine = make_engine(f"sqlite:///{tmp_path / 'mem.sqlite3'}")
    create_schema(engine, MEM_TABLES)
    ministry = make_sessionmaker(engine)
    with session_scope(ministry) as session:
        cert = issue_certificate(session, Issuer(clock=clock, lag=parse_lag("0")),
                                 IssueCertificate(NAME, ID_NUMBER, "电工作业", "低压电工作业"))
        changes = [change_json(entry) for entry in session.scalars(
            select(OutboxEntry).order_by(OutboxEntry.seq))]
    with app.app_context(), session_scope(resources().sessions) as session:
        assert [o.outcome for o in apply_changes(session, clock, changes)] == ["applied"]
    return cert.certificate_key


def register(page, base_url, screenshot) -> None:
    page.goto(base_url + "/")
    screenshot(page, "national_home")
    walks.register_on_national(page, base_url, HOLDER,
                               filled=lambda filled: screenshot(filled, "national_register"))
    screenshot(page, "national_register_done")


def log_in(page, screenshot) -> None:
    page.click("text=去登录")
    page.fill("#login", PHONE)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_selector("text=欢迎您登录个人专属服务空间")
    screenshot(page, "national_space")


def pass_face_check(page, phone_page, base_url, screenshot) -> None:
    page.click("a.btn:has-text('绑定证照')")
    page.wait_for_selector("img[alt=实人认证二维码]")
    screenshot(page, "national_face_check")
    phone_page.goto(page.get_attribute("#app-link", "href"))  # what the QR holds
    screenshot(phone_page, "national_app")
    phone_page.click("#start-face")
    phone_page.click("#face-pass")
    phone_page.wait_for_selector("#app-result:has-text('认证成功')")
    screenshot(phone_page, "national_app_passed")
    page.wait_for_selector("#verified", timeout=15_000)  # the page polls and reloads itself
    screenshot(page, "national_bind_choice")


@pytest.mark.browser
def test_holder_binds_views_unbinds_and_binds_again(national, tmp_path, clock, live_server,
                                                   page, phone_page, screenshot):
    base_url = live_server(national)
    register(page, base_url, screenshot)
    log_in(page, screenshot)
    page.click("text=查看更多")
    page.wait_for_selector("text=当前位置：")
    screenshot(page, "national_licences_empty")
    pass_face_check(page, phone_page, base_url, screenshot)
    page.click("button:has-text('确定绑定')")
    page.wait_for_selector("#not-found")
    assert "数据存在延迟现象" in page.inner_text("#not-found + .reasons")
    screenshot(page, "national_not_found")

    key = deliver_new_licence(national, tmp_path, clock)
    page.click("text=重新查询")
    page.click("button:has-text('确定绑定')")
    page.wait_for_selector(f"tr[data-key='{key}']")
    assert "绑定成功" in page.inner_text(".flashes")
    screenshot(page, "national_licences_bound")

    page.click(f"tr[data-key='{key}'] >> text=查看详情")
    page.wait_for_selector("#licence-face")
    assert "2024-09-27 17:00:00" in page.inner_text("#arrived-at")
    screenshot(page, "national_detail")

    page.click("a.btn-danger:has-text('解除绑定')")
    page.wait_for_selector("#unbind-confirm")
    screenshot(page, "national_unbind_confirm")
    page.click("button:has-text('确定解除绑定')")
    page.wait_for_selector("text=暂无证照")
    screenshot(page, "national_unbound")

    page.click("a.btn:has-text('绑定证照')")
    page.click("button:has-text('确定绑定')")
    page.wait_for_selector(f"tr[data-key='{key}']")
    screenshot(page, "national_rebound")

    page.click("a.btn:has-text('绑定证照')")
    page.wait_for_selector("#faq summary:text-is('没有找到需要的证照？')")
    page.click("button:has-text('确定绑定')")
    page.wait_for_selector("#faq[open]")
    assert "您的特种作业操作证电子证照均已绑定" in page.inner_text(".flashes")
    assert "数据存在延迟现象" in page.inner_text("#faq")
    screenshot(page, "national_all_bound_faq")
