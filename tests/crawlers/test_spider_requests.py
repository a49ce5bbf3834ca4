"""Spiders without a network: the requests they build and what their callbacks yield.

End-to-end crawls against the replay server are tested elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import Request

import yuqing.demo
from support import HTML, respond, split
from support import make_spider as make
from support import start_requests as starts
from yuqing.crawlers.spiders.baidu import BaiduWebSpider
from yuqing.crawlers.spiders.common import PARSE_ERROR_STAT
from yuqing.crawlers.spiders.discuz import DiscuzSpider
from yuqing.crawlers.spiders.weibo import WeiboSearchSpider


def respond_file(request: Request, file: str, content_type: str = HTML) -> list[Any]:
    return respond(request, (SITE / file).read_bytes(), content_type)


SITE = Path(yuqing.demo.__file__).parent / "site"
BASE = "http://127.0.0.1:8765"


def test_weibo_requests_and_paging() -> None:
    spider = make(WeiboSearchSpider, base_url=BASE + "/", queries=["星河电器", "星河空调"], max_pages=2)
    assert spider.name == "weibo"
    first, second = starts(spider)
    parts = urlsplit(first.url)
    assert (parts.scheme + "://" + parts.netloc, parts.path) == (BASE, "/api/container/getIndex")
    query = parse_qs(parts.query)
    assert query == {"containerid": ["100103type=1&q=星河电器"], "page_type": ["searchall"], "page": ["1"]}
    assert first.headers["X-Requested-With"] == b"XMLHttpRequest"
    assert first.headers["Accept"].startswith(b"application/json")
    assert first.headers["Referer"].startswith(f"{BASE}/search?containerid=100103type%3D1%26q%3D".encode())
    assert parse_qs(urlsplit(second.url).query)["containerid"] == ["100103type=1&q=星河空调"]

    posts, follow = split(respond_file(first, "weibo/search_1.json", "application/json"))
    assert len(posts) == 8 and all(p.source == "weibo" for p in posts)
    assert [parse_qs(urlsplit(r.url).query)["page"] for r in follow] == [["2"]]
    posts, follow = split(respond_file(follow[0], "weibo/search_end.json", "application/json"))
    assert posts == [] and follow == []


def test_weibo_stops_at_max_pages() -> None:
    spider = make(WeiboSearchSpider, base_url=BASE, queries="星河电器")  # `-a queries=…` gives a str
    (request,) = starts(spider)
    posts, follow = split(respond_file(request, "weibo/search_1.json", "application/json"))
    assert len(posts) == 8 and follow == []


def test_parse_error_is_counted_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    spider = make(WeiboSearchSpider, base_url=BASE, queries=["x"], max_pages=3)
    (request,) = starts(spider)
    # a login redirect answered with HTML instead of JSON
    assert split(respond_file(request, "baidu/s_xinghe.html", "text/html")) == ([], [])
    assert spider.crawler.stats.get_value(PARSE_ERROR_STAT) == 1
    assert request.url in caplog.text


def test_baidu_requests() -> None:
    spider = make(BaiduWebSpider, base_url=BASE, queries=["星河电器"], max_pages=2)
    assert spider.name == "baidu"
    (request,) = starts(spider)
    parts = urlsplit(request.url)
    assert parts.path == "/s"
    assert parse_qs(parts.query) == {"wd": ["星河电器"], "pn": ["0"], "rn": ["10"], "ie": ["utf-8"]}
    posts, follow = split(respond_file(request, "baidu/s_xinghe.html", "text/html; charset=utf-8"))
    assert len(posts) == 5
    assert [parse_qs(urlsplit(r.url).query)["pn"] for r in follow] == [["10"]]


def test_discuz_crawl() -> None:
    spider = make(DiscuzSpider, base_url=BASE, queries=["forum.php?mod=forumdisplay&fid=2"])
    assert spider.name == "discuz"
    (listing,) = starts(spider)
    assert listing.url == f"{BASE}/forum.php?mod=forumdisplay&fid=2"
    posts, threads = split(respond_file(listing, "discuz/forumdisplay_2.html", "text/html; charset=utf-8"))
    assert posts == [] and len(threads) == 2
    posts_101, more = split(respond_file(threads[0], "discuz/thread_101.html", "text/html; charset=utf-8"))
    posts_102, _ = split(respond_file(threads[1], "discuz/thread_102_gbk.html", "text/html; charset=gbk"))
    assert (len(posts_101), len(posts_102), more) == (4, 3, [])
    assert posts_102[0].title == "东方家电和星河热水器哪个好？求推荐"


def test_discuz_needs_a_base_url() -> None:
    with pytest.raises(ValueError, match="base_url"):
        DiscuzSpider(queries=["forum.php"])
