"""m.weibo.cn keyword search through ``/api/container/getIndex`` (STRUCTURE.md §1.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

from scrapy import Request
from scrapy.http import Response

from yuqing.crawlers.parsers.weibo import parse_getindex
from yuqing.crawlers.spiders.common import SourceSpider, parse_or_count

SEARCH_CONTAINER = "100103type=1&q={keyword}"


class WeiboSearchSpider(SourceSpider):
    """One request per keyword and page; the next page is asked for only while pages have posts."""

    name = "weibo"
    default_base_url = "https://m.weibo.cn"

    async def start(self) -> AsyncIterator[Request]:
        for keyword in self.queries:
            yield self.search_request(keyword, 1)

    def search_request(self, keyword: str, page: int) -> Request:
        containerid = quote(SEARCH_CONTAINER.format(keyword=keyword), safe="")
        url = f"{self.base_url}/api/container/getIndex?containerid={containerid}&page_type=searchall&page={page}"
        return Request(
            url,
            headers={
                "Referer": f"{self.base_url}/search?containerid={containerid}",
                "X-Requested-With": "XMLHttpRequest",
                "Accept": "application/json, text/plain, */*",
            },
            callback=self.parse_search,
            cb_kwargs={"keyword": keyword, "page": page},
        )

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        posts = parse_or_count(self, response, lambda now: parse_getindex(response.body, response.url, now))
        yield from posts
        if posts and page < self.max_pages:
            yield self.search_request(keyword, page + 1)
