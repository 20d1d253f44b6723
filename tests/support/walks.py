"""A holder's walks through both portals in Chromium (Playwright pages), shared by the browser
tests: the ministry's 创建账户 → 实人认证 → 注册完成, the national 个人注册, and the phone app's
face check. The captcha answer and the SMS code are read from the portal's control plane, as a
tester does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import requests


@dataclass(frozen=True)
class Holder:
    name: str
    id_number: str
    phone: str
    password: str

    @property
    def masked_phone(self) -> str:
        """The phone as the portals print it (138****8000)."""
        return f"{self.phone[:3]}****{self.phone[-4:]}"


def sms_code(base_url: str, phone: str) -> str:
    """The newest SMS code a portal sent to `phone` (its control plane's inbox)."""
    return requests.get(f"{base_url}/_sim/sms", params={"phone": phone},
                        timeout=5).json()["messages"][0]["code"]


def approve_on_phone(phone_page, link: str) -> None:
    """Open the QR code's app link on the phone and pass the face check (the same app on both)."""
    phone_page.goto(link)
    phone_page.click("#start-face")
    phone_page.click("#face-pass")
    phone_page.wait_for_selector("#app-result:has-text('认证成功')")


def register_on_ministry(page, phone_page, base_url: str, holder: Holder,
                         filled: Callable | None = None) -> None:
    """创建账户 → 实人认证 on the phone → 注册完成; `filled(page)` runs before 注册 is pressed."""
    page.goto(base_url + "/")
    page.click("text=注册")
    page.fill("#phone", holder.phone)
    page.fill("#name", holder.name)
    page.fill("#id_number", holder.id_number)
    page.check("#id_long_term")
    page.fill("#password", holder.password)
    page.fill("#confirm_password", holder.password)
    token = page.input_value("#captcha_token")
    page.fill("#captcha_answer", requests.get(f"{base_url}/_sim/captcha/{token}",
                                              timeout=5).json()["answer"])
    page.click("#sms-button")
    page.wait_for_selector("#sms-button[disabled]")
    page.fill("#sms_code", sms_code(base_url, holder.phone))
    page.check("#agree")
    if filled:
        filled(page)
    page.click("button[type=submit]:has-text('注册')")
    page.wait_for_selector("#face-check")
    approve_on_phone(phone_page, page.get_attribute("#app-url", "href"))
    page.wait_for_selector("#register-done")


def open_my_licences_on_ministry(page, phone_page, password: str) -> None:
    """On the ministry's login form (its name filled): 登录 → 我的证照 → 实人认证 on the phone →
    the list."""
    page.fill("#password", password)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_selector("text=欢迎您登录个人中心")
    page.click(".menu >> text=我的证照")
    page.wait_for_selector("#face-check")
    approve_on_phone(phone_page, page.get_attribute("#app-url", "href"))
    page.wait_for_selector("#licences")


def register_on_national(page, base_url: str, holder: Holder,
                         filled: Callable | None = None) -> None:
    """个人注册 up to 注册成功; `filled(page)` runs before 注册 is pressed."""
    page.goto(base_url + "/")
    page.click("text=个人注册")
    page.fill("#name", holder.name)
    page.fill("#id_number", holder.id_number)
    page.check("#id_long_term")
    page.fill("#phone", holder.phone)
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector(f"text=验证码已发送至{holder.masked_phone}")
    page.fill("#sms_code", sms_code(base_url, holder.phone))
    page.fill("#password", holder.password)
    page.fill("#confirm_password", holder.password)
    page.check("input[name=agree]")
    if filled:
        filled(page)
    page.click("button.btn-block:has-text('注册')")
    page.wait_for_selector("text=注册成功")
