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
from yuqing.crawlers.parsers.baidu import parse_web
from yuqing.crawlers.parsers.discuz import next_page, parse_thread, thread_links
from yuqing.crawlers.parsers.markup import sniff_charset
from yuqing.crawlers.parsers.weibo import parse_getindex
from yuqing.post import Post

SITE = Path(yuqing.demo.__file__).parent / "site"
HOST = "http://127.0.0.1:8765"
BRAND = "星河"
NEGATIVE = re.compile("漏电|异响|推诿|维权|投诉|太差|退货")
POSITIVE = re.compile("满意|点赞|很安静|好评|推荐")


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
    body = (SITE / route["file"]).read_bytes()
    url = url_of(route)
    if route["path"] == "/api/container/getIndex":
        return parse_getindex(body, url, now)
    if route["path"] == "/s":
        return parse_web(body, url, now)
    if route["query"].get("mod") == "viewthread":
        return parse_thread(body, url, now)
    return []


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
        "baidu/s_xinghe.html": 5,
        "discuz/forumdisplay_2.html": 0,
        "discuz/thread_101.html": 4,
        "discuz/thread_102_gbk.html": 3,
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
    baidu = f"{HOST}/s?wd=%E6%98%9F%E6%B2%B3%E7%94%B5%E5%99%A8&pn=0&rn=10&ie=utf-8"
    assert route_for(baidu)["file"] == "baidu/s_xinghe.html"


def test_story(all_posts: list[Post]) -> None:
    negative = [p for p in all_posts if BRAND in p.content and NEGATIVE.search(p.content)]
    positive = [p for p in all_posts if BRAND in p.content and POSITIVE.search(p.content)]
    other_brand = [p for p in all_posts if "东方家电" in p.content and BRAND not in p.content]
    assert len(negative) >= 5
    assert {p.source for p in negative} == {"weibo", "baidu", "discuz"}
    assert len(positive) >= 3
    assert len(other_brand) >= 2
    assert any("漏电" in p.content for p in negative)
    assert all("<" not in p.content for p in all_posts)


def test_weibo_and_baidu_look_fresh(all_posts: list[Post], now: datetime) -> None:
    for post in all_posts:
        if post.source in ("weibo", "baidu"):
            assert post.published_at is not None
            assert now - timedelta(days=1) <= post.published_at <= now, post.raw
