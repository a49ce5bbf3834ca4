"""The demo sample site (yuqing/demo/site): every routed page parses, with the story the demo tells."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

import yuqing.demo
from yuqing.crawlers.parsers import tieba
from yuqing.crawlers.parsers.baidu import parse_news, parse_web
from yuqing.crawlers.parsers.discuz import next_page, parse_thread, thread_links
from yuqing.crawlers.parsers.forum import ForumSelectors, forum_next_page, forum_rows, parse_forum_thread
from yuqing.crawlers.parsers.markup import sniff_charset
from yuqing.crawlers.parsers.weibo import parse_getindex
from yuqing.post import Post
from yuqing.settings import load_settings

SITE = Path(yuqing.demo.__file__).parent / "site"
HOST = "http://127.0.0.1:8765"
BRAND = "星河"
NEGATIVE = re.compile("漏电|异响|推诿|维权|投诉|太差|退货")
POSITIVE = re.compile("满意|点赞|很安静|好评|推荐")
# the demo's industry forum: a kind = "forum" instance, read with the selectors demo.toml gives it
REPAIR = load_settings(yuqing.demo.CONFIG).sources["repair-bbs"]
REPAIR_SELECTORS = ForumSelectors.model_validate(REPAIR.spider_args["selectors"])


DEMO_SOURCES = set(load_settings(yuqing.demo.CONFIG).sources)


def routes() -> list[dict[str, Any]]:
    return json.loads((SITE / "routes.json").read_text(encoding="utf-8"))


def route_for(url: str) -> dict[str, Any] | None:
    """The replay server's rule: same path, every listed query key present with that value."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for route in routes():
        if route["path"] == parts.path and all(query.get(k) == v for k, v in route["query"].items()):
            return route
    return None


def url_of(route: dict[str, Any]) -> str:
    return f"{HOST}{route['path']}?{urlencode(route['query'])}"


def parse_route(route: dict[str, Any], now: datetime) -> list[Post]:
    """The posts of a routed page, read as its spider reads it (list pages yield none)."""
    body = (SITE / route["file"]).read_bytes()
    url = url_of(route)
    site, name = route["file"].split("/")
    if site == "weibo":
        return parse_getindex(body, url, now)
    if site == "baidu":
        return parse_news(body, url, now) if route["query"].get("tn") == "news" else parse_web(body, url, now)
    if site == "discuz":
        return parse_thread(body, url, now) if route["query"].get("mod") == "viewthread" else []
    if site == "tieba":
        return tieba.parse_thread(body, url, now) if route["path"].startswith("/p/") else []
    if site == "repair":
        return parse_forum_thread(body, url, now, REPAIR_SELECTORS, "repair-bbs") if "topic-" in name else []
    raise AssertionError(f"no parser for {route['file']}")


@pytest.fixture
def all_posts(now: datetime) -> list[Post]:
    return [post for route in routes() for post in parse_route(route, now)]


def test_routes_are_well_formed() -> None:
    for route in routes():
        assert set(route) == {"path", "query", "file", "status", "headers"}
        assert (SITE / route["file"]).is_file(), route["file"]
        assert route["status"] == 200
        assert "Content-Type" in route["headers"]


def test_counts_per_page(now: datetime) -> None:
    counts = {route["file"]: len(parse_route(route, now)) for route in routes()}
    assert counts == {
        "weibo/search_1.json": 8,
        "weibo/search_end.json": 0,
        "baidu/news_xinghe.html": 5,
        "baidu/s_xinghe.html": 5,
        "discuz/forumdisplay_2.html": 0,
        "discuz/thread_101.html": 4,
        "discuz/thread_102_gbk.html": 3,
        "tieba/f_xinghe.html": 0,
        "tieba/p_9276543210.html": 4,
        "tieba/p_9276543288.html": 3,
        "repair/list-12-1.html": 0,
        "repair/topic-58021-1.html": 3,
        "repair/topic-58021-2.html": 2,
        "repair/topic-58022-1.html": 3,
    }


def test_weibo_page_uses_both_card_levels() -> None:
    cards = json.loads((SITE / "weibo/search_1.json").read_text(encoding="utf-8"))["data"]["cards"]
    assert {c["card_type"] for c in cards} >= {9, 11}
    assert any(g["card_type"] == 9 for c in cards if c["card_type"] == 11 for g in c["card_group"])


def test_discuz_list_links_are_routed() -> None:
    route = route_for(f"{HOST}/forum.php?mod=forumdisplay&fid=2")
    assert route is not None
    body = (SITE / route["file"]).read_bytes()
    links = thread_links(body, url_of(route))
    assert len(links) == 2
    assert [route_for(link)["file"] for link in links] == ["discuz/thread_101.html", "discuz/thread_102_gbk.html"]
    assert next_page(body, url_of(route)) is None


def test_baidu_news_cards_have_outlets(now: datetime) -> None:
    route = route_for(f"{HOST}/s?tn=news&rtt=4&bsst=1&cl=2&wd=%E6%98%9F%E6%B2%B3%E7%94%B5%E5%99%A8&pn=0")
    posts = parse_route(route, now)
    assert {p.source for p in posts} == {"baidu-news"}
    assert all(p.author and p.title and p.text for p in posts)
    assert sum(1 for p in posts if p.raw["date_text"].endswith("前")) >= 3  # relative: stays fresh


def test_tieba_list_hides_its_threads_in_the_pagelet_comment(now: datetime) -> None:
    route = route_for(f"{HOST}/f?kw=%E6%98%9F%E6%B2%B3%E7%94%B5%E5%99%A8&ie=utf-8&pn=0")
    assert route is not None and route["file"] == "tieba/f_xinghe.html"
    body = (SITE / route["file"]).read_bytes()
    assert b'<code class="pagelet_html" id="pagelet_html_frs-list/pagelet/thread_list"' in body
    assert b"j_thread_list" not in body.split(b"<!--", 2)[1]  # only inside the comment
    rows = tieba.parse_forum(body, url_of(route), now)
    assert [(r.post_id, r.comments, r.raw["forum"]) for r in rows] == [
        ("9276543210", 3, "星河电器"),
        ("9276543288", 2, "星河电器"),
    ]
    assert tieba.next_page(body, url_of(route)) is None
    for row in rows:
        thread_route = route_for(f"{HOST}/p/{row.post_id}")
        floors = parse_route(thread_route, now)
        assert floors[0].post_id == row.raw["first_post_id"] and floors[0].title == row.title
        assert floors[0].comments == row.comments == len(floors) - 1
        assert all(f.parent_id == floors[0].post_id for f in floors[1:])
        assert {f.raw["forum"] for f in floors} == {"星河电器"} and all(f.raw.get("ip_location") for f in floors)


def test_repair_forum_is_read_with_the_configured_selectors(now: datetime) -> None:
    assert REPAIR.kind == "forum" and REPAIR.interval_seconds == 60
    route = route_for(f"{HOST}/{REPAIR.queries[0]}")
    body = (SITE / route["file"]).read_bytes()
    rows = forum_rows(body, url_of(route), REPAIR_SELECTORS)
    assert [route_for(row.url)["file"] for row in rows] == ["repair/topic-58021-1.html", "repair/topic-58022-1.html"]
    assert all(row.version for row in rows) and forum_next_page(body, url_of(route), REPAIR_SELECTORS) is None
    first = route_for(rows[0].url)
    following = forum_next_page((SITE / first["file"]).read_bytes(), rows[0].url, REPAIR_SELECTORS)
    assert route_for(following)["file"] == "repair/topic-58021-2.html"
    assert forum_next_page((SITE / "repair/topic-58021-2.html").read_bytes(), following, REPAIR_SELECTORS) is None
    [op, *replies] = parse_route(first, now)
    assert op.title.startswith("星河空调外机异响") and op.author == "维修老张"
    assert "本帖最后由" not in op.text  # text_exclude: the edit note ...
    quoting = next(p for p in replies if p.post_id == "700103")
    assert "压缩机底部" not in quoting.text and quoting.text.startswith("请问老张")  # ... and the quote


def test_gbk_thread_declares_its_charset() -> None:
    route = route_for(f"{HOST}/forum.php?mod=viewthread&tid=102")
    body = (SITE / route["file"]).read_bytes()
    assert "charset=gbk" in route["headers"]["Content-Type"]
    assert sniff_charset(body) == "gb18030"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_spider_urls_hit_routes() -> None:
    """The URLs the spiders build (see test_spider_requests) are answered by the routes."""
    weibo = f"{HOST}/api/container/getIndex?containerid=100103type%3D1%26q%3D%E6%98%9F%E6%B2%B3%E7%94%B5%E5%99%A8"
    assert route_for(f"{weibo}&page_type=searchall&page=1")["file"] == "weibo/search_1.json"
    assert route_for(f"{weibo}&page_type=searchall&page=2")["file"] == "weibo/search_end.json"
    xinghe = "%E6%98%9F%E6%B2%B3%E7%94%B5%E5%99%A8"
    baidu = f"{HOST}/s?wd={xinghe}&pn=0&rn=10&ie=utf-8"
    assert route_for(baidu)["file"] == "baidu/s_xinghe.html"
    news = f"{HOST}/s?tn=news&rtt=4&bsst=1&cl=2&wd={xinghe}&pn=0"
    assert route_for(news)["file"] == "baidu/news_xinghe.html"
    for later in (baidu.replace("pn=0", "pn=10"), news.replace("pn=0", "pn=10")):
        assert route_for(later) is None  # page 2: 404, the end of the results
    assert route_for(f"{HOST}/f?kw={xinghe}&ie=utf-8&pn=0")["file"] == "tieba/f_xinghe.html"
    assert route_for(f"{HOST}/f?kw={xinghe}&ie=utf-8&pn=50") is None
    assert route_for(f"{HOST}/f/search/res?isnew=1&qw={xinghe}&rn=10&pn=1&sm=1") is None
    assert route_for(f"{HOST}/p/9276543210")["file"] == "tieba/p_9276543210.html"
    assert route_for(f"{HOST}/wxbbs/list-12-1.html")["file"] == "repair/list-12-1.html"


def test_story(all_posts: list[Post]) -> None:
    negative = [p for p in all_posts if BRAND in p.content and NEGATIVE.search(p.content)]
    positive = [p for p in all_posts if BRAND in p.content and POSITIVE.search(p.content)]
    other_brand = [p for p in all_posts if "东方家电" in p.content and BRAND not in p.content]
    assert len(negative) >= 5
    assert {p.source for p in negative} == DEMO_SOURCES
    assert len(positive) >= 3
    assert len(other_brand) >= 2
    # baidu-news, tieba and repair-bbs each also have good news and posts about the other brand only
    new_sources = DEMO_SOURCES - {"weibo", "baidu", "discuz"}
    assert new_sources <= {p.source for p in positive} and new_sources <= {p.source for p in other_brand}
    assert any("漏电" in p.content for p in negative)
    assert all("<" not in p.content for p in all_posts)


def test_posts_look_fresh(all_posts: list[Post], now: datetime) -> None:
    """Within a day of the fixed clock (Discuz's older GBK thread aside); relative times
    ("3小时前") keep them so on any day, but Tieba's floors show only absolute times."""
    for post in all_posts:
        assert post.published_at is not None
        if post.source == "discuz":
            continue
        assert now - timedelta(days=1) <= post.published_at <= now, (post.source, post.raw)
