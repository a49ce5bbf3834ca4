"""实时舆情 in Chromium: new negative posts arrive live, filters and search narrow the list,
a wrong classification is kept as feedback, and crawled HTML is shown as text, never run."""

from __future__ import annotations

from datetime import timedelta

from console_support import BRAND, Console, login, shot

from yuqing.post import Post

XSS = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


def crawled(console: Console, source: str, post_id: str, text: str, **fields: object) -> Post:
    """A post from any source (console.post is Weibo only), through the real pipeline."""
    now = console.clock.now()
    post = Post(
        source=source,
        post_id=post_id,
        url=str(fields.pop("url", f"https://tieba.baidu.com/p/{post_id}")),
        text=text,
        author=str(fields.pop("author", "吧友" + post_id)),
        published_at=now - timedelta(minutes=3),
        fetched_at=now,
        **fields,  # type: ignore[arg-type]
    )
    console.services.ingest([post])
    return post


def open_feed(page, console: Console, user: str = "brand") -> None:  # noqa: ANN001
    login(page, console, user)
    page.locator('#nav a[data-screen="feed"]').click()
    page.locator("#feed-filters").wait_for()


def card(page, key: str):  # noqa: ANN001, ANN201
    return page.locator(f'#feed-posts article[data-key="{key}"]')


def test_a_new_negative_post_arrives_live_with_its_evidence(console: Console, page) -> None:
    console.post("f1", "星河热水器漏电，洗澡时手麻，太危险了，售后一直推诿，我要投诉！", reposts=12, likes=30)
    open_feed(page, console)
    card(page, "weibo:f1").wait_for()
    page.evaluate("window.notReloaded = true")
    page.locator("#live:not(.off)").wait_for()  # the stream is open

    console.post("f2", "星河空调噪音大得像拖拉机，客服态度恶劣，质量太差了，千万别买！", author="愤怒的消费者",
                 author_followers=52000, reposts=340, comments=88, likes=1200)  # fmt: skip
    fresh = card(page, "weibo:f2")
    fresh.wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert "fresh" in fresh.get_attribute("class")
    assert page.locator("#feed-posts article").first.get_attribute("data-key") == "weibo:f2"  # newest on top
    text = fresh.inner_text()
    for shown in (
        "weibo",
        "愤怒的消费者",
        "粉丝 52,000",
        "转发 340",
        "评论 88",
        "点赞 1,200",
        "负面",
        "风险",
        "建议级别",
    ):
        assert shown in text, shown
    stored = console.call("GET", "/api/posts/weibo:f2", "brand")
    assert stored["analysis"]["evidence"], "the pipeline should give evidence for this post"
    marks = fresh.locator(".post-text mark").all_inner_texts()
    assert marks and set(marks) <= {w for e in stored["analysis"]["evidence"] for w in e.split("+")}
    link = fresh.locator("a.original")
    assert link.get_attribute("href") == "https://m.weibo.cn/detail/f2"
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("rel") == "noopener noreferrer"
    shot(page, "console-feed")


def test_filters_and_search_narrow_the_list_and_the_live_posts(console: Console, page) -> None:
    console.post("s1", "星河热水器漏电，洗澡时手麻，太危险了，我要投诉！")
    console.post("s2", "星河空调噪音太大，客服推诿，质量太差，再也不买了。")
    crawled(console, "tieba", "s3", "星河热水器售后太差了，师傅上门乱收费，坑人！")
    console.post("s4", "星河空调今天装好了，安装师傅很专业，制冷很快，满意。")
    open_feed(page, console)
    card(page, "weibo:s1").wait_for()
    assert card(page, "weibo:s4").count() == 0  # negative only, by default
    assert page.locator("#feed-count").inner_text() == "共 3 条"

    filters = page.locator("#feed-filters")
    filters.get_by_label("来源").select_option("tieba")
    page.locator("#feed-count").filter(has_text="共 1 条").wait_for()
    assert page.locator("#feed-posts article").all() and card(page, "tieba:s3").count() == 1

    filters.get_by_label("来源").select_option("")
    page.locator("#feed-count").filter(has_text="共 3 条").wait_for()  # each step waits for a count that differs
    filters.get_by_label("搜索").fill("漏电")
    filters.get_by_label("搜索").press("Enter")
    page.locator("#feed-count").filter(has_text="共 1 条").wait_for()
    assert [a.get_attribute("data-key") for a in page.locator("#feed-posts article").all()] == ["weibo:s1"]

    # live posts obey the search too: the one without 漏电 stays off the list
    page.locator("#live:not(.off)").wait_for()
    console.post("s5", "星河空调外机漏水，楼下邻居找上门，售后三天不来，气死了！")
    console.post("s6", "星河热水器又漏电了，吓得不敢用，必须给个说法！")
    card(page, "weibo:s6").wait_for()
    assert card(page, "weibo:s5").count() == 0

    filters.get_by_label("搜索").fill("")
    filters.get_by_label("情感").select_option("")  # any sentiment: the satisfied customer shows
    card(page, "weibo:s4").wait_for()
    filters.get_by_label("品牌").select_option(BRAND)
    filters.get_by_label("时间").select_option("1h")
    card(page, "weibo:s5").wait_for()
    shot(page, "console-feed-filtered")
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_marking_a_post_as_wrongly_classified_is_kept_as_feedback(console: Console, page) -> None:
    console.post("w1", "星河热水器这波降价太狠了，价格杀疯了，简直要命，抢到就是赚到！")
    open_feed(page, console)
    post = card(page, "weibo:w1")
    post.wait_for()
    post.get_by_role("button", name="标记误判").click()
    post.get_by_label("实际应为").select_option("positive")
    post.get_by_label("备注").fill("促销文案，不是投诉")
    post.get_by_role("button", name="确认误判").click()
    post.get_by_text("已记录：实为「正面」").wait_for()
    [kept] = console.call("GET", "/api/feedback", "admin")
    assert (kept["post_key"], kept["label"], kept["username"]) == ("weibo:w1", "positive", "brand")
    assert (kept["predicted"], kept["note"]) == ("negative", "促销文案，不是投诉")


def test_crawled_html_is_shown_as_text_on_the_feed_and_the_incident_page(console: Console, page) -> None:
    console.post("x1", "星河热水器漏电太危险了，售后推诿，我要投诉！" + XSS, author="<b>黑客</b>")
    crawled(console, "tieba", "x2", "星河热水器漏电，售后不管，差评！", url="javascript:window.pwned=3")
    open_feed(page, console)
    post = card(page, "weibo:x1")
    post.wait_for()
    assert XSS in post.locator(".post-text").inner_text()
    assert post.locator(".post-text script, .post-text img").count() == 0
    assert post.locator(".post-author").inner_text() == "<b>黑客</b>"
    assert card(page, "tieba:x2").locator("a").count() == 0  # a javascript: URL gets no link
    assert page.evaluate("typeof window.pwned") == "undefined"
    shot(page, "console-feed-xss")

    [incident] = [i for i in console.call("GET", "/api/incidents", "brand")["items"] if "weibo:x1" in i["post_keys"]]
    page.goto(f"{console.url}/#/incident/{incident['id']}")
    shown = page.locator('#incident-posts article[data-key="weibo:x1"]')
    shown.wait_for()
    assert XSS in shown.locator(".post-text").inner_text()
    assert shown.locator(".post-text script, .post-text img").count() == 0
    assert page.locator("#incident-view script, #incident-view img").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.dialogs == []  # type: ignore[attr-defined]
