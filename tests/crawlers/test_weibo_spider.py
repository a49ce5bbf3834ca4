"""The Weibo spiders without a network: the requests they build and what their callbacks yield."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from support import HTML, JSON, split
from support import make_spider as make
from support import respond as respond_as
from support import start_requests as starts
from yuqing.crawlers.spiders.common import PARSE_ERROR_STAT, parse_cookies
from yuqing.crawlers.spiders.weibo import WeiboSearchSpider
from yuqing.crawlers.spiders.weibo_cn import WeiboCnSpider
from yuqing.post import Post


def respond(request: Request, body: bytes, content_type: str = JSON) -> list[Any]:
    return respond_as(request, body, content_type)


BASE = "http://127.0.0.1:8765"


def fail(request: Request) -> list[Any]:
    failure = Failure(IgnoreRequest("blocked"))
    failure.request = request  # type: ignore[attr-defined]  # as Scrapy sets it
    return list(request.errback(failure) or [])


def query(request: Request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url).query)


def mblog(mid: str, *, long: bool = False, counts: tuple[int, int, int] = (1, 2, 3)) -> dict[str, Any]:
    reposts, comments, likes = counts
    return {
        "id": mid,
        "bid": "x",
        "created_at": "Wed Aug 24 22:03:13 +0800 2022",
        "text": f"status {mid} ...",
        "isLongText": long,
        "reposts_count": reposts,
        "comments_count": comments,
        "attitudes_count": likes,
        "user": {"id": 1, "screen_name": "星河电器官方微博", "followers_count": "43.4万"},
    }


def search_body(*mblogs: dict[str, Any], next_page: int | None = 2) -> bytes:
    cards = [{"card_type": 9, "mblog": m} for m in mblogs]
    return json.dumps({"ok": 1, "data": {"cardlistInfo": {"page": next_page}, "cards": cards}}).encode()


# --- search and timelines ---------------------------------------------------------------------


def test_realtime_search_and_string_arguments() -> None:
    spider = make(WeiboSearchSpider, base_url=BASE, queries="星河电器", realtime="true", comments_min_reach="50")
    (request,) = starts(spider)
    assert query(request)["containerid"] == ["100103type=61&q=星河电器"]
    assert spider.comments_min_reach == 50 and spider.cookies == {}
    assert request.headers["X-Requested-With"] == b"XMLHttpRequest"
    assert make(WeiboSearchSpider, base_url=BASE, queries="x", comments_min_reach="").comments_min_reach is None


def test_search_pages_follow_cardlist_info() -> None:
    spider = make(WeiboSearchSpider, base_url=BASE, queries=["星河电器"], max_pages=3)
    (request,) = starts(spider)
    posts, follow = split(respond(request, search_body(mblog("1"), mblog("2"))))
    assert [p.post_id for p in posts] == ["1", "2"]
    assert [query(r)["page"] for r in follow] == [["2"]]
    posts, follow = split(respond(follow[0], search_body(mblog("3"), next_page=None)))  # "page": null
    assert [p.post_id for p in posts] == ["3"] and follow == []


def test_uid_query_crawls_the_timeline(fixtures_dir: Path) -> None:
    spider = make(WeiboSearchSpider, base_url=BASE, queries=["uid:6074526225", "星河电器"], max_pages=2)
    timeline, search = starts(spider)
    assert urlsplit(timeline.url).path == "/api/container/getIndex"
    assert query(timeline) == {"containerid": ["2304136074526225_-_WEIBO_SECOND_PROFILE_WEIBO"], "page_type": ["03"]}
    assert timeline.headers["Referer"] == f"{BASE}/u/6074526225".encode()
    assert query(search)["containerid"] == ["100103type=1&q=星河电器"]
    body = (fixtures_dir / "weibo" / "weibocrawler_getIndex_230413_since_id_2022.json").read_bytes()
    posts, follow = split(respond(timeline, body))
    assert len(posts) == 10 and posts[0].post_id == "4806111732961615"
    (second,) = follow
    assert query(second)["since_id"] == ["4806110650831915"]
    assert second.cb_kwargs == {"uid": "6074526225", "page": 2}
    posts, follow = split(respond(second, body))
    assert len(posts) == 10 and follow == []  # max_pages reached


def test_parse_errors_are_counted() -> None:
    spider = make(WeiboSearchSpider, base_url=BASE, queries=["x"], max_pages=3)
    (request,) = starts(spider)
    captcha = b'{"ok":-100,"url":"https://m.weibo.cn/captcha?scene=limit"}'
    assert respond(request, captcha) == []
    assert respond(request, b"<html><title>\xe7\x99\xbb\xe5\xbd\x95</title></html>", HTML) == []
    assert spider.crawler.stats.get_value(PARSE_ERROR_STAT) == 2


# --- cookies and the home page ----------------------------------------------------------------


def test_cookies_visit_the_home_page_first() -> None:
    spider = make(WeiboSearchSpider, base_url=BASE, queries=["a", "uid:42"], cookies="SUB=abc; _T_WM=77 ;bad")
    (home,) = starts(spider)
    assert home.url == f"{BASE}/" and home.cookies == {"SUB": "abc", "_T_WM": "77"}
    assert home.headers["Accept"].startswith(b"text/html")
    searches = respond(home, b"<html><body>m.weibo.cn</body></html>", HTML)
    assert [urlsplit(r.url).path for r in searches] == ["/api/container/getIndex"] * 2
    assert all(r.cookies == {"SUB": "abc", "_T_WM": "77"} for r in searches)
    assert searches[0].headers["Accept"].startswith(b"application/json")
    # a failed home page does not stop the crawl
    assert [r.url for r in fail(home)] == [r.url for r in searches]


def test_cookie_strings_and_dicts() -> None:
    assert parse_cookies({"SUB": 1}) == {"SUB": "1"}
    assert parse_cookies("SUB=a=b; XSRF-TOKEN=x") == {"SUB": "a=b", "XSRF-TOKEN": "x"}
    assert parse_cookies(None) == {} and parse_cookies("") == {}


# --- long texts ---------------------------------------------------------------------------------


def test_long_text_is_fetched_and_replaces_the_truncated_post(fixtures_dir: Path) -> None:
    spider = make(WeiboSearchSpider, base_url=BASE, queries=["x"], cookies={"SUB": "s"})
    long_id = "4383487819465288"  # the id of the extend fixture
    body = search_body(mblog("1"), mblog(long_id, long=True), next_page=None)
    search = Request(f"{BASE}/api/container/getIndex?page=1", callback=spider.parse_search)
    search.cb_kwargs.update(keyword="x", page=1)
    posts, follow = split(respond(search, body))
    assert [p.post_id for p in posts] == ["1"]
    (extend,) = follow
    assert extend.url == f"{BASE}/statuses/extend?id={long_id}"
    assert extend.headers["Referer"] == f"{BASE}/detail/{long_id}".encode()
    assert extend.cookies == {"SUB": "s"}
    (full,) = respond(extend, (fixtures_dir / "weibo" / "weiboapi_statuses_extend.json").read_bytes())
    assert full.post_id == long_id and full.author == "星河电器官方微博"
    assert full.text.splitlines()[1] == "Nature" and full.raw["long_text_fetched"] is True
    # a refused extend keeps the truncated post; so does an unusable answer
    (kept,) = fail(extend)
    assert kept.text == f"status {long_id} ..." and kept.raw["is_long_text"] is True
    (kept,) = respond(extend, b'{"ok":-100}')
    assert kept.text == f"status {long_id} ..."


# --- comments ---------------------------------------------------------------------------------


def hotflow(*ids: int, max_id: int) -> bytes:
    comment = {"created_at": "Fri Jun 14 12:10:11 +0800 2019", "text": "好", "like_count": 1, "user": {"id": 9}}
    data = [{**comment, "id": i, "rootid": i} for i in ids]
    return json.dumps({"ok": 1, "data": {"data": data, "max_id": max_id, "max_id_type": 0}}).encode()


def test_comments_of_posts_that_reach_far_enough() -> None:
    spider = make(WeiboSearchSpider, base_url=BASE, queries=["x"], max_pages=2, comments_min_reach=100, cookies="S=1")
    (request,) = respond(starts(spider)[0], b"<html></html>", HTML)  # the home page first
    body = search_body(mblog("11", counts=(50, 40, 10)), mblog("12", counts=(1, 2, 3)), mblog("13", counts=(500, 0, 0)))
    posts, follow = split(respond(request, body))
    assert len(posts) == 3
    comments_request, next_search = follow  # 12 reaches 6 < 100; 13 has no comment to fetch
    assert query(next_search)["page"] == ["2"]
    assert urlsplit(comments_request.url).path == "/comments/hotflow"
    assert query(comments_request) == {"id": ["11"], "mid": ["11"], "max_id_type": ["0"]}
    assert comments_request.headers["Referer"] == f"{BASE}/detail/11".encode()
    comments, more = split(respond(comments_request, hotflow(101, 102, max_id=7777)))
    assert [(c.post_id, c.parent_id) for c in comments] == [("101", "11"), ("102", "11")]
    (page_2,) = more
    assert query(page_2) == {"id": ["11"], "mid": ["11"], "max_id_type": ["0"], "max_id": ["7777"]}
    comments, more = split(respond(page_2, hotflow(103, max_id=7778)))
    assert len(comments) == 1 and more == []  # max_pages
    assert split(respond(comments_request, hotflow(104, max_id=0)))[1] == []  # max_id 0: the last page


def test_no_comments_by_default_nor_without_cookies(caplog: pytest.LogCaptureFixture) -> None:
    body = search_body(mblog("1", counts=(10**6, 10**6, 10**6)), next_page=None)
    for kwargs in ({}, {"comments_min_reach": 0}):
        spider = make(WeiboSearchSpider, base_url=BASE, queries=["x"], **kwargs)
        (request,) = starts(spider)
        assert [type(i) for i in respond(request, body)] == [Post]
    assert "comments are skipped" in caplog.text


# --- weibo.cn -------------------------------------------------------------------------------------


def weibocn_page(fixtures_dir: Path, url: str) -> bytes:
    folder = fixtures_dir / "weibo" / "weibocn_html"
    url_map = json.loads((folder / "url_map.json").read_text(encoding="utf-8"))
    return (folder / Path(url_map[url]).name).read_bytes()


def test_weibo_cn_profiles_and_comment_pages(fixtures_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    spider = make(
        WeiboCnSpider,
        queries="1669879400,uid:1669879400,星河",
        max_pages=2,
        comments_min_reach=2_500_000,
        cookies="SUB=s",
    )
    assert spider.name == "weibo-cn" and spider.base_url == "https://weibo.cn"
    first, again = starts(spider)
    assert first.url == again.url == "https://weibo.cn/1669879400/profile?page=1"
    assert first.cookies == {"SUB": "s"} and first.headers["Accept"].startswith(b"text/html")
    assert "ignoring '星河'" in caplog.text
    body = weibocn_page(fixtures_dir, "https://weibo.cn/1669879400/profile?page=1")
    posts, follow = split(respond(first, body, HTML))
    *comment_pages, next_profile = follow
    assert next_profile.url == "https://weibo.cn/1669879400/profile?page=2"
    # reach >= 2,500,000 and comments > 0: those posts come back through their comment page
    assert len(posts) + len(comment_pages) == 10 and len(comment_pages) == 5
    repost = next(r for r in comment_pages if r.cb_kwargs["post"].raw["bid"] == "J5cVGuUNq")
    assert repost.url == "https://weibo.cn/comment/J5cVGuUNq?page=1"
    items = respond(repost, weibocn_page(fixtures_dir, "https://weibo.cn/comment/J5cVGuUNq"), HTML)
    posts, follow = split(items)
    status, *comments = posts
    assert status.post_id == "4512413447368168" and status.author_followers == 70805573  # kept from the profile
    assert status.likes == 572950 and len(comments) == 12
    assert [r.url for r in follow] == ["https://weibo.cn/comment/J5cVGuUNq?page=2"]
    (kept,) = fail(repost)
    assert kept.post_id == status.post_id
