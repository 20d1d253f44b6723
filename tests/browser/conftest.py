"""Browser fixtures: live WSGI servers (waitress in a thread) and Debian's Chromium via Playwright.

Use them like this::

    @pytest.mark.browser
    def test_something(live_server, page, screenshot):
        base_url = live_server(app)          # any WSGI app; served until the test ends
        page.goto(base_url + "/")
        screenshot(page, "mem-home")         # reports/screenshots/mem-home.png

`browser` and `page` skip the test, saying why, when Chromium or Playwright is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.served import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"


@pytest.fixture
def live_server() -> Iterator[Callable[[object], str]]:
    """Return a function that serves a WSGI app and gives its base URL; all stop at teardown."""
    servers: list[LiveServer] = []

    def serve(app) -> str:
        servers.append(LiveServer(app))
        return servers[-1].url

    yield serve
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's Chromium once per session, or skip with the reason it cannot run."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-wqy-zenhei)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(browser):
    """A fresh desktop-sized context (own cookies) in Chinese."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    """A page in a fresh context."""
    return browser_context.new_page()


@pytest.fixture
def phone_page(browser):
    """A phone-sized page in its own context, as if on a second device."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """Return a function saving a full-page screenshot to reports/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
