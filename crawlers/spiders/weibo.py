"""m.weibo.cn: keyword search and user timelines through ``/api/container/getIndex`` (STRUCTURE.md §1.1),
long texts through ``/statuses/extend`` and comments through ``/comments/hotflow`` (§1.2).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from yuqing.crawlers.parsers.weibo import (
    hotflow_cursor,
    merge_long_text,
    needs_long_text,
    next_page,
    next_since_id,
    parse_page,
)
from yuqing.crawlers.spiders.common import SourceSpider, as_bool, parse_or_count
from yuqing.post import Post

SEARCH_CONTAINER = "100103type={type}&q={keyword}"
TIMELINE_CONTAINER = "230413{uid}_-_WEIBO_SECOND_PROFILE_WEIBO"
SEARCH_ALL, SEARCH_REALTIME = 1, 61
JSON_HEADERS = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json, text/plain, */*"}
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_UID_QUERY = re.compile(r"uid[:：]\s*(\d+)", re.IGNORECASE)


def as_threshold(value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
        return None
    return max(int(value), 0)


def reach(post: Post) -> int:
    return post.reposts + post.comments + post.likes


class WeiboSearchSpider(SourceSpider):
    """Keyword searches (``type=1``, or ``61`` real-time) and ``uid:<digits>`` timelines, paged up to ``max_pages``.

    Extra arguments: ``realtime``; ``comments_min_reach`` (fetch the comments of posts
    whose reposts + comments + likes reach it; None: never; needs cookies); ``cookies`` (a dict or a
    ``"k=v; k2=v2"`` string, sent on every request; the home page is visited first so
    the site hands out its own cookies).
    """

    name = "weibo"
    default_base_url = "https://m.weibo.cn"

    def __init__(
        self,
        base_url: str | None = None,
        queries: Sequence[str] | str | None = None,
        max_pages: int | str = 1,
        *,
        realtime: bool | str = False,
        comments_min_reach: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url=base_url, queries=queries, max_pages=max_pages, **kwargs)
        self.realtime = as_bool(realtime)
        self.comments_min_reach = as_threshold(comments_min_reach)
        if self.comments_min_reach is not None and not self.cookies:
            # hotflow answers a login wall without a cookie, and a login wall stops the whole source
            self.logger.warning("weibo comments need cookies (hotflow is login-only): comments are skipped")

    async def start(self) -> AsyncIterator[Request]:
        if self.cookies:
            yield self.build_request(
                f"{self.base_url}/",
                self.parse_home,
                headers={"Accept": HTML_ACCEPT},
                errback=self.home_failed,
                dont_filter=True,
            )
            return
        for request in self.query_requests():
            yield request

    def build_request(
        self, url: str, callback: Any, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Request:
        """Every request carries the configured cookies."""
        return Request(url, callback=callback, headers=headers, cookies=dict(self.cookies), **kwargs)

    def api_request(self, url: str, callback: Any, referer: str, **kwargs: Any) -> Request:
        return self.build_request(url, callback, headers={"Referer": referer, **JSON_HEADERS}, **kwargs)

    def parse_home(self, response: Response) -> Iterator[Request]:
        yield from self.query_requests()

    def home_failed(self, failure: Failure) -> Iterator[Request]:
        self.logger.warning("weibo home page failed (%s); searching anyway", failure.value)
        yield from self.query_requests()

    def query_requests(self) -> Iterator[Request]:
        for query in self.queries:
            if match := _UID_QUERY.fullmatch(query):
                yield self.timeline_request(match[1], None, 1)
            else:
                yield self.search_request(query, 1)

    # --- search and timelines ---------------------------------------------------------------

    def search_request(self, keyword: str, page: int) -> Request:
        kind = SEARCH_REALTIME if self.realtime else SEARCH_ALL
        containerid = quote(SEARCH_CONTAINER.format(type=kind, keyword=keyword), safe="")
        url = f"{self.base_url}/api/container/getIndex?containerid={containerid}&page_type=searchall&page={page}"
        return self.api_request(
            url,
            self.parse_search,
            f"{self.base_url}/search?containerid={containerid}",
            cb_kwargs={"keyword": keyword, "page": page},
        )

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        posts = self.parse_posts(response)
        changed = yield from self.follow_posts(posts)
        known_below = self.reached_high_water(keyword, posts) and self.realtime  # only 实时 is newest first
        following = next_page(response.body)
        if changed and not known_below and following is not None and page < self.max_pages:
            yield self.search_request(keyword, max(following, page + 1))

    def timeline_request(self, uid: str, since_id: str | None, page: int) -> Request:
        url = f"{self.base_url}/api/container/getIndex?containerid={TIMELINE_CONTAINER.format(uid=uid)}&page_type=03"
        if since_id:
            url += f"&since_id={since_id}"
        return self.api_request(
            url, self.parse_timeline, f"{self.base_url}/u/{uid}", cb_kwargs={"uid": uid, "page": page}
        )

    def parse_timeline(self, response: Response, uid: str, page: int) -> Iterator[Any]:
        posts = self.parse_posts(response)
        changed = yield from self.follow_posts(posts)
        known_below = self.reached_high_water(f"uid:{uid}", [p for p in posts if not p.raw.get("pinned")])
        since_id = next_since_id(response.body)
        if changed and not known_below and since_id and page < self.max_pages:
            yield self.timeline_request(uid, since_id, page + 1)

    # --- each post: its long text and its comments ---------------------------------------

    def parse_posts(self, response: Response) -> list[Post]:
        return parse_or_count(self, response, lambda now: parse_page(response.body, response.url, now))

    def follow_posts(self, posts: list[Post]) -> Generator[Any, None, bool]:
        """Each post, or the extend request that yields it complete; then its comments
        when it reaches far enough. Incremental: only a post that is new or whose comment
        count moved is followed up; a known one is yielded again (fresh counts) unless
        that would put its truncated text over the full one. Returns whether anything
        on the page was new or changed, which is what makes the next page worth asking for."""
        versions = {post.post_id: str(post.comments) for post in posts}
        changed = self.fresh(versions)
        for post in posts:
            if post.post_id not in changed:
                if not needs_long_text(post):
                    yield post
                continue
            yield self.extend_request(post) if needs_long_text(post) else post
            if self.wants_comments(post):
                yield self.comments_request(post.post_id, None, 1)
        self.remember(versions)
        return bool(changed)

    def wants_comments(self, post: Post) -> bool:
        threshold = self.comments_min_reach
        return bool(self.cookies) and threshold is not None and post.comments > 0 and reach(post) >= threshold

    def extend_request(self, post: Post) -> Request:
        return self.api_request(
            f"{self.base_url}/statuses/extend?id={post.post_id}",
            self.parse_extend,
            f"{self.base_url}/detail/{post.post_id}",
            cb_kwargs={"post": post},
            errback=self.extend_failed,
        )

    def parse_extend(self, response: Response, post: Post) -> Iterator[Post]:
        """The post with its full text; the truncated one when the answer is unusable."""
        full = [p for p in self.parse_posts(response) if p.post_id == post.post_id]
        yield merge_long_text(post, full[0]) if full else post

    def extend_failed(self, failure: Failure) -> Iterator[Post]:
        """A failed extend must not lose the post: yield it truncated."""
        request = getattr(failure, "request", None)
        post = request.cb_kwargs.get("post") if request is not None else None
        self.logger.info("weibo long text failed (%s): keeping the truncated text", failure.value)
        if isinstance(post, Post):
            yield post

    def comments_request(self, mid: str, cursor: tuple[str, str] | None, page: int) -> Request:
        max_id, max_id_type = cursor or (None, "0")
        url = f"{self.base_url}/comments/hotflow?id={mid}&mid={mid}&max_id_type={max_id_type}"
        if max_id:
            url += f"&max_id={max_id}"
        return self.api_request(
            url, self.parse_comments, f"{self.base_url}/detail/{mid}", cb_kwargs={"mid": mid, "page": page}
        )

    def parse_comments(self, response: Response, mid: str, page: int) -> Iterator[Any]:
        comments = self.parse_posts(response)
        yield from comments
        cursor = hotflow_cursor(response.body)
        if comments and cursor and page < self.max_pages:
            yield self.comments_request(mid, cursor, page + 1)
