"""The console in a real Chromium against a real yuqing server on loopback.

``console`` runs the API and console with uvicorn in a thread of the test
process, on its own Services (SQLite in a temporary data dir, one user per role
with password ``pw``), so a test can act on the engine directly: ingest a post
(it arrives on the page live), move the workflow clock, run the ticker. Each
screen's screenshots go to ``artifacts/`` (not committed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from support import REPO, free_port, wait_until
from yuqing.accounts import add_user
from yuqing.api.app import create_app
from yuqing.clock import FixedClock
from yuqing.crawlers.browser import CHROMIUM_ARGS
from yuqing.post import SHANGHAI, Post
from yuqing.services import Services
from yuqing.settings import BrandSettings, load_settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts"
PASSWORD = "pw"
USERS = {"brand": "brand", "lead": "brand_lead", "legal": "legal", "director": "director", "admin": "admin"}
BRAND = "星河电器"

pytestmark = pytest.mark.browser


@dataclass
class Console:
    url: str
    services: Services
    clock: FixedClock

    def token(self, user: str) -> dict[str, str]:
        r = httpx.post(f"{self.url}/api/auth/token", data={"username": user, "password": PASSWORD})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def call(self, method: str, path: str, user: str, body: dict | None = None) -> dict:
        r = httpx.request(method, self.url + path, json=body, headers=self.token(user))
        assert r.status_code < 300, r.text
        return r.json()

    def post(self, post_id: str, text: str, *, minutes_ago: int = 5, **fields: object) -> Post:
        """A crawled post (Weibo), analysed by the real pipeline and stored: as the crawler hands it over."""
        now = self.clock.now()
        post = Post(
            source="weibo",
            post_id=post_id,
            url=f"https://m.weibo.cn/detail/{post_id}",
            text=text,
            author=str(fields.pop("author", "用户" + post_id)),
            published_at=now - timedelta(minutes=minutes_ago),
            fetched_at=now,
            **fields,  # type: ignore[arg-type]
        )
        self.services.ingest([post])
        return post

    def advance(self, delta: timedelta) -> None:
        """Move the workflow clock and run the ticker (the clocks fire, the notices go out)."""
        self.clock.advance(delta)
        self.services.tick()


@pytest.fixture(scope="session")
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


def login(page, console: Console, user: str) -> None:  # noqa: ANN001
    """Sign in through the form (Enter submits) and wait for the role's home screen."""
    page.goto(console.url + "/")
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.locator("#nav a").first.wait_for()


def shot(page, name: str) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
