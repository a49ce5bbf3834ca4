"""Baidu web search ``/s?wd=`` (STRUCTURE.md §2)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response

from yuqing.crawlers.parsers.baidu import parse_web
from yuqing.crawlers.spiders.common import SourceSpider, parse_or_count
from yuqing.post import Post

PAGE_SIZE = 10
HTML_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
}


class BaiduWebSpider(SourceSpider):
    """Result pages ``pn=0,10,…``; the next page is asked for only while pages have results.

    Extra argument: ``cookies`` (a dict or ``"BAIDUID=…; …"``), sent on every request.
    """

    name = "baidu"
    default_base_url = "https://www.baidu.com"
    newest_first = False  # web results are ranked by relevance

    def __init__(
        self,
        base_url: str | None = None,
        queries: Sequence[str] | str | None = None,
        max_pages: int | str = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url=base_url, queries=queries, max_pages=max_pages, **kwargs)

    async def start(self) -> AsyncIterator[Request]:
        for keyword in self.queries:
            yield self.search_request(keyword, 1)

    def search_params(self, keyword: str, page: int) -> dict[str, str | int]:
        return {"wd": keyword, "pn": (page - 1) * PAGE_SIZE, "rn": PAGE_SIZE, "ie": "utf-8"}

    def parse_body(self, body: bytes, url: str, now: datetime) -> list[Post]:
        return parse_web(body, url, now)

    def search_request(self, keyword: str, page: int) -> Request:
        return Request(
            f"{self.base_url}/s?{urlencode(self.search_params(keyword, page))}",
            headers=HTML_HEADERS,
            cookies=dict(self.cookies),
            callback=self.parse_results,
            cb_kwargs={"keyword": keyword, "page": page},
        )

    def parse_results(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        posts = parse_or_count(self, response, lambda now: self.parse_body(response.body, response.url, now))
        yield from posts
        new = self.first_seen(posts)  # incremental: stop at known results
        known_below = self.reached_high_water(keyword, posts) and self.newest_first
        if new and not known_below and page < self.max_pages:
            yield self.search_request(keyword, page + 1)
