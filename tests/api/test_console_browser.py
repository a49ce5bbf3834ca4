"""The console in a real Chromium: the demo brand user logs in and sees the
incidents the API lists; crawled text is shown as text, never run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support import REPO, RunningYuqing, wait_until
from yuqing.crawlers.browser import CHROMIUM_ARGS

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts"

pytestmark = pytest.mark.browser


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
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 800})
    # the console must need nothing from outside this server
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort()
    )
    yield context.new_page()
    context.close()


def api_incidents(url: str) -> list[dict]:
    token = httpx.post(f"{url}/api/auth/token", data={"username": "brand", "password": "demo"}).json()["access_token"]
    return httpx.get(f"{url}/api/incidents", headers={"Authorization": f"Bearer {token}"}).json()["items"]


def settled_incidents(url: str) -> list[dict] | None:
    """The incidents once every demo source has been crawled and alerted on (no change for a second)."""
    token = httpx.post(f"{url}/api/auth/token", data={"username": "brand", "password": "demo"}).json()["access_token"]
    posts = httpx.get(f"{url}/api/posts", params={"limit": 200}, headers={"Authorization": f"Bearer {token}"}).json()[
        "items"
    ]
    if {p["source"] for p in posts} < {"weibo", "baidu", "baidu-news", "tieba", "discuz", "repair-bbs"}:
        return None
    before = api_incidents(url)
    time.sleep(1)
    after = api_incidents(url)
    return after if after and [i["id"] for i in before] == [i["id"] for i in after] else None


def test_brand_user_logs_in_and_sees_the_incidents(demo_server: RunningYuqing, page) -> None:
    # one incident per event: wait until the demo's first crawl round has opened them all
    incidents = wait_until(lambda: settled_incidents(demo_server.url), 90, "the demo's incidents")
    page.goto(demo_server.url + "/")
    page.get_by_label("用户名").fill("brand")
    page.get_by_label("密码").fill("wrong")
    page.get_by_label("密码").press("Enter")
    page.get_by_text("用户名或密码错误").wait_for()

    page.get_by_label("密码").fill("demo")
    page.get_by_label("密码").press("Enter")
    page.locator("#incidents tbody tr").first.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-incidents.png"), full_page=True)

    rows = page.locator("#incidents tbody tr")
    assert rows.count() == len(incidents)
    shown = {int(rows.nth(i).get_attribute("data-incident-id")) for i in range(rows.count())}
    assert shown == {i["id"] for i in incidents}
    first = rows.first.inner_text()
    label = {"general": "一般", "serious": "较大", "major": "重大"}[incidents[0]["severity"]]  # the risk step's
    assert incidents[0]["brand"] in first and label in first and "待处理" in first
    assert page.locator("#who").inner_text().startswith("brand")


def test_crawled_markup_is_shown_as_text(tmp_path, page) -> None:
    """A post title with <script> and onerror= becomes an incident title; the
    console shows those characters and runs nothing."""
    import subprocess
    import sys

    from support import free_port, yuqing_command

    data = tmp_path / "d"
    config = tmp_path / "c.toml"
    config.write_text("[[brands]]\nname = '星河电器'\n", encoding="utf-8")
    script = f"""
from datetime import datetime
from yuqing.post import Post, SHANGHAI
from yuqing.settings import load_settings
from yuqing.services import Services
from yuqing.accounts import add_user
from pathlib import Path
s = Services(load_settings(Path({str(config)!r}), data_dir=Path({str(data)!r})))
with s.sessions.begin() as session:
    add_user(session, s.clock, "brand", "brand", "pw")
now = datetime.now(SHANGHAI)
evil = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">星河电器质量太差，漏电，我要投诉！'
s.ingest([Post(source="weibo", post_id="x1", url="https://m.weibo.cn/detail/x1", text=evil, fetched_at=now)])
s.close()
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    port = free_port()
    proc = subprocess.Popen(
        yuqing_command("serve", "--config", str(config), "--data-dir", str(data), "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return httpx.get(f"{url}/api/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, 60, "yuqing serve")
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url + "/")
        page.get_by_label("用户名").fill("brand")
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()
        title = page.locator("#incidents tbody tr td").nth(2)
        title.wait_for()
        page.screenshot(path=str(ARTIFACTS / "console-xss.png"), full_page=True)
        assert "<script>" in title.inner_text()
        assert page.locator("#incidents script, #incidents img").count() == 0
        assert page.evaluate("window.pwned") is None
        assert dialogs == []
    finally:
        proc.terminate()
        proc.wait(timeout=30)
