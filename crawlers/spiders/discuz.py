"""Discuz! X forums: list pages → thread pages → one Post per floor (STRUCTURE.md §4)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from yuqing.crawlers.parsers.discuz import next_page, parse_thread, thread_links
from yuqing.crawlers.spiders.common import SourceSpider, header_charset, parse_or_count


class DiscuzSpider(SourceSpider):
    """``queries`` are list-page paths relative to ``base_url``, e.g. "forum.php?mod=forumdisplay&fid=2".

    ``max_pages`` bounds both the list pages followed per query and the pages read per thread.
    """

    name = "discuz"

    async def start(self) -> AsyncIterator[Request]:
        for path in self.queries:
            yield Request(f"{self.base_url}/{path.lstrip('/')}", callback=self.parse_list, cb_kwargs={"page": 1})

    def parse_list(self, response: Response, page: int) -> Iterator[Request]:
        charset = header_charset(response)
        for link in thread_links(response.body, response.url, charset):
            yield Request(link, callback=self.parse_thread_page, cb_kwargs={"page": 1, "op_id": None})
        following = next_page(response.body, response.url, charset)
        if following and page < self.max_pages:
            yield Request(following, callback=self.parse_list, cb_kwargs={"page": page + 1})

    def parse_thread_page(self, response: Response, page: int, op_id: str | None) -> Iterator[Any]:
        charset = header_charset(response)
        posts = parse_or_count(
            self, response, lambda now: parse_thread(response.body, response.url, now, charset, op_id)
        )
        yield from posts
        op_id = op_id or next((post.post_id for post in posts if post.title), None)
        following = next_page(response.body, response.url, charset) if posts else None
        if following and page < self.max_pages:
            yield Request(following, callback=self.parse_thread_page, cb_kwargs={"page": page + 1, "op_id": op_id})
