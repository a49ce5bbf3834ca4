"""Discuz! X forums: list pages → thread pages → one Post per floor (STRUCTURE.md §4)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from scrapy import Request
from scrapy.http import Response

from yuqing.crawlers.parsers.discuz import next_page, parse_list, parse_thread
from yuqing.crawlers.spiders.common import SourceSpider, header_charset, parse_or_count
from yuqing.post import Post


class DiscuzSpider(SourceSpider):
    """``queries`` are list-page paths relative to ``base_url``, e.g. "forum.php?mod=forumdisplay&fid=2".

    The list rows (``parse_list``) decide which threads to read: those new since the last crawl
    or whose reply count moved; a thread is remembered once its last page was read.
    ``max_pages`` bounds both the list pages followed per query and the pages read per thread.
    ``source_name`` (a configured instance, e.g. ``[sources.bbs_a] kind = "discuz"``) becomes
    the posts' source, so two forums' ids never collide.
    """

    name = "discuz"

    def __init__(
        self,
        base_url: str | None = None,
        queries: Sequence[str] | str | None = None,
        max_pages: int | str = 1,
        source_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url=base_url, queries=queries, max_pages=max_pages, **kwargs)
        self.source_name = source_name or None

    async def start(self) -> AsyncIterator[Request]:
        for path in self.queries:
            yield Request(f"{self.base_url}/{path.lstrip('/')}", callback=self.parse_list, cb_kwargs={"page": 1})

    def parse_list(self, response: Response, page: int) -> Iterator[Request]:
        charset = header_charset(response)
        rows = parse_or_count(self, response, lambda now: parse_list(response.body, response.url, now, charset))
        fresh = self.fresh({row.post_id: str(row.comments) for row in rows})
        for row in rows:
            if row.post_id in fresh:
                yield Request(
                    row.url,
                    callback=self.parse_thread_page,
                    cb_kwargs={"page": 1, "op_id": None, "tid": row.post_id, "version": str(row.comments)},
                )
        following = next_page(response.body, response.url, charset) if rows else None
        if following and page < self.max_pages:
            yield Request(following, callback=self.parse_list, cb_kwargs={"page": page + 1})

    def parse_thread_page(
        self, response: Response, page: int, op_id: str | None, tid: str | None = None, version: str | None = None
    ) -> Iterator[Any]:
        charset = header_charset(response)
        posts = parse_or_count(
            self, response, lambda now: parse_thread(response.body, response.url, now, charset, op_id)
        )
        yield from self.as_source(posts)
        op_id = op_id or next((post.post_id for post in posts if post.title), None)
        following = next_page(response.body, response.url, charset) if posts else None
        if following and page < self.max_pages:
            yield Request(
                following,
                callback=self.parse_thread_page,
                cb_kwargs={"page": page + 1, "op_id": op_id, "tid": tid, "version": version},
            )
        elif posts and tid is not None and version is not None:
            self.remember({tid: version})

    def as_source(self, posts: list[Post]) -> list[Post]:
        """Posts under the configured instance's name, when there is one."""
        if self.source_name:
            for post in posts:
                post.source = self.source_name
        return posts
