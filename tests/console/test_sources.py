"""信源健康 in Chromium: each source's last success, blocked state, failures in a row, next run and volume."""

from __future__ import annotations

from datetime import datetime, timedelta

from console_support import Console, login, shot

from yuqing.crawlers.classify import Outcome, Verdict
from yuqing.settings import SourceSettings

INTERVAL = timedelta(minutes=15)


def crawl(console: Console, source: str, outcome: Outcome, reason: str, items: int, minutes_ago: int) -> None:
    """Book a crawl's verdict as the crawler runner does after each run."""
    at = console.clock.now() - timedelta(minutes=minutes_ago)
    console.services.health.record(source, Verdict(outcome, reason), items, at, INTERVAL)


def next_run(row) -> datetime:  # noqa: ANN001
    """The next run a row shows (its exact time is the cell's title)."""
    return datetime.fromisoformat(row.locator("td").nth(6).locator("span").get_attribute("title"))


def test_source_health_shows_blocked_sources_in_red(console: Console, page) -> None:
    console.services.settings.sources["zhihu"] = SourceSettings()  # configured, never run yet
    crawl(console, "weibo", Outcome.OK, "ok", 37, minutes_ago=5)
    crawl(console, "baidu", Outcome.OK, "ok", 12, minutes_ago=120)
    crawl(console, "baidu", Outcome.BLOCKED, "HTTP 432 (Weibo anti-crawl: cookie or Referer refused)", 0, 60)
    crawl(console, "baidu", Outcome.BLOCKED, "验证码页面 wappass.baidu.com", 0, minutes_ago=20)
    crawl(console, "tieba", Outcome.EMPTY, "no new posts", 0, minutes_ago=3)

    login(page, console, "brand")
    page.locator('#nav a[data-screen="sources"]').click()
    table = page.locator("#sources")
    table.locator('tr[data-source="baidu"]').wait_for()
    assert page.locator("#sources-count").inner_text() == "共 4 个信源，1 个异常"

    weibo = table.locator('tr[data-source="weibo"]')
    assert weibo.get_attribute("data-level") == "ok"
    assert weibo.locator(".health").inner_text() == "正常"
    assert weibo.locator("td.num").inner_text() == "37"
    assert "（5分前）" in weibo.inner_text()
    assert next_run(weibo) == console.clock.now() + timedelta(minutes=10)

    baidu = table.locator('tr[data-source="baidu"]')
    assert baidu.get_attribute("data-level") == "failing"
    assert baidu.locator(".health").inner_text() == "被封禁"
    assert baidu.locator(".source-reason").inner_text() == "验证码页面 wappass.baidu.com"
    assert baidu.locator("td.failures").inner_text() == "2"  # failures in a row
    assert "（2小时0分前）" in baidu.inner_text()  # its last success
    assert next_run(baidu) == console.clock.now() + timedelta(minutes=40)  # backed off: 15 min × 2² after two failures
    assert "分后）" in baidu.locator("td").nth(6).inner_text()
    assert baidu.evaluate("tr => getComputedStyle(tr.querySelector('.health')).backgroundColor") == "rgb(180, 35, 24)"

    assert table.locator('tr[data-source="tieba"]').get_attribute("data-level") == "quiet"
    zhihu = table.locator('tr[data-source="zhihu"]')
    assert zhihu.get_attribute("data-level") == "none"
    assert zhihu.locator(".health").inner_text() == "未运行"
    shot(page, "console-sources")


def test_no_sources_says_so(console: Console, page) -> None:
    login(page, console, "director")
    page.goto(console.url + "/#/sources")
    page.locator("#sources-empty").wait_for(state="visible")
    assert page.locator("#sources-empty").inner_text() == "尚未配置信源"
