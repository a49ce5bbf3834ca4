"""Any forum that a few selectors describe (``parsers/forum.py``): list pages → threads → posts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response

from yuqing.crawlers.parsers.forum import (
    DEFAULT_SOURCE,
    DISCUZ_SELECTORS,
    ForumRow,
    ForumSelectors,
    forum_next_page,
    forum_rows,
    parse_forum_thread,
)
from yuqing.crawlers.spiders.baidu import HTML_HEADERS
from yuqing.crawlers.spiders.common import SourceSpider, header_charset, parse_or_count
from yuqing.post import Post


def as_selectors(value: ForumSelectors | Mapping[str, Any] | str | None) -> ForumSelectors:
    """From settings (a dict), ``-a selectors='{…}'`` (JSON) or Python; None: the Discuz! X preset."""
    if value is None or value == "":
        return DISCUZ_SELECTORS
    if isinstance(value, ForumSelectors):
        return value
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"selectors is not JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise ValueError("selectors must be a JSON object")
    return ForumSelectors.model_validate(dict(value))


class ForumSpider(SourceSpider):
    """``queries`` are list pages (paths relative to ``base_url``, or absolute URLs); with no
    list selector configured they are read as thread pages themselves.

    Arguments: ``selectors`` (``ForumSelectors``, a dict or JSON; default: Discuz! X),
    ``source_name`` (the posts' source; a configured instance's name), ``cookies``.
    ``max_pages`` bounds the list pages per query and the pages per thread.

    Incremental: with ``list_item`` configured, a thread is followed only when it is new or its
    list row's text changed (a new reply, a new last-reply time: ``forum_rows``' fingerprint);
    it is remembered, under its URL, once its last page was read. Without ``list_item`` every
    listed thread is read each time.
    """

    name = "forum"

    def __init__(
        self,
        base_url: str | None = None,
        queries: Sequence[str] | str | None = None,
        max_pages: int | str = 1,
        selectors: ForumSelectors | Mapping[str, Any] | str | None = None,
        source_name: str = DEFAULT_SOURCE,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url=base_url, queries=queries, max_pages=max_pages, **kwargs)
        self.selectors = as_selectors(selectors)
        self.source_name = source_name or DEFAULT_SOURCE

    @property
    def lists(self) -> bool:
        return bool(self.selectors.list_item or self.selectors.list_link)

    async def start(self) -> AsyncIterator[Request]:
        for query in self.queries:
            url = query if query.startswith(("http://", "https://")) else f"{self.base_url}/{query.lstrip('/')}"
            if self.lists:
                yield self.request(url, self.parse_list, page=1)
            else:
                yield self.request(url, self.parse_thread_page, page=1, op_id=None)

    def request(self, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        return Request(url, headers=HTML_HEADERS, cookies=dict(self.cookies), callback=callback, cb_kwargs=cb_kwargs)

    def parse_list(self, response: Response, page: int) -> Iterator[Request]:
        charset = header_charset(response)
        rows: list[ForumRow] = []

        def read(now: datetime) -> list[Post]:  # counted like any parse error, yields no post itself
            rows.extend(forum_rows(response.body, response.url, self.selectors, charset))
            return []

        parse_or_count(self, response, read)
        fresh = self.fresh({row.url: row.version for row in rows if row.version is not None})
        for row in rows:
            if row.version is None or row.url in fresh:
                yield self.request(
                    row.url, self.parse_thread_page, page=1, op_id=None, thread=row.url, version=row.version
                )
        following = self.next_page(response, charset) if rows else None
        if following and page < self.max_pages:
            yield self.request(following, self.parse_list, page=page + 1)

    def parse_thread_page(
        self,
        response: Response,
        page: int,
        op_id: str | None,
        thread: str | None = None,
        version: str | None = None,
    ) -> Iterator[Any]:
        charset = header_charset(response)
        posts = parse_or_count(
            self,
            response,
            lambda now: parse_forum_thread(
                response.body, response.url, now, self.selectors, self.source_name, charset, op_id
            ),
        )
        yield from posts
        op_id = op_id or (posts[0].post_id if posts else None)
        following = self.next_page(response, charset) if posts else None
        if following and page < self.max_pages:
            yield self.request(
                following, self.parse_thread_page, page=page + 1, op_id=op_id, thread=thread, version=version
            )
        elif posts and thread is not None and version is not None:
            self.remember({thread: version})

    def next_page(self, response: Response, charset: str | None) -> str | None:
        return forum_next_page(response.body, response.url, self.selectors, charset)
