"""weibo.cn (old WAP site, HTML): user profile pages and status comment pages (STRUCTURE.md §1.5).

A fallback for m.weibo.cn: it needs a logged-in cookie (``SUB``), and it has no
keyword search here, so its queries are user ids (``1669879400`` or ``uid:1669879400``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from yuqing.crawlers.parsers.weibo import needs_long_text
from yuqing.crawlers.parsers.weibocn import parse_page, total_pages
from yuqing.crawlers.spiders.common import SourceSpider, parse_or_count
from yuqing.crawlers.spiders.weibo import HTML_ACCEPT, as_threshold, reach
from yuqing.post import Post

_UID_QUERY = re.compile(r"(?:uid[:：]\s*)?(\d+)", re.IGNORECASE)


class WeiboCnSpider(SourceSpider):
    """Profile pages up to ``max_pages``; a status's comment page when its text is cut short
    (that page shows it whole) or when it reaches ``comments_min_reach``."""

    name = "weibo-cn"
    default_base_url = "https://weibo.cn"

    def __init__(
        self,
        base_url: str | None = None,
        queries: Sequence[str] | str | None = None,
        max_pages: int | str = 1,
        *,
        comments_min_reach: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url=base_url, queries=queries, max_pages=max_pages, **kwargs)
        self.comments_min_reach = as_threshold(comments_min_reach)

    async def start(self) -> AsyncIterator[Request]:
        for query in self.queries:
            if match := _UID_QUERY.fullmatch(query):
                yield self.profile_request(match[1], 1)
            else:
                self.logger.warning("weibo-cn queries are user ids; ignoring %r", query)

    def build_request(self, url: str, callback: Any, **kwargs: Any) -> Request:
        headers = {"Accept": HTML_ACCEPT, "Referer": f"{self.base_url}/"}
        return Request(url, callback=callback, headers=headers, cookies=dict(self.cookies), **kwargs)

    def parse_posts(self, response: Response) -> list[Post]:
        return parse_or_count(self, response, lambda now: parse_page(response.body, response.url, now))

    def profile_request(self, uid: str, page: int) -> Request:
        return self.build_request(
            f"{self.base_url}/{uid}/profile?page={page}", self.parse_profile, cb_kwargs={"uid": uid, "page": page}
        )

    def parse_profile(self, response: Response, uid: str, page: int) -> Iterator[Any]:
        posts = self.parse_posts(response)
        versions = {post.post_id: str(post.comments) for post in posts}
        changed = self.fresh(versions)  # incremental: follow up only what is new or has new comments
        for post in posts:
            comments = post.post_id in changed and self.wants_comments(post)
            if post.post_id in changed and needs_long_text(post) or comments:
                yield self.comment_request(post, 1, comments=comments)
            elif not needs_long_text(post):
                yield post  # a known long post is not yielded truncated over its full text
        self.remember(versions)
        last = total_pages(response.body, response.url) or page
        if changed and page < min(self.max_pages, last):
            yield self.profile_request(uid, page + 1)

    def wants_comments(self, post: Post) -> bool:
        threshold = self.comments_min_reach
        return threshold is not None and post.comments > 0 and reach(post) >= threshold

    def comment_request(self, post: Post, page: int, *, comments: bool) -> Request:
        bid = post.raw["bid"]
        return self.build_request(
            f"{self.base_url}/comment/{bid}?page={page}",
            self.parse_comment_page,
            cb_kwargs={"post": post, "page": page, "comments": comments},
            errback=self.comment_page_failed,
        )

    def parse_comment_page(self, response: Response, post: Post, page: int, comments: bool) -> Iterator[Any]:
        """Page 1 gives the status whole (it replaces the truncated one), every page its comments."""
        found = self.parse_posts(response)
        status = next((p for p in found if p.post_id == post.post_id), None)
        if page == 1:
            yield _completed(post, status)
        replies = [p for p in found if p.post_id != post.post_id]
        if comments:
            yield from replies
            last = total_pages(response.body, response.url) or page
            if replies and page < min(self.max_pages, last):
                yield self.comment_request(post, page + 1, comments=True)

    def comment_page_failed(self, failure: Failure) -> Iterator[Post]:
        request = getattr(failure, "request", None)
        kwargs = request.cb_kwargs if request is not None else {}
        if kwargs.get("page") == 1 and isinstance(kwargs.get("post"), Post):
            yield kwargs["post"]


def _completed(post: Post, status: Post | None) -> Post:
    """The profile's post with the comment page's full text and counts (the profile knows the followers)."""
    if status is None:
        return post
    update = {"text": status.text or post.text, "raw": {**post.raw, "long_text_fetched": True}}
    update |= {name: getattr(status, name) or getattr(post, name) for name in ("reposts", "comments", "likes")}
    return post.model_copy(update=update)
