"""A generic parser for forums that a handful of selectors describe (industry forums, small BBSes).

Each selector is CSS, or XPath when it starts with ``/``, ``(``, ``./`` or ``@``. Selectors of a
post's parts (``post_id``, ``author``, ``time``, ``text``) are read inside the post element; an
XPath starting with ``/`` is made relative to it. A selector may end on an attribute
(``span::attr(title)``, ``@title``) or on elements (their visible text is read).

Ids: ``post_id`` picks the id's source inside the post (default: the post element's ``id``
attribute) and ``post_id_pattern`` cuts the id out of it (first group); an element whose source
does not match the pattern is not a post. A post without any id source gets a content hash.
Post ids must be unique across the whole site (a global post id, not a floor number).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

from cssselect import SelectorError
from lxml import etree
from parsel import Selector, SelectorList
from pydantic import BaseModel, ConfigDict, Field, field_validator

from yuqing.crawlers.parsers.errors import LayoutChanged
from yuqing.crawlers.parsers.markup import Element, node_text, selector
from yuqing.crawlers.timeparse import parse_time
from yuqing.post import Post

DEFAULT_SOURCE = "forum"

_XPATH_START = ("/", "(", "./", "@")


def is_xpath(query: str) -> bool:
    return query.startswith(_XPATH_START)


def select(scope: Selector, query: str) -> SelectorList[Selector]:
    """CSS or XPath; XPath is made relative to ``scope`` (``//a`` → ``.//a``)."""
    return scope.xpath(_relative(query)) if is_xpath(query) else scope.css(query)


def _relative(query: str) -> str:
    opening = len(query) - len(query.lstrip("("))
    rest = query[opening:]
    if rest.startswith("/"):
        rest = "." + rest
    return query[:opening] + rest


class ForumSelectors(BaseModel):
    """Where a forum's threads, pages and posts are. Only ``post`` is required."""

    model_config = ConfigDict(extra="forbid")

    list_item: str | None = Field(default=None, description="a thread row of a list page")
    list_link: str | None = Field(default=None, description="the thread link (inside list_item when given)")
    next_page: str | None = Field(default=None, description="the next-page link of a list or thread page")
    post: str = Field(min_length=1, description="one post (floor) of a thread page")
    post_id: str | None = Field(default=None, description="the post id's source; default: the post's @id")
    post_id_pattern: str | None = Field(default=None, description="regex cutting the id out of its source")
    author: str | None = None
    time: str | None = Field(default=None, description="first value that parses wins, attributes first")
    text: str | None = Field(default=None, description="the post body; default: the whole post")
    text_exclude: str | None = Field(default=None, description="parts of the body to leave out (quotes…)")
    title: str | None = Field(default=None, description="the thread subject, on the page; given to post 1")

    @field_validator(
        "list_item", "list_link", "next_page", "post", "post_id", "author", "time", "text", "text_exclude", "title"
    )
    @classmethod
    def _valid_selector(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            raise ValueError("empty selector")
        try:
            if is_xpath(value):
                etree.XPath(_relative(value))
            else:
                Selector(text="<html></html>").css(value)
        except (etree.XPathSyntaxError, SelectorError, ValueError) as exc:
            raise ValueError(f"invalid selector {value!r}: {exc}") from exc
        return value

    @field_validator("post_id_pattern")
    @classmethod
    def _valid_pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid post_id_pattern {value!r}: {exc}") from exc
        return value


# Discuz! X (STRUCTURE.md §4) as selectors: the default of the forum spider, and an example.
DISCUZ_SELECTORS = ForumSelectors(
    list_item='tbody[id^="normalthread_"], tbody[id^="stickthread_"]',
    list_link="th a.s.xst",
    next_page="div.pg a.nxt",
    post='//div[@id="postlist"]/div[starts-with(@id, "post_")]',
    post_id="@id",
    post_id_pattern=r"^post_(\d+)$",
    author="td.pls a.xw1, td.pls div.authi",
    time='em[id^="authorposton"] span::attr(title), em[id^="authorposton"]',
    text='td.t_f[id^="postmessage_"]',
    text_exclude="div.quote, blockquote, i.pstatus, ignore_js_op, div.attach_nopermission, div.locked, div.tip",
    title="#thread_subject",
)


def parse_forum_thread(
    body: bytes,
    url: str,
    now: datetime,
    selectors: ForumSelectors,
    source: str = DEFAULT_SOURCE,
    charset: str | None = None,
    op_id: str | None = None,
) -> list[Post]:
    """The posts of one thread page. The first post (when ``op_id`` is None: page 1) carries
    the title; the others point at it through ``parent_id``. Later pages pass the first post's
    id as ``op_id``. No post found raises ``LayoutChanged``."""
    page = selector(body, url, charset)
    title = _first_text(page, selectors.title) if selectors.title else ""
    posts: list[Post] = []
    seen: set[str] = set()
    elements = select(page, selectors.post)
    for element in elements:
        post = _post(element, url, now, selectors, source, title if op_id is None and not posts else "", op_id)
        if post is None or post.post_id in seen:
            continue
        seen.add(post.post_id)
        posts.append(post)
        if op_id is None:
            op_id = post.post_id
    if not posts:
        found = f"{len(elements)} element(s) but none with an id and a body" if elements else "nothing"
        raise LayoutChanged(f"forum thread page at {url}: post selector {selectors.post!r} found {found}")
    return posts


class ForumRow(NamedTuple):
    """A thread of a list page: its absolute URL and, when rows are configured (``list_item``),
    a fingerprint of the row's text, which moves when the row does (replies, last-reply time)."""

    url: str
    version: str | None


def forum_rows(body: bytes, url: str, selectors: ForumSelectors, charset: str | None = None) -> list[ForumRow]:
    """The threads of a list page, in page order (a link listed twice: its first row);
    ``[]`` when no list selector is configured. Configured selectors that find no thread
    raise ``LayoutChanged``."""
    if not (selectors.list_item or selectors.list_link):
        return []
    page = selector(body, url, charset)
    base = _base(page, url)
    if selectors.list_item:
        items = select(page, selectors.list_item)
        found = [(_href(item, selectors.list_link or "a[href]"), _fingerprint(item)) for item in items]
    else:
        found = [(_value(link, link=True), None) for link in select(page, selectors.list_link or "")]
    rows: dict[str, ForumRow] = {}
    for href, version in found:
        if href and not href.startswith(("javascript", "#")):
            link = urljoin(base, href)
            rows.setdefault(link, ForumRow(link, version))
    if not rows:
        used = selectors.list_item or selectors.list_link
        raise LayoutChanged(f"forum list page at {url}: {used!r} found no thread link")
    return list(rows.values())


def forum_links(body: bytes, url: str, selectors: ForumSelectors, charset: str | None = None) -> list[str]:
    """Absolute thread URLs of a list page, in page order (see ``forum_rows``)."""
    return [row.url for row in forum_rows(body, url, selectors, charset)]


def _fingerprint(row: Selector) -> str | None:
    """A short hash of a list row's visible text, whitespace-normalised; None for an attribute."""
    if isinstance(row.root, str):
        return None
    text = " ".join(node_text(row.root).split())
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def forum_next_page(body: bytes, url: str, selectors: ForumSelectors, charset: str | None = None) -> str | None:
    """The next-page link of a list or thread page, absolute; None on the last page or when not configured."""
    if not selectors.next_page:
        return None
    page = selector(body, url, charset)
    href = _href(page, selectors.next_page)
    if not href or href.startswith(("javascript", "#")):
        return None
    return urljoin(_base(page, url), href)


def _post(
    element: Selector,
    url: str,
    now: datetime,
    selectors: ForumSelectors,
    source: str,
    title: str,
    op_id: str | None,
) -> Post | None:
    body = select(element, selectors.text) if selectors.text else [element]
    if not body:
        return None  # a placeholder (ad, deleted floor) without a body
    excluded = set(_roots(select(element, selectors.text_exclude))) if selectors.text_exclude else set()
    text = "\n".join(
        filter(None, (_value(part, skip=(lambda el: el in excluded) if excluded else None) for part in body))
    )
    author = _first_text(element, selectors.author) if selectors.author else ""
    post_id = _post_id(element, selectors)
    if post_id is None:
        return None
    post_id = post_id or "h" + hashlib.sha1(f"{_thread_url(url)}\n{author}\n{text}".encode()).hexdigest()[:20]
    anchor = (element.attrib.get("id") or "").strip()
    raw: dict[str, Any] = {"element_id": anchor} if anchor else {}
    if selectors.time and (time_text := _first_text(element, selectors.time)):
        raw["time_text"] = time_text
    return Post(
        source=source,
        post_id=post_id,
        url=f"{_thread_url(url)}#{anchor}" if anchor else url,
        title=title,
        text=text,
        author=author,
        published_at=_time(element, selectors.time, now) if selectors.time else None,
        parent_id=op_id,
        fetched_at=now,
        raw=raw,
    )


def _post_id(element: Selector, selectors: ForumSelectors) -> str | None:
    """The id; "" when the post has no id source (hash it); None when the source does not match."""
    if selectors.post_id:
        found = select(element, selectors.post_id)
        source = _value(found[0]) if found else ""
    else:
        source = (element.attrib.get("id") or "").strip()
    if selectors.post_id_pattern:
        match = re.search(selectors.post_id_pattern, source)
        if match is None:
            return None
        return (match.group(1) if match.groups() else match.group(0)).strip() or None
    return source


def _time(element: Selector, query: str, now: datetime) -> datetime | None:
    """The first value that parses; attribute values (``@title``, ``@datetime``: machine-readable)
    are tried before element texts (often relative, "3 天前")."""
    found = list(select(element, query))
    ordered = [f for f in found if isinstance(f.root, str)] + [f for f in found if not isinstance(f.root, str)]
    for item in ordered:
        text = _value(item)
        if not text:
            continue
        try:
            return parse_time(text, now)
        except ValueError:
            continue
    return None


def _first_text(scope: Selector, query: str | None) -> str:
    if not query:
        return ""
    for found in select(scope, query):
        if text := _value(found):
            return text
    return ""


def _href(scope: Selector, query: str) -> str:
    found = select(scope, query)
    return _value(found[0], link=True) if found else ""


def _value(found: Selector, link: bool = False, skip: Any = None) -> str:
    """An attribute or text node as is; an element as its visible text (or its href, for links)."""
    root = found.root
    if isinstance(root, str):
        return root.strip()
    if link:
        return (root.get("href") or "").strip()
    return node_text(root, skip=skip)


def _roots(found: SelectorList[Selector]) -> list[Element]:
    return [item.root for item in found if not isinstance(item.root, str)]


def _base(page: Selector, url: str) -> str:
    base = page.css("base::attr(href)").get()
    return urljoin(url, base.strip()) if base else url


def _thread_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment=""))
