"""The per-source, per-query high-water mark of feeds sorted newest first."""

from __future__ import annotations

from datetime import timedelta

from yuqing.crawlers.seen import MemorySeen
from yuqing.crawlers.spiders.baidu_news import BaiduNewsSpider


def spider_with(memory: MemorySeen) -> BaiduNewsSpider:
    spider = BaiduNewsSpider(base_url="http://127.0.0.1:1", queries=["星河电器"])
    spider.__dict__["seen"] = memory  # what YUQING_SEEN hands a spider in a real crawl
    return spider


def test_paging_stops_where_the_last_crawl_reached(make_post, now) -> None:
    memory = MemorySeen()
    at = lambda hours: now - timedelta(hours=hours)  # noqa: E731
    first = spider_with(memory)
    assert not first.reached_high_water(
        "星河电器", [make_post("3", "c", published_at=at(3)), make_post("2", "b", published_at=at(4))]
    )

    later = spider_with(memory)  # the next crawl: two newer posts on page 1, then the old ones
    page1 = [make_post("5", "e", published_at=at(1)), make_post("4", "d", published_at=at(2))]
    page2 = [make_post("3", "c", published_at=at(3)), make_post("2", "b", published_at=at(4))]
    assert not later.reached_high_water("星河电器", page1)  # all newer than the mark: go on
    assert later.reached_high_water("星河电器", page2)  # back at the mark: the rest is known
    assert not later.reached_high_water("别的品牌", page2)  # per query

    third = spider_with(memory)
    assert third.reached_high_water("星河电器", page1)  # the mark moved to the newest post seen


def test_posts_without_times_never_stop_paging(make_post) -> None:
    spider = spider_with(MemorySeen())
    assert not spider.reached_high_water("q", [make_post("1", "x", published_at=None)])
