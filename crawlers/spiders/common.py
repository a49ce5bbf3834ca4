"""What the spiders share: their arguments and ParseError accounting."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from w3lib.encoding import http_content_type_encoding

from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.crawlers.seen import MemorySeen, Seen, fresh
from yuqing.crawlers.urls import canonical_urls
from yuqing.post import SHANGHAI, Post

PARSE_ERROR_STAT = "yuqing/parse_error"
LAYOUT_CHANGED_STAT = "yuqing/layout_changed"


def as_queries(value: str | Sequence[str] | None) -> list[str]:
    """``queries`` from Python (a list) or from ``scrapy crawl -a queries=a,b`` (a string)."""
    if value is None:
        return []
    items = re.split(r"[,\n，]", value) if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item and item.strip()]


def header_charset(response: Response) -> str | None:
    """The charset of the Content-Type header, as a Python codec name; None when absent."""
    content_type = response.headers.get(b"Content-Type")
    return http_content_type_encoding(content_type.decode("latin-1")) if content_type else None


def parse_or_count(spider: Spider, response: Response, parse: Callable[[datetime], list[Post]]) -> list[Post]:
    """Run a pure parser with the current time; a ParseError is logged and counted, never raised;
    URLs come out canonical."""
    try:
        posts = parse(datetime.now(SHANGHAI))
    except ParseError as exc:
        spider.logger.warning("parse error at %s: %s", response.url, exc)
        if spider.crawler is not None and spider.crawler.stats is not None:
            spider.crawler.stats.inc_value(PARSE_ERROR_STAT)
            if isinstance(exc, LayoutChanged):
                spider.crawler.stats.inc_value(LAYOUT_CHANGED_STAT)
        return []
    return canonical_urls(posts)


_TRUE = {"1", "true", "yes", "on"}


def as_bool(value: bool | str | None) -> bool:
    """A flag from Python, TOML or ``scrapy crawl -a flag=true`` (a string)."""
    return value.strip().lower() in _TRUE if isinstance(value, str) else bool(value)


def parse_cookies(value: Mapping[str, str] | str | None) -> dict[str, str]:
    """Cookies as a dict, from a mapping or a browser's ``"k=v; k2=v2"`` header string."""
    if not value:
        return {}
    if not isinstance(value, str):
        return {str(name): str(val) for name, val in value.items()}
    pairs = (part.split("=", 1) for part in value.split(";") if "=" in part)
    return {name.strip(): val.strip() for name, val in pairs if name.strip()}


class SourceSpider(Spider):
    """A spider of one yuqing source.

    Arguments (from yuqing's settings, or ``scrapy crawl -a``): ``base_url``,
    the site root, so tests and the demo can point it at a replay server;
    ``queries``, what to ask; ``max_pages``, how far to page; ``cookies``
    (a dict or a ``"k=v; k2=v2"`` string), for the spider to send with its requests.
    """

    default_base_url: str = ""

    def __init__(
        self,
        base_url: str | None = None,
        queries: Sequence[str] | str | None = None,
        max_pages: int | str = 1,
        cookies: Mapping[str, str] | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        base_url = base_url or self.default_base_url
        if not base_url:
            raise ValueError(f"{type(self).__name__} needs base_url, the site root")
        self.base_url = base_url.rstrip("/")
        self.queries = as_queries(queries)
        self.max_pages = max(int(max_pages), 1)
        self.cookies = parse_cookies(cookies)
        self._marks: dict[str, str | None] = {}

    @cached_property
    def seen(self) -> Seen:
        """What this source yielded in earlier crawls (yuqing's ``YUQING_SEEN``);
        within this run only under a bare ``scrapy crawl``."""
        shared = self.crawler.settings.get("YUQING_SEEN") if getattr(self, "crawler", None) else None
        return shared.value if shared is not None else MemorySeen()

    @property
    def seen_scope(self) -> str:
        """The name items are remembered under: the configured source's name."""
        return str(getattr(self, "source_name", None) or self.name)

    def fresh(self, versions: Mapping[str, str]) -> set[str]:
        """The ids that are new, or whose version (e.g. reply count) changed."""
        return fresh(self.seen, self.seen_scope, versions) if versions else set()

    def first_seen(self, posts: list[Post]) -> list[Post]:
        """The posts no earlier crawl yielded; all of them are remembered. For search
        results, whose next page is worth asking for only while pages bring new ones."""
        versions = {post.post_id: "" for post in posts}
        fresh = self.fresh(versions)
        self.remember(versions)
        return [post for post in posts if post.post_id in fresh]

    def reached_high_water(self, query: str, posts: list[Post]) -> bool:
        """For feeds sorted newest first: whether this page reaches back to the query's
        high-water mark, the newest publish time seen before this crawl began, so that
        the pages after it hold only what the store already has. Moves the mark."""
        times = [p.published_at.isoformat() for p in posts if p.published_at is not None]
        key = f"~high-water:{query}"
        if key not in self._marks:
            self._marks[key] = self.seen.versions(self.seen_scope, [key]).get(key)
        if not times:
            return False
        before = self._marks[key]
        current = self.seen.versions(self.seen_scope, [key]).get(key)
        if current is None or max(times) > current:
            self.remember({key: max(times)})
        return before is not None and min(times) <= before

    def remember(self, versions: Mapping[str, str]) -> None:
        """Call once an item has been fully read, so a failed follow-up is retried next time."""
        if versions:
            self.seen.remember(self.seen_scope, versions)
