"""The Discuz spider's list handling: rows decide which threads to read; errors are counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yuqing.demo
from support import make_spider, respond, split
from support import start_requests as starts
from yuqing.crawlers.spiders.common import LAYOUT_CHANGED_STAT, PARSE_ERROR_STAT
from yuqing.crawlers.spiders.discuz import DiscuzSpider


def make(**kwargs: Any) -> Any:
    return make_spider(DiscuzSpider, **kwargs)


SITE = Path(yuqing.demo.__file__).parent / "site" / "discuz"
BASE = "http://127.0.0.1:8765"
LIST = (SITE / "forumdisplay_2.html").read_bytes()


def test_threads_read_are_not_followed_again_until_they_move() -> None:
    spider = make(base_url=BASE, queries=["forum.php?mod=forumdisplay&fid=2"])
    (listing,) = starts(spider)
    _, threads = split(respond(listing, LIST))
    assert [t.cb_kwargs["tid"] for t in threads] == ["101", "102"]
    assert threads[0].cb_kwargs == {"page": 1, "op_id": None, "tid": "101", "version": "3"}
    posts, _ = split(respond(threads[0], (SITE / "thread_101.html").read_bytes()))
    assert len(posts) == 4 and all(p.source == "discuz" for p in posts)
    _, again = split(respond(listing, LIST))
    assert [t.cb_kwargs["tid"] for t in again] == ["102"]  # 101 was read; 102 never finished
    moved = LIST.replace(b'class="xi2">3</a>', b'class="xi2">4</a>')
    _, after_reply = split(respond(listing, moved))
    assert [t.cb_kwargs["tid"] for t in after_reply] == ["101", "102"]


def test_a_configured_instance_names_its_posts() -> None:
    spider = make(base_url=BASE, queries=["forum.php?fid=2"], source_name="xinghe-bbs")
    (listing,) = starts(spider)
    _, threads = split(respond(listing, LIST))
    posts, _ = split(respond(threads[1], (SITE / "thread_102_gbk.html").read_bytes(), "gbk"))
    assert len(posts) == 3 and {p.source for p in posts} == {"xinghe-bbs"}
    assert spider.seen_scope == "xinghe-bbs"


def test_changed_list_layout_is_counted() -> None:
    spider = make(base_url=BASE, queries=["forum.php?fid=2"])
    (listing,) = starts(spider)
    changed = (
        b'<html><body><table id="threadlisttableid"><tbody id="t_101"><tr><td>x</td></tr></tbody></table></body></html>'
    )
    assert split(respond(listing, changed)) == ([], [])
    assert spider.crawler.stats.get_value(PARSE_ERROR_STAT) == 1
    assert spider.crawler.stats.get_value(LAYOUT_CHANGED_STAT) == 1
