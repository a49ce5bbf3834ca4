"""The generic forum spider without a network, on the demo's Discuz pages and a forum written here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import yuqing.demo
from support import make_spider, respond, split
from support import start_requests as starts
from yuqing.crawlers.parsers.forum import DISCUZ_SELECTORS, ForumSelectors
from yuqing.crawlers.spiders.common import LAYOUT_CHANGED_STAT, PARSE_ERROR_STAT
from yuqing.crawlers.spiders.forum import ForumSpider
from yuqing.settings import load_settings


def make(**kwargs: Any) -> Any:
    return make_spider(ForumSpider, **kwargs)


SITE = Path(yuqing.demo.__file__).parent / "site"
BASE = "http://127.0.0.1:8765"


def test_default_is_discuz_on_the_demo_site() -> None:
    spider = make(base_url=BASE, queries=["forum.php?mod=forumdisplay&fid=2"])
    assert (spider.name, spider.source_name, spider.selectors) == ("forum", "forum", DISCUZ_SELECTORS)
    (listing,) = starts(spider)
    assert listing.url == f"{BASE}/forum.php?mod=forumdisplay&fid=2"
    posts, threads = split(respond(listing, (SITE / "discuz/forumdisplay_2.html").read_bytes()))
    assert posts == [] and [t.url for t in threads] == [
        f"{BASE}/forum.php?mod=viewthread&tid=101&extra=page%3D1",
        f"{BASE}/forum.php?mod=viewthread&tid=102&extra=page%3D1",
    ]
    floors, more = split(respond(threads[0], (SITE / "discuz/thread_101.html").read_bytes()))
    assert len(floors) == 4 and more == [] and all(p.source == "forum" for p in floors)
    gbk, _ = split(respond(threads[1], (SITE / "discuz/thread_102_gbk.html").read_bytes(), "gbk"))
    assert gbk[0].title == "东方家电和星河热水器哪个好？求推荐"
    assert all(p.parent_id == gbk[0].post_id for p in gbk[1:])


SELECTORS = {
    "list_item": "li.thread",
    "list_link": "a.title",
    "next_page": "a.next",
    "post": "article.post",
    "post_id": "@data-pid",
    "author": "a.user",
    "time": "time::attr(datetime)",
    "text": "div.content",
    "title": "h1",
}


def thread(pids: list[int], next_link: str = "") -> bytes:
    posts = "".join(
        f'<article class="post" data-pid="{pid}"><a class="user">u{pid}</a>'
        f'<time datetime="2026-11-2{pid % 10}T10:00:00+08:00"></time><div class="content">第{pid}楼</div></article>'
        for pid in pids
    )
    more = f'<a class="next" href="{next_link}">下一页</a>' if next_link else ""
    return f"<html><body><h1>星河空调售后</h1>{posts}{more}</body></html>".encode()


def test_configured_forum_with_paging() -> None:
    spider = make(
        base_url=BASE + "/bbs",
        queries=["board/3", "https://other.example/board/9"],
        selectors=SELECTORS,
        source_name="jiadian-bbs",
        max_pages=2,
    )
    board, other = starts(spider)
    assert (board.url, other.url) == (f"{BASE}/bbs/board/3", "https://other.example/board/9")
    listing = (
        '<ul><li class="thread"><a class="title" href="/bbs/t/77">星河</a></li></ul><a class="next" href="?p=2">›</a>'
    )
    _, follow = split(respond(board, f"<html><body>{listing}</body></html>".encode()))
    assert [r.url for r in follow] == [f"{BASE}/bbs/t/77", f"{BASE}/bbs/board/3?p=2"]
    page_1, more = split(respond(follow[0], thread([1, 2], next_link="/bbs/t/77?page=2")))
    assert [p.post_id for p in page_1] == ["1", "2"] and page_1[0].title == "星河空调售后"
    assert all(p.source == "jiadian-bbs" for p in page_1)
    (page_2_request,) = more
    assert page_2_request.cb_kwargs == {
        "page": 2,
        "op_id": "1",
        "thread": f"{BASE}/bbs/t/77",
        "version": follow[0].cb_kwargs["version"],
    }
    page_2, more = split(respond(page_2_request, thread([3], next_link="/bbs/t/77?page=3")))
    assert page_2[0].parent_id == "1" and page_2[0].title == "" and more == []  # max_pages


def demo_forum() -> Any:
    """The demo's industry forum, as demo.toml configures it."""
    conf = load_settings(yuqing.demo.CONFIG).sources["repair-bbs"]
    assert conf.kind == "forum"
    return make(base_url=BASE, queries=conf.queries, max_pages=3, source_name="repair-bbs", **conf.spider_args)


def test_threads_read_are_not_followed_again_until_their_row_changes() -> None:
    spider = demo_forum()
    listing_page = (SITE / "repair/list-12-1.html").read_bytes()
    (listing,) = starts(spider)
    assert listing.url == f"{BASE}/wxbbs/list-12-1.html"
    _, threads = split(respond(listing, listing_page))
    urls = [f"{BASE}/wxbbs/topic-58021-1.html", f"{BASE}/wxbbs/topic-58022-1.html"]
    assert [t.url for t in threads] == urls
    version = threads[0].cb_kwargs["version"]
    assert threads[0].cb_kwargs == {"page": 1, "op_id": None, "thread": urls[0], "version": version}
    assert version != threads[1].cb_kwargs["version"]

    page_1, (page_2_request,) = split(respond(threads[0], (SITE / "repair/topic-58021-1.html").read_bytes()))
    assert [p.post_id for p in page_1] == ["700101", "700102", "700103"]
    assert page_2_request.url == f"{BASE}/wxbbs/topic-58021-2.html"
    assert page_2_request.cb_kwargs["thread"] == urls[0] and page_2_request.cb_kwargs["version"] == version
    _, again = split(respond(listing, listing_page))
    assert [t.url for t in again] == urls  # remembered only once its last page was read

    page_2, more = split(respond(page_2_request, (SITE / "repair/topic-58021-2.html").read_bytes()))
    assert [p.parent_id for p in page_2] == ["700101", "700101"] and more == []
    assert {p.source for p in page_1 + page_2} == {"repair-bbs"}
    _, again = split(respond(listing, listing_page))
    assert [t.url for t in again] == urls[1:]  # 58021 was read; 58022 never was

    restyled = listing_page.replace(
        b'<li class="topic-row" data-tid="58021">', b'<li class="topic-row hot" data-tid="58021">'
    )
    assert restyled != listing_page
    assert [t.url for t in split(respond(listing, restyled))[1]] == urls[1:]  # the row's text did not change
    replied = listing_page.replace(b'<em class="replies">4</em>', b'<em class="replies">5</em>').replace(
        "空调小白</a> <time>10分钟前".encode(), "南京老周</a> <time>刚刚".encode()
    )
    assert [t.url for t in split(respond(listing, replied))[1]] == urls  # a new reply: read 58021 again


def test_queries_are_threads_without_list_selectors() -> None:
    spider = make(
        base_url=BASE, queries=["t/77"], selectors=json.dumps({"post": "article.post", "post_id": "@data-pid"})
    )
    (request,) = starts(spider)
    assert request.callback == spider.parse_thread_page
    posts, _ = split(respond(request, thread([5])))
    assert [p.post_id for p in posts] == ["5"]


def test_layout_changes_are_counted() -> None:
    spider = make(base_url=BASE, queries=["board/3"], selectors=SELECTORS)
    (board,) = starts(spider)
    assert split(respond(board, b"<html><body><div class='row'>x</div></body></html>")) == ([], [])
    thread_request = spider.request(f"{BASE}/t/1", spider.parse_thread_page, page=1, op_id=None)
    assert split(respond(thread_request, b"<html><body><p>login first</p></body></html>")) == ([], [])
    assert spider.crawler.stats.get_value(PARSE_ERROR_STAT) == 2
    assert spider.crawler.stats.get_value(LAYOUT_CHANGED_STAT) == 2


def test_selectors_argument() -> None:
    assert make(base_url=BASE, selectors=ForumSelectors(post="div.p")).selectors.post == "div.p"
    with pytest.raises(ValidationError):
        make(base_url=BASE, selectors={"post": "div.p", "unknown": "x"})
    with pytest.raises(ValueError, match="not JSON"):
        make(base_url=BASE, selectors="post=div.p")
