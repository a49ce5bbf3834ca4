"""Baidu search result pages → Posts (STRUCTURE.md §2).

Web search (``/s?wd=``, 2020 and 2021+ layouts): results are the direct children of
``#content_left`` with ``c-container``/``result`` classes. A result is kept when it has an
``h3 a`` title and link; aladdin cards without one (calculator, "others also searched") are skipped.

News search (``/s?tn=news``, 2021+ layout with hash-suffixed class names, and the older
``p.c-author`` layout): one Post per news card, the outlet as author. ``parse_page`` tells
the two apart by content.

A page with a results frame (``#content_left``) but no result and no "no results" marker
raises ``LayoutChanged``; a 百度安全验证 (captcha) page raises ``ParseError``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from parsel import Selector, SelectorList

from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.crawlers.parsers.markup import Element, node_text, selector
from yuqing.crawlers.timeparse import time_or_none
from yuqing.post import Post

SOURCE = "baidu"
NEWS_SOURCE = "baidu-news"

_RESULTS = "#content_left > div.c-container, #content_left > div.result, #content_left > div.result-op"
_ABSTRACT = 'div.c-abstract, span[class*="content-right_"], div[class*="content-right_"]'
_DATE = "span.newTimeFactor_before_abs, span.c-color-gray2"
_TOOLS_URL = re.compile(r"""["']?url["']?\s*:\s*["']([^"']+)["']""")
_DATE_TAIL = re.compile(r"\s*[-–—]\s*$")  # "2020年1月1日 - " is followed by the abstract
_BAIDU_MARKERS = "#wrapper, #head, #kw, form#form, #u1"
_BLOCKED_TITLE = "百度安全验证"
_CAPTCHA = b"static/captcha/tuxing"
_NO_RESULTS = ".nors, .content_none, #content_none"
_NO_RESULTS_TEXT = '//body//text()[not(ancestor::script or ancestor::style)][contains(., "没有找到")]'

# News cards: the outermost result containers anywhere below #content_left (2021+ news
# nests them in a wrapper div). Class names carry hash suffixes: match on prefixes.
_CARD_CLASS = (
    'contains(concat(" ", normalize-space(@class), " "), " result-op ")'
    ' or contains(concat(" ", normalize-space(@class), " "), " result ")'
    ' or contains(concat(" ", normalize-space(@class), " "), " c-container ")'
)
_NEWS_CARDS = f'//div[@id="content_left"]//div[{_CARD_CLASS}][not(ancestor::div[{_CARD_CLASS}])]'
_NEWS_MARKERS = (
    'h3[class*="news-title"], div[class*="news-source"], span[aria-label^="新闻来源"], div[tpl^="news"], p.c-author'
)
_NEWS_TITLE = 'h3[class*="news-title"] a, h3 a'
_NEWS_OUTLET = (
    'div[class*="news-source"] span.c-color-gray, span[aria-label^="新闻来源"], '
    'div[class*="news-source"] a[class*="source-link"]'
)
_NEWS_TIME = 'div[class*="news-source"] span.c-color-gray2, span[aria-label^="发布于"], span.c-color-gray2'
_NEWS_ABSTRACT = (
    'span.c-color-text, span[aria-label^="摘要"], span[class*="content-right_"], '
    'div[class*="content-right_"], div.c-summary, div.c-abstract'
)
_AUTHOR_SPLIT = re.compile(r"[\s\u00a0]{2,}")  # pre-2021 news: "source&nbsp;&nbsp;time"


def parse_page(body: bytes, url: str, now: datetime) -> list[Post]:
    """Web or news results, told apart by the page's content (``tn=news`` in ``url`` when it has none)."""
    page = selector(body, url)
    if _is_news(page, url):
        return _news(page, body, url, now)
    return _web(page, body, url, now)


def parse_web(body: bytes, url: str, now: datetime) -> list[Post]:
    """Organic and aladdin results of one Baidu SERP; ``[]`` on Baidu's "no results" page."""
    return _web(selector(body, url), body, url, now)


def parse_news(body: bytes, url: str, now: datetime) -> list[Post]:
    """News cards of one Baidu news result page (``tn=news``); the outlet is the author."""
    return _news(selector(body, url), body, url, now)


def _web(page: Selector, body: bytes, url: str, now: datetime) -> list[Post]:
    return _cards(page, body, url, page.css(_RESULTS), lambda card: _result(card, url, now), "web")


def _news(page: Selector, body: bytes, url: str, now: datetime) -> list[Post]:
    return _cards(page, body, url, page.xpath(_NEWS_CARDS), lambda card: _news_card(card, url, now), "news")


def _cards(
    page: Selector, body: bytes, url: str, cards: SelectorList, read: Callable[[Selector], Post | None], kind: str
) -> list[Post]:
    """The posts of a result page's cards, each once; ``[]`` without a results frame
    (Baidu's real "no results" page has no #content_left)."""
    if not _has_frame(page, body, url):
        return []
    posts: dict[str, Post] = {}
    for card in cards:
        post = read(card)
        if post is not None:
            posts.setdefault(post.post_id, post)
    _check_not_empty(list(posts.values()), page, url, kind)
    return list(posts.values())


def _has_frame(page: Selector, body: bytes, url: str) -> bool:
    """True when the page has a results frame; False on Baidu's "no results" page.

    Raises ``ParseError`` for a captcha page and for a page that is not Baidu's at all.
    """
    title = page.css("title::text").get() or ""
    if _BLOCKED_TITLE in title:
        raise ParseError(f"blocked: Baidu answered its security check ({_BLOCKED_TITLE}) at {url}")
    if page.css("#content_left"):
        return True
    if _CAPTCHA in body:
        raise ParseError(f"blocked: Baidu answered a captcha page at {url}")
    if _is_baidu(page):
        return False
    raise ParseError(f"not a Baidu result page at {url}: {body[:80]!r}")


def _check_not_empty(posts: list[Post], page: Selector, url: str, kind: str) -> None:
    if not posts and not (page.css(_NO_RESULTS) or page.xpath(_NO_RESULTS_TEXT)):
        raise LayoutChanged(f"Baidu {kind} page at {url} has #content_left but no result and no 'no results' marker")


def _is_news(page: Selector, url: str) -> bool:
    """News when most result cards look like news cards (a web page may embed one news block);
    the URL's ``tn=news`` decides when there is no card to go by."""
    cards = page.xpath(_NEWS_CARDS)
    news = sum(1 for card in cards if card.css(_NEWS_MARKERS))
    if news * 2 != len(cards):
        return news * 2 > len(cards)
    return parse_qs(urlsplit(url).query).get("tn", [""])[0] == "news"


def _news_card(card: Selector, page_url: str, now: datetime) -> Post | None:
    links = card.css(_NEWS_TITLE)
    if not links:
        return None
    link = links[0]
    title = node_text(link.root)
    href = (link.attrib.get("href") or "").strip()
    if not title or not href:
        return None
    link_url = urljoin(page_url, href)
    target = (card.attrib.get("mu") or "").strip() or _tools_url(card) or link_url
    outlet, date_text = _outlet_and_date(card)
    abstract = card.css(_NEWS_ABSTRACT)
    raw: dict[str, Any] = {
        "rank": card.attrib.get("id"),
        "tpl": card.attrib.get("tpl"),
        "link": link_url if link_url != target else None,
        "date_text": date_text or None,
    }
    return Post(
        source=NEWS_SOURCE,
        post_id=result_id(target),
        url=target,
        title=title,
        text=node_text(abstract[0].root) if abstract else "",
        author=outlet,
        published_at=time_or_none(date_text, now),
        fetched_at=now,
        raw={key: value for key, value in raw.items() if value},
    )


def _outlet_and_date(card: Selector) -> tuple[str, str]:
    """(outlet, time text) of a news card: 2021+ spans, or the older ``p.c-author`` line."""
    outlet = card.css(_NEWS_OUTLET)
    stamp = card.css(_NEWS_TIME)
    if outlet or stamp:
        return (node_text(outlet[0].root) if outlet else "", node_text(stamp[0].root) if stamp else "")
    author = card.css("p.c-author, div.c-author")
    if not author:
        return "", ""
    line = "".join(author[0].xpath(".//text()").getall()).strip()  # node_text would merge the &nbsp;s
    parts = _AUTHOR_SPLIT.split(line, maxsplit=1)
    return parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""


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
        published_at=time_or_none(date_text, now),
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
