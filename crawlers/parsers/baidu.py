"""Baidu web search result pages (``/s?wd=``) → Posts, 2020 and 2021+ layouts (STRUCTURE.md §2).

Results are the direct children of ``#content_left`` with ``c-container``/``result`` classes.
A result is kept when it has an ``h3 a`` title and link; aladdin cards without one
(calculator, "others also searched") are skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from yuqing.crawlers.parsers.errors import ParseError
from yuqing.crawlers.parsers.markup import Element, node_text, selector
from yuqing.crawlers.timeparse import parse_time
from yuqing.post import Post

SOURCE = "baidu"

_RESULTS = "#content_left > div.c-container, #content_left > div.result, #content_left > div.result-op"
_ABSTRACT = 'div.c-abstract, span[class*="content-right_"], div[class*="content-right_"]'
_DATE = "span.newTimeFactor_before_abs, span.c-color-gray2"
_TOOLS_URL = re.compile(r"""["']?url["']?\s*:\s*["']([^"']+)["']""")
_DATE_TAIL = re.compile(r"\s*[-–—]\s*$")  # "2020年1月1日 - " is followed by the abstract
_BAIDU_MARKERS = "#wrapper, #head, #kw, form#form, #u1"


def parse_web(body: bytes, url: str, now: datetime) -> list[Post]:
    """Organic and aladdin results of one Baidu SERP; ``[]`` when the page has no results block."""
    page = selector(body, url)
    if not page.css("#content_left"):
        if _is_baidu(page):
            return []  # Baidu's real "no results" page has no #content_left
        raise ParseError(f"not a Baidu result page at {url}: {body[:80]!r}")
    posts: list[Post] = []
    seen: set[str] = set()
    for card in page.css(_RESULTS):
        post = _result(card, url, now)
        if post is not None and post.post_id not in seen:
            seen.add(post.post_id)
            posts.append(post)
    return posts


def result_id(target_url: str) -> str:
    """A stable post id for a result: the sha1 of its target URL, 20 hex digits."""
    return hashlib.sha1(target_url.strip().encode("utf-8")).hexdigest()[:20]


def _is_baidu(page: Selector) -> bool:
    title = page.css("title::text").get() or ""
    return "百度" in title or bool(page.css(_BAIDU_MARKERS))


def _result(card: Selector, page_url: str, now: datetime) -> Post | None:
    links = card.css("h3 a")
    if not links:
        return None
    link = links[0]
    title = node_text(link.root)
    href = (link.attrib.get("href") or "").strip()
    if not title or not href:
        return None
    link_url = urljoin(page_url, href)
    mu = (card.attrib.get("mu") or "").strip()
    tools_url = _tools_url(card)
    target = mu or tools_url or link_url
    date_el = card.css(_DATE)
    date_text = _DATE_TAIL.sub("", node_text(date_el[0].root)) if date_el else ""
    raw: dict[str, Any] = {
        "rank": card.attrib.get("id"),
        "tpl": card.attrib.get("tpl"),
        "link": link_url if link_url != target else None,
        "display_url": _display_url(card),
        "date_text": date_text or None,
    }
    return Post(
        source=SOURCE,
        post_id=result_id(target),
        url=target,
        title=title,
        text=_abstract(card, date_el[0].root if date_el else None),
        published_at=_published(date_text, now),
        fetched_at=now,
        raw={key: value for key, value in raw.items() if value},
    )


def _tools_url(card: Selector) -> str:
    """The ``url`` of ``data-tools``: JSON on organic results, a JS literal on aladdin cards."""
    tools = card.css(".c-tools::attr(data-tools)").get()
    if not tools:
        return ""
    try:
        value = json.loads(tools).get("url", "")
        return value.strip() if isinstance(value, str) else ""
    except (json.JSONDecodeError, AttributeError):
        match = _TOOLS_URL.search(tools)
        return match[1].strip() if match else ""


def _display_url(card: Selector) -> str | None:
    """The green display URL (inline ``<style>`` some of them carry is not text)."""
    nodes = card.css("a.c-showurl, span.c-showurl, span.c-color-gray")
    return node_text(nodes[0].root) or None if nodes else None


def _abstract(card: Selector, date_el: Element | None) -> str:
    nodes = card.css(_ABSTRACT)
    if nodes:
        return node_text(nodes[0].root, skip=lambda el: el is date_el)
    for paragraph in card.css("p"):  # aladdin cards (baike…) have their summary in a <p>
        text = node_text(paragraph.root)
        if text:
            return text
    return ""


def _published(date_text: str, now: datetime) -> datetime | None:
    if not date_text:
        return None
    try:
        return parse_time(date_text, now)
    except ValueError:  # e.g. "1天内": keep the text in raw, no date
        return None
