"""Helpers of the console tests (the fixtures are in conftest.py): the server handle, login, screenshots.

The console in a real Chromium against a real yuqing server on loopback.

``console`` runs the API and console with uvicorn in a thread of the test
process, on its own Services (SQLite in a temporary data dir, one user per role
with password ``pw``), so a test can act on the engine directly: ingest a post
(it arrives on the page live), move the workflow clock, run the ticker. Each
screen's screenshots go to ``artifacts/`` (not committed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from support import REPO
from yuqing.clock import FixedClock
from yuqing.post import Post
from yuqing.services import Services

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts"
PASSWORD = "pw"
USERS = {"brand": "brand", "lead": "brand_lead", "legal": "legal", "director": "director", "admin": "admin"}
BRAND = "星河电器"


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
