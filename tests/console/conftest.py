"""Fixtures of the console tests: Chromium, a page, and a real server on the test's own Services
(see console_support.py for what a test can do with it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn
from console_support import BRAND, CHROMIUM, PASSWORD, USERS, Console

from support import free_port, wait_until
from yuqing.accounts import add_user
from yuqing.api.app import create_app
from yuqing.clock import FixedClock
from yuqing.crawlers.browser import CHROMIUM_ARGS
from yuqing.post import SHANGHAI
from yuqing.services import Services
from yuqing.settings import BrandSettings, load_settings


# per module, not per session: Playwright's sync API keeps an event loop running in the main
# thread while the browser is open, and later tests call asyncio.run()
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs it with apt")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    settings = load_settings(data_dir=tmp_path / "data")
    settings.brands = [BrandSettings(name=BRAND, keywords=["星河热水器", "星河空调"])]
    # the wall clock's present, held still: the page's countdowns and the server agree
    clock = FixedClock(datetime.now(SHANGHAI).replace(microsecond=0))
    services = Services(settings, clock=clock)
    with services.sessions.begin() as session:
        for name, role in USERS.items():
            add_user(session, clock, name, role, PASSWORD, email=None)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                       timeout_graceful_shutdown=2)
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: server.started, 30, "the console server")
    try:
        yield Console(url, services, clock)
    finally:
        services.feed.close()  # ends the live streams
        server.should_exit = True
        thread.join(timeout=10)
        services.close()


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1440, "height": 900})
    # the console must need nothing from outside this server
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort()
    )
    dialogs: list[str] = []
    p = context.new_page()
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    p.dialogs = dialogs  # type: ignore[attr-defined]
    yield p
    context.close()
