"""Baidu news search ``/s?tn=news`` (STRUCTURE.md §2), newest first (``rtt=4``)."""

from __future__ import annotations

from datetime import datetime

from yuqing.crawlers.parsers.baidu import parse_news
from yuqing.crawlers.spiders.baidu import PAGE_SIZE, BaiduWebSpider
from yuqing.post import Post


class BaiduNewsSpider(BaiduWebSpider):
    """News result pages ``pn=0,10,…`` sorted by time; the next page only while pages have results.
    Posts have source "baidu-news" and the outlet as author."""

    name = "baidu-news"
    newest_first = True  # rtt=4: sorted by time

    def search_params(self, keyword: str, page: int) -> dict[str, str | int]:
        return {"tn": "news", "rtt": 4, "bsst": 1, "cl": 2, "wd": keyword, "pn": (page - 1) * PAGE_SIZE}

    def parse_body(self, body: bytes, url: str, now: datetime) -> list[Post]:
        return parse_news(body, url, now)
