"""The Tieba spider without a network: requests it builds from the real pages' answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scrapy import Request

from support import make_spider, respond, split
from support import start_requests as starts
from yuqing.crawlers.spiders.common import PARSE_ERROR_STAT
from yuqing.crawlers.spiders.tieba import TiebaSpider


def make(**kwargs: Any) -> Any:
    return make_spider(TiebaSpider, **kwargs)


BASE = "http://127.0.0.1:8765"


def path_and_query(request: Request) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(request.url)
    assert parts.scheme + "://" + parts.netloc == BASE
    return parts.path, parse_qs(parts.query)


def load(fixtures_dir: Path, name: str) -> bytes:
    return (fixtures_dir / "tieba" / name).read_bytes()


def test_requests() -> None:
    spider = make(base_url=BASE, queries="kw:盗墓笔记,星河空调")
    assert spider.name == "tieba" and spider.replies is False
    forum, search = starts(spider)
    assert path_and_query(forum) == ("/f", {"kw": ["盗墓笔记"], "ie": ["utf-8"], "pn": ["0"]})
    assert path_and_query(search) == (
        "/f/search/res",
        {"isnew": ["1"], "qw": ["星河空调"], "rn": ["10"], "pn": ["1"], "sm": ["1"]},
    )
    assert TiebaSpider.default_base_url == "https://tieba.baidu.com"


def test_forum_list_follows_new_threads(fixtures_dir: Path) -> None:
    spider = make(base_url=BASE, queries=["kw:盗墓笔记"], max_pages=2)
    (forum,) = starts(spider)
    body = load(fixtures_dir, "mediacrawler_tieba_note_list.html")
    posts, follow = split(respond(forum, body))
    assert posts == []  # the rows decide what to read; the floors are the posts
    threads = [r for r in follow if r.callback == spider.parse_thread_page]
    assert len(threads) == 48
    assert path_and_query(threads[0]) == ("/p/9079949995", {})
    assert threads[0].cb_kwargs == {
        "tid": "9079949995",
        "page": 1,
        "op_id": "150544122828",
        "version": "18",
    }
    (next_list,) = [r for r in follow if r.callback == spider.parse_forum_page]
    assert path_and_query(next_list) == ("/f", {"kw": ["盗墓笔记"], "ie": ["utf-8"], "pn": ["50"]})  # re-rooted

    # a thread read to its last page is remembered: the next list page leaves it out until it moves
    thread = load(fixtures_dir, "mediacrawler_note_detail.html")
    spider.max_pages = 1
    posts, more = split(respond(threads[0], thread))
    assert len(posts) == 40 and more == []
    _, again = split(respond(forum, body))
    assert len(again) == 47 and "/p/9079949995" not in {urlsplit(r.url).path for r in again}


def test_search_yields_hits_and_follows_their_threads(fixtures_dir: Path) -> None:
    spider = make(base_url=BASE, queries=["东南亚"], max_pages=2)
    (search,) = starts(spider)
    hits, follow = split(respond(search, load(fixtures_dir, "mediacrawler_search_keyword_notes.html")))
    assert len(hits) == 10 and hits[0].raw["tid"] == "9117888152"
    threads = [r for r in follow if r.callback == spider.parse_thread_page]
    assert [urlsplit(r.url).path for r in threads][:2] == ["/p/9117888152", "/p/9114743782"]
    assert len(threads) == 10
    (next_search,) = [r for r in follow if r.callback == spider.parse_search_page]
    assert path_and_query(next_search)[1]["pn"] == ["2"]


def test_thread_pages_and_replies(fixtures_dir: Path) -> None:
    spider = make(base_url=BASE, queries=["x"], max_pages=2, replies="true")
    assert spider.replies is True
    first = spider.thread_request("9117905169")
    posts, follow = split(respond(first, load(fixtures_dir, "mediacrawler_note_detail.html")))
    assert len(posts) == 40
    sub = [r for r in follow if r.callback == spider.parse_sub_comments_page]
    assert len(sub) == 18  # the floors whose comment_num > 0
    assert path_and_query(sub[0]) == ("/p/comment", {"tid": ["9117905169"], "pid": ["150719088158"], "pn": ["1"]})
    (page_2,) = [r for r in follow if r.callback == spider.parse_thread_page]
    assert path_and_query(page_2) == ("/p/9117905169", {"pn": ["2"]})
    assert page_2.cb_kwargs["op_id"] == "150719031818"

    lzl = spider.sub_comments_request("9119688421", "150726491368")
    replies, more = split(respond(lzl, load(fixtures_dir, "mediacrawler_note_sub_comments.html")))
    assert len(replies) == 10 and all(p.parent_id == "150726491368" for p in replies)
    (lzl_2,) = more  # the fragment says 2 pages
    assert path_and_query(lzl_2)[1]["pn"] == ["2"]


def test_no_replies_by_default(fixtures_dir: Path) -> None:
    spider = make(base_url=BASE, queries=["x"])
    posts, follow = split(
        respond(spider.thread_request("9117905169"), load(fixtures_dir, "mediacrawler_note_detail.html"))
    )
    assert len(posts) == 40 and follow == []  # max_pages 1, no 楼中楼


def test_blocked_page_is_counted() -> None:
    spider = make(base_url=BASE, queries=["kw:星河"])
    (forum,) = starts(spider)
    blocked = "<html><head><title>百度安全验证</title></head><body></body></html>".encode()
    assert split(respond(forum, blocked)) == ([], [])
    assert spider.crawler.stats.get_value(PARSE_ERROR_STAT) == 1


def test_cookies() -> None:
    spider = make(base_url=BASE, queries=["kw:星河"], cookies="BAIDUID=abc; BDUSS=xyz")
    assert starts(spider)[0].cookies == {"BAIDUID": "abc", "BDUSS": "xyz"}
