"""Baidu Tieba (贴吧): forum lists and keyword search → threads → floors (STRUCTURE.md §3)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy import Request
from scrapy.http import Response

from yuqing.crawlers.parsers.tieba import (
    next_page,
    parse_forum,
    parse_search,
    parse_sub_comments,
    parse_thread,
    sub_comment_pages,
)
from yuqing.crawlers.spiders.baidu import HTML_HEADERS
from yuqing.crawlers.spiders.common import SourceSpider, as_bool, header_charset, parse_or_count
from yuqing.post import Post

FORUM_PREFIX = "kw:"
FORUM_PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 10


class TiebaSpider(SourceSpider):
    """``queries``: ``kw:<吧名>`` reads that forum's thread list; anything else is a keyword for
    Tieba's search (``/f/search/res``, newest first), whose hits are yielded as posts.

    Either way the threads found are followed, up to ``max_pages`` pages each (list and search
    pages are bounded by ``max_pages`` too); forum-list threads only when new or their reply count
    moved. With ``replies`` the 楼中楼 of floors that have any are fetched as well.
    ``cookies`` (dict or ``"BAIDUID=…; BDUSS=…"``) go with every request.
    """

    name = "tieba"
    default_base_url = "https://tieba.baidu.com"

    def __init__(
        self,
        base_url: str | None = None,
        queries: Sequence[str] | str | None = None,
        max_pages: int | str = 1,
        replies: bool | str = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url=base_url, queries=queries, max_pages=max_pages, **kwargs)
        self.replies = as_bool(replies)

    async def start(self) -> AsyncIterator[Request]:
        for query in self.queries:
            if query.startswith(FORUM_PREFIX) and query[len(FORUM_PREFIX) :].strip():
                yield self.forum_request(query[len(FORUM_PREFIX) :].strip())
            else:
                yield self.search_request(query, 1)

    def request(self, path: str, callback: Any, **cb_kwargs: Any) -> Request:
        return Request(
            f"{self.base_url}{path}",
            headers=HTML_HEADERS,
            cookies=dict(self.cookies),
            callback=callback,
            cb_kwargs=cb_kwargs,
        )

    def forum_request(self, forum: str, page: int = 1) -> Request:
        query = urlencode({"kw": forum, "ie": "utf-8", "pn": (page - 1) * FORUM_PAGE_SIZE})
        return self.request(f"/f?{query}", self.parse_forum_page, page=page)

    def search_request(self, keyword: str, page: int) -> Request:
        query = urlencode({"isnew": 1, "qw": keyword, "rn": SEARCH_PAGE_SIZE, "pn": page, "sm": 1})
        return self.request(f"/f/search/res?{query}", self.parse_search_page, keyword=keyword, page=page)

    def thread_request(self, tid: str, page: int = 1, op_id: str | None = None, version: str | None = None) -> Request:
        path = f"/p/{tid}" if page == 1 else f"/p/{tid}?{urlencode({'pn': page})}"
        return self.request(path, self.parse_thread_page, tid=tid, page=page, op_id=op_id, version=version)

    def sub_comments_request(self, tid: str, pid: str, page: int = 1) -> Request:
        query = urlencode({"tid": tid, "pid": pid, "pn": page})
        return self.request(f"/p/comment?{query}", self.parse_sub_comments_page, tid=tid, pid=pid, page=page)

    def parse_forum_page(self, response: Response, page: int) -> Iterator[Request]:
        charset = header_charset(response)
        rows = parse_or_count(self, response, lambda now: parse_forum(response.body, response.url, now, charset))
        fresh = self.fresh({row.post_id: str(row.comments) for row in rows})
        for row in rows:
            if row.post_id in fresh:
                yield self.thread_request(row.post_id, op_id=row.raw.get("first_post_id"), version=str(row.comments))
        following = next_page(response.body, response.url, charset) if rows else None
        if following and page < self.max_pages:
            yield self.rebased(following, self.parse_forum_page, page=page + 1)

    def parse_search_page(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        charset = header_charset(response)
        hits = parse_or_count(self, response, lambda now: parse_search(response.body, response.url, now, charset))
        yield from hits
        new = self.first_seen(hits)  # incremental: a known hit's thread was read when it was new
        for tid in dict.fromkeys(str(hit.raw["tid"]) for hit in new if hit.raw.get("tid")):
            yield self.thread_request(tid)  # the scheduler drops a thread already asked for
        known_below = self.reached_high_water(keyword, hits)  # sm=1: newest first
        if new and not known_below and page < self.max_pages:
            yield self.search_request(keyword, page + 1)

    def parse_thread_page(
        self, response: Response, tid: str, page: int, op_id: str | None, version: str | None
    ) -> Iterator[Any]:
        charset = header_charset(response)
        posts = parse_or_count(
            self, response, lambda now: parse_thread(response.body, response.url, now, charset, op_id)
        )
        yield from posts
        if self.replies:
            yield from (self.sub_comments_request(tid, post.post_id) for post in posts if _has_sub_comments(post))
        op_id = next((post.post_id for post in posts if post.title), op_id)
        following = next_page(response.body, response.url, charset) if posts else None
        if following and page < self.max_pages:
            yield self.thread_request(tid, page + 1, op_id, version)
        elif posts and version is not None:
            self.remember({tid: version})

    def parse_sub_comments_page(self, response: Response, tid: str, pid: str, page: int) -> Iterator[Any]:
        charset = header_charset(response)
        posts = parse_or_count(
            self, response, lambda now: parse_sub_comments(response.body, response.url, now, charset)
        )
        yield from posts
        if posts and page < min(sub_comment_pages(response.body, charset), self.max_pages):
            yield self.sub_comments_request(tid, pid, page + 1)

    def rebased(self, link: str, callback: Any, **cb_kwargs: Any) -> Request:
        """A link the page gave (often ``//tieba.baidu.com/…``), asked of ``base_url``."""
        parts = urlsplit(link)
        return self.request(f"{parts.path}?{parts.query}" if parts.query else parts.path, callback, **cb_kwargs)


def _has_sub_comments(post: Post) -> bool:
    """A floor (not an inline sub-comment) that says it has 楼中楼."""
    return "floor" in post.raw and int(post.raw.get("comment_num") or 0) > 0
