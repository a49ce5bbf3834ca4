"""Baidu web and news spiders without a network: their requests, paging and error counting."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from support import make_spider as make
from support import respond, split
from support import start_requests as starts
from yuqing.crawlers.spiders.baidu import BaiduWebSpider
from yuqing.crawlers.spiders.baidu_news import BaiduNewsSpider
from yuqing.crawlers.spiders.common import LAYOUT_CHANGED_STAT, PARSE_ERROR_STAT

BASE = "http://127.0.0.1:8765"


def news_page(count: int) -> bytes:
    cards = "".join(
        f"""<div class="result-op c-container xpath-log new-pmd" id="{i}" tpl="news-normal">
<h3 class="news-title_1YtI1"><a href="https://news.example.cn/{i}.html">星河新闻{i}</a></h3>
<span class="c-font-normal c-color-text">摘要{i}</span>
<div class="news-source_Xj4Dv"><span class="c-color-gray c-font-normal c-gap-right">消费日报</span>
<span class="c-color-gray2 c-font-normal">{i}小时前</span></div></div>"""
        for i in range(1, count + 1)
    )
    nors = '<div class="content_none"><div class="nors">抱歉没有找到</div></div>' if not count else ""
    return f"""<html><head><title>百度资讯搜索_星河</title></head><body><div id="wrapper">
<div id="content_left"><div>{cards}</div>{nors}</div></div></body></html>""".encode()


def test_news_requests_and_paging() -> None:
    spider = make(BaiduNewsSpider, base_url=BASE, queries=["星河电器", "星河空调"], max_pages=2)
    assert spider.name == "baidu-news"
    first, second = starts(spider)
    parts = urlsplit(first.url)
    assert (parts.scheme + "://" + parts.netloc, parts.path) == (BASE, "/s")
    assert parse_qs(parts.query) == {
        "tn": ["news"],
        "rtt": ["4"],
        "bsst": ["1"],
        "cl": ["2"],
        "wd": ["星河电器"],
        "pn": ["0"],
    }
    assert first.headers["Accept-Language"].startswith(b"zh-CN")
    assert parse_qs(urlsplit(second.url).query)["wd"] == ["星河空调"]

    posts, follow = split(respond(first, news_page(3)))
    assert [p.title for p in posts] == ["星河新闻1", "星河新闻2", "星河新闻3"]
    assert all(p.source == "baidu-news" and p.author == "消费日报" for p in posts)
    (page_2,) = follow
    assert parse_qs(urlsplit(page_2.url).query)["pn"] == ["10"]
    posts, follow = split(respond(page_2, news_page(2)))
    assert len(posts) == 2 and follow == []  # max_pages reached


def test_news_stops_when_a_page_is_empty() -> None:
    spider = make(BaiduNewsSpider, base_url=BASE, queries="星河", max_pages=5)
    (request,) = starts(spider)
    assert split(respond(request, news_page(0))) == ([], [])
    assert spider.crawler.stats.get_value(PARSE_ERROR_STAT) is None  # really empty, not an error


def test_changed_layout_is_counted_not_raised() -> None:
    spider = make(BaiduNewsSpider, base_url=BASE, queries="星河", max_pages=5)
    (request,) = starts(spider)
    changed = b"<html><head><title>x</title></head><body><div id='content_left'><div class='new_card'>x</div></div></body></html>"
    assert split(respond(request, changed)) == ([], [])
    assert spider.crawler.stats.get_value(PARSE_ERROR_STAT) == 1
    assert spider.crawler.stats.get_value(LAYOUT_CHANGED_STAT) == 1


def test_security_check_is_counted() -> None:
    spider = make(BaiduWebSpider, base_url=BASE, queries="星河", max_pages=5)
    (request,) = starts(spider)
    blocked = "<html><head><title>百度安全验证</title></head><body></body></html>".encode()
    assert split(respond(request, blocked)) == ([], [])
    assert spider.crawler.stats.get_value(PARSE_ERROR_STAT) == 1
    assert spider.crawler.stats.get_value(LAYOUT_CHANGED_STAT) is None


def test_cookies_go_with_every_request() -> None:
    spider = make(BaiduNewsSpider, base_url=BASE, queries="星河", max_pages=2, cookies="BAIDUID=abc:FG=1; BDUSS=x")
    (request,) = starts(spider)
    assert request.cookies == {"BAIDUID": "abc:FG=1", "BDUSS": "x"}
    _, (following,) = split(respond(request, news_page(1)))
    assert following.cookies == request.cookies
    web = make(BaiduWebSpider, base_url=BASE, queries="星河", cookies={"BAIDUID": "abc"})
    assert starts(web)[0].cookies == {"BAIDUID": "abc"}
