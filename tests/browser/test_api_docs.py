"""The API browser (/api/docs) in Chromium on both portals: Swagger UI served by the portal
itself renders the JSON API and the control plane, under the pages' CSP, with nothing fetched
from elsewhere. Screenshots: reports/screenshots/api_docs_<portal>[_login].png."""

from __future__ import annotations

import pytest
from support.mem import make_test_app as make_mem_app
from support.national import make_app as make_national_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("portal", ["mem", "national"])
def test_the_api_browser_shows_both_documents_with_nothing_from_elsewhere(
        portal, tmp_path, clock, live_server, page, screenshot):
    make = make_mem_app if portal == "mem" else make_national_app
    base = live_server(make(f"sqlite:///{tmp_path / 'db.sqlite3'}", clock, PUBLIC_URL=""))
    problems, foreign = [], []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: r.url.startswith(base) or r.url.startswith("data:")
            or foreign.append(r.url))
    page.goto(base + "/api/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/login").first.wait_for()
    assert page.locator(".opblock").count() > 10
    page.locator(".topbar select, #select").first.select_option(index=1)
    page.locator(".opblock-summary-path", has_text="/_sim/clock").first.wait_for()
    page.locator(".topbar select, #select").first.select_option(index=0)
    page.locator(".opblock-summary-path", has_text="/api/v1/login").first.wait_for()
    screenshot(page, f"api_docs_{portal}", full_page=False)
    login = page.locator(".opblock-summary", has_text="/api/v1/login").first
    login.click()
    page.locator(".opblock-body").first.wait_for()
    login.scroll_into_view_if_needed()
    screenshot(page, f"api_docs_{portal}_login", full_page=False)
    assert problems == [] and foreign == []
