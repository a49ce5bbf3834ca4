"""趋势 in Chromium: real Plotly charts (served by this server, no CDN) from the posts ingested."""

from __future__ import annotations

from datetime import timedelta

from console_support import BRAND, Console, login, shot

from yuqing.crawlers.classify import Outcome, Verdict

CHARTS = ("chart-sentiment", "chart-sources", "chart-terms", "chart-sla")
POSTS = {
    "t1": "星河热水器漏电，洗澡时手麻，太危险了，售后一直推诿，我要投诉！",
    "t2": "星河空调噪音太大，用了三天就坏了，质量太差，退货！",
    "t3": "星河热水器又漏水了，客服态度恶劣，再也不买了",
    "t4": "星河空调制冷很快，安装师傅很专业，好评",
    "t5": "今天把星河热水器装好了，明天试试",
}


def test_charts_render_from_the_posts(console: Console, page) -> None:
    for n, (post_id, text) in enumerate(POSTS.items()):
        console.post(post_id, text, minutes_ago=30 + 90 * n)
    console.services.health.record("weibo", Verdict(Outcome.OK, "ok"), 5, console.clock.now(), timedelta(minutes=15))
    console.call("POST", "/api/incidents", "lead", {"title": "热水器漏电", "severity": "major"})
    console.advance(timedelta(hours=2, minutes=1))  # the response and director clocks breach
    login(page, console, "brand")
    page.locator('#nav a[data-screen="trends"]').click()
    for chart in CHARTS:
        page.locator(f"#{chart} .main-svg").first.wait_for()
    assert page.locator('script[src="/vendor/plotly.min.js"]').count() == 1

    sentiment = page.locator("#chart-sentiment")
    assert {"负面", "正面"} <= set(sentiment.locator(".legendtext").all_text_contents())
    assert sentiment.locator(".bars path").count() >= 2  # a bar per day and sentiment that has posts
    assert page.locator("#chart-sources .xtick").all_text_contents() == ["weibo"]
    terms = page.locator("#chart-terms .ytick").all_text_contents()
    assert terms, "the top negative terms are drawn as a horizontal bar chart"
    assert "基于 3 条负面帖子" in page.locator("#chart-terms").locator("xpath=..").inner_text()
    assert page.locator("#chart-sla .xtick").all_text_contents() == ["响应", "声明", "总监报告"]
    assert "已超时" in page.locator("#chart-sla .legendtext").all_text_contents()
    assert page.locator("#chart-sla").get_by_text("暂无数据").count() == 0
    shot(page, "console-trends")

    page.get_by_role("button", name="30 天").click()
    page.locator('button[aria-pressed="true"]', has_text="30 天").wait_for()
    page.get_by_label("品牌").select_option(BRAND)
    for chart in CHARTS:
        page.locator(f"#{chart} .main-svg").first.wait_for()
    assert page.get_by_role("alert").count() == 0


def test_an_empty_range_says_so_in_the_chart(console: Console, page) -> None:
    login(page, console, "director")
    page.locator('#nav a[data-screen="trends"]').click()
    page.locator("#chart-sentiment .main-svg").first.wait_for()
    page.locator("#chart-sla").get_by_text("暂无数据").wait_for()
    assert page.locator("#chart-terms").get_by_text("暂无数据").count() == 1
