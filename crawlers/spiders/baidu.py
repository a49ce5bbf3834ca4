"""Baidu web search ``/s?wd=`` (STRUCTURE.md §2)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response

from yuqing.crawlers.parsers.baidu import parse_web
from yuqing.crawlers.spiders.common import SourceSpider, parse_or_count

PAGE_SIZE = 10


class BaiduWebSpider(SourceSpider):
    """Result pages ``pn=0,10,…``; the next page is asked for only while pages have results."""

    name = "baidu"
    default_base_url = "https://www.baidu.com"

    async def start(self) -> AsyncIterator[Request]:
        for keyword in self.queries:
            yield self.search_request(keyword, 1)

    def search_request(self, keyword: str, page: int) -> Request:
        query = urlencode({"wd": keyword, "pn": (page - 1) * PAGE_SIZE, "rn": PAGE_SIZE, "ie": "utf-8"})
        return Request(
            f"{self.base_url}/s?{query}",
            headers={
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
            },
            callback=self.parse_results,
            cb_kwargs={"keyword": keyword, "page": page},
        )

    def parse_results(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        posts = parse_or_count(self, response, lambda now: parse_web(response.body, response.url, now))
        yield from posts
        if posts and page < self.max_pages:
            yield self.search_request(keyword, page + 1)
