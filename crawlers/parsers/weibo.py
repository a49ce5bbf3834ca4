"""m.weibo.cn and weibo.com responses → Posts (STRUCTURE.md §1.1–1.3, §1.6).

``parse_page`` tells the kind of a response from its content: the getIndex card
list (search, timelines), ``statuses/show``, ``statuses/extend`` (long text),
comments (``comments/hotflow``, ``api/comments/show``, weibo.com
``buildComments``), reposts, the weibo.com ajax bare status and the rendered
weibo.com status page. Error bodies raise ``ParseError``; a known kind whose
items all fail to parse raises ``LayoutChanged``.

Posts are keyed by the numeric mid, whichever site they came from, so a status
seen on m.weibo.cn, weibo.com and weibo.cn is one record.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.crawlers.parsers.markup import Element, decode_html, fragment_root, has_class, node_text
from yuqing.crawlers.timeparse import time_or_none
from yuqing.post import Post

SOURCE = "weibo"
DETAIL_URL = "https://m.weibo.cn/detail/{id}"
COMMENT_URL = "https://m.weibo.cn/detail/{id}#{comment}"
EMPTY_MSG = "这里还没有内容"  # ok=0 with this message: a legitimate end of results
CAPTCHA_OK = -100

_COUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?\+?")
_UNITS = {None: 1, "万": 10_000, "亿": 100_000_000}
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BID = re.compile(r"[0-9a-zA-Z]{1,12}")

Payload = dict[str, Any]


# --- ids and counts --------------------------------------------------------------------------


def _b62_decode(text: str) -> int:
    value = 0
    for char in text:
        value = value * 62 + _ALPHABET.index(char)
    return value


def _b62_encode(value: int) -> str:
    digits = ""
    while True:
        value, rest = divmod(value, 62)
        digits = _ALPHABET[rest] + digits
        if value == 0:
            return digits


def bid_to_mid(bid: str) -> str:
    """A status's base62 short id (``bid``/``mblogid``, e.g. "HyZVegYAP") → its numeric mid.

    The bid is cut from the right into 4-character chunks; each decodes to a number
    written with 7 digits (zero-padded), except the leftmost.
    """
    if not _BID.fullmatch(bid or ""):
        raise ValueError(f"not a weibo bid: {bid!r}")
    chunks = [bid[max(end - 4, 0) : end] for end in range(len(bid), 0, -4)][::-1]
    parts = [str(_b62_decode(chunk)) for chunk in chunks]
    return str(int(parts[0] + "".join(part.zfill(7) for part in parts[1:])))


def mid_to_bid(mid: str | int) -> str:
    """The inverse of ``bid_to_mid``: 7-digit chunks from the right, each base62 (4 characters but the first)."""
    digits = str(mid)
    if not digits.isdigit():
        raise ValueError(f"not a weibo mid: {mid!r}")
    chunks = [digits[max(end - 7, 0) : end] for end in range(len(digits), 0, -7)][::-1]
    parts = [_b62_encode(int(chunk)) for chunk in chunks]
    return parts[0] + "".join(part.zfill(4) for part in parts[1:])


def as_mid(value: Any) -> str | None:
    """A numeric mid from a mid or a bid; None when ``value`` is neither."""
    text = str(value or "").strip()
    if text.isdigit():
        return text
    try:
        return bid_to_mid(text)
    except ValueError:
        return None


def parse_count(value: Any) -> int | None:
    """Weibo counts: ints, or strings such as "43.4万", "1.2亿", "100万+", "1,234"; None if absent."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return max(int(value), 0)
    match = _COUNT.fullmatch(str(value).replace(",", "").strip())
    if not match:
        return None
    return round(float(match[1]) * _UNITS[match[2]])


# --- parse_page: kind detection --------------------------------------------------------------


def parse_page(body: bytes, url: str, now: datetime) -> list[Post]:
    """Any m.weibo.cn / weibo.com response → Posts; the kind is read from the content."""
    if _looks_like_json(body):
        return _parse_json(_load(body, url), url, now)
    if _RENDERED.search(body):
        return parse_rendered_status(body, url, now)
    raise ParseError(f"weibo response at {url} is not JSON (a login or captcha page?): {body[:80]!r}")


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _load(body: bytes, url: str) -> Payload:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"weibo response at {url} is not JSON: {body[:80]!r}") from exc
    if not isinstance(payload, dict):
        raise ParseError(f"weibo response at {url} is not a JSON object: {type(payload).__name__}")
    return payload


def _check_ok(payload: Payload, url: str, kind: str) -> bool:
    """True when the payload may carry items, False for "no more content"; raise for error answers."""
    ok, msg = payload.get("ok"), payload.get("msg")
    if ok in (1, True, None):
        return True
    if ok == 0 and msg == EMPTY_MSG:
        return False
    if str(ok) == str(CAPTCHA_OK):
        raise ParseError(f"weibo {kind} at {url} asks for a captcha (ok=-100, rate limit): {payload.get('url')}")
    raise ParseError(f"weibo {kind} not ok at {url}: ok={ok!r} msg={msg!r}")


def json_kind(payload: Payload, url: str) -> str | None:
    """Which response this is: getindex, show, extend, comments, reposts, statuses or ajax_status.

    The content decides; the URL path only when the content says nothing (e.g. an empty ``data``).
    """
    if "data" not in payload and _is_status(payload):
        return "ajax_status"
    data = payload.get("data")
    if isinstance(data, dict):
        if any(key in data for key in ("cards", "cardlistInfo", "userInfo")):
            return "getindex"
        if "longTextContent" in data:
            return "extend"
        if isinstance(data.get("data"), list):
            return "reposts" if any(_is_status(item) for item in data["data"]) else "comments"
        if isinstance(data.get("list"), list):
            return "statuses"
        if _is_status(data):
            return "show"
    elif isinstance(data, list):
        return "comments"  # weibo.com /ajax/statuses/buildComments
    return _kind_from_path(url)


def _is_status(value: Any) -> bool:
    """An mblog: it has an id and the fields only statuses carry (comments have ``bid`` too, not these)."""
    return (
        isinstance(value, dict)
        and any(value.get(key) for key in ("id", "idstr", "mid", "mblogid"))
        and any(key in value for key in ("reposts_count", "attitudes_count", "mblogid"))
    )


_PATH_KINDS = (
    ("/api/container/getIndex", "getindex"),
    ("/statuses/extend", "extend"),
    ("/statuses/longtext", "extend"),
    ("/comments/hotflow", "comments"),
    ("/comments/show", "comments"),
    ("/buildComments", "comments"),
    ("/repostTimeline", "reposts"),
    ("/statuses/mymblog", "statuses"),
    ("/statuses/show", "show"),
)


def _kind_from_path(url: str) -> str | None:
    path = urlsplit(url).path
    return next((kind for suffix, kind in _PATH_KINDS if path.endswith(suffix)), None)


def _parse_json(payload: Payload, url: str, now: datetime) -> list[Post]:
    kind = json_kind(payload, url)
    if not _check_ok(payload, url, kind or "response"):
        return []
    if kind is None:
        raise ParseError(f"weibo JSON at {url} is of no known kind (keys: {sorted(payload)[:8]})")
    return _PARSERS[kind](payload, url, now)


def _posts_or_layout_changed(
    items: list[Any], to_posts: Callable[[Any], list[Post]], url: str, kind: str
) -> list[Post]:
    """Posts of all items, once each; LayoutChanged when there were items and none parsed."""
    posts: dict[str, Post] = {}
    for item in items:
        try:
            found = to_posts(item)
        except (ValueError, TypeError, KeyError, AttributeError):  # pydantic's ValidationError is a ValueError
            found = []
        for post in found:
            posts.setdefault(post.post_id, post)
    if items and not posts:
        raise LayoutChanged(f"weibo {kind} at {url}: {len(items)} items, none could be parsed")
    return list(posts.values())


# --- getIndex, show, statuses, ajax ------------------------------------------------------------


def parse_getindex(body: bytes, url: str, now: datetime) -> list[Post]:
    """All posts of one getIndex response; ``[]`` for the "no more content" answer."""
    payload = _load(body, url)
    if not _check_ok(payload, url, "getIndex"):
        return []
    return _getindex(payload, url, now)


def _getindex(payload: Payload, url: str, now: datetime) -> list[Post]:
    data = payload.get("data")
    cards = data.get("cards") if isinstance(data, dict) else None
    if not isinstance(cards, list):
        return []  # e.g. a profile container: valid, but it holds no posts
    return _posts_or_layout_changed(list(iter_mblogs(cards)), lambda m: _one(mblog_to_post(m, now)), url, "getIndex")


def _one(post: Post | None) -> list[Post]:
    return [post] if post is not None else []


def iter_mblogs(cards: list[Any]) -> Iterator[dict[str, Any]]:
    """The ``mblog`` of each type-9 card, top level first-come, groups expanded in place."""
    for card in cards:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == 9 and isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        elif card.get("card_type") == 11 and isinstance(card.get("card_group"), list):
            yield from iter_mblogs(card["card_group"])


def _show(payload: Payload, url: str, now: datetime) -> list[Post]:
    return _posts_or_layout_changed([payload.get("data")], lambda m: _one(mblog_to_post(m, now)), url, "status")


def _ajax_status(payload: Payload, url: str, now: datetime) -> list[Post]:
    return _posts_or_layout_changed([payload], lambda m: _one(mblog_to_post(m, now)), url, "ajax status")


def _statuses(payload: Payload, url: str, now: datetime) -> list[Post]:
    """``repostTimeline`` (``data.data``) and weibo.com ``mymblog`` (``data.list``) status lists."""
    data = payload.get("data") or {}
    items = data.get("data") if isinstance(data.get("data"), list) else data.get("list") or []
    return _posts_or_layout_changed(items, lambda m: _one(mblog_to_post(m, now)), url, "status list")


def mblog_to_post(mblog: dict[str, Any], now: datetime) -> Post | None:
    """One status (m.weibo.cn mblog or weibo.com ajax status) as a Post; None when it has no id."""
    if not isinstance(mblog, dict):
        return None
    post_id = str(mblog.get("id") or mblog.get("idstr") or mblog.get("mid") or "")
    if not post_id:
        return None
    user = mblog.get("user") if isinstance(mblog.get("user"), dict) else {}
    retweeted = mblog.get("retweeted_status")
    retweeted = retweeted if isinstance(retweeted, dict) else None
    return Post(
        source=SOURCE,
        post_id=post_id,
        url=DETAIL_URL.format(id=post_id),
        text=_status_text(mblog),
        author=str(user.get("screen_name") or ""),
        author_followers=parse_count(user.get("followers_count")),
        published_at=time_or_none(mblog.get("created_at"), now),
        reposts=parse_count(mblog.get("reposts_count")) or 0,
        comments=parse_count(mblog.get("comments_count")) or 0,
        likes=parse_count(mblog.get("attitudes_count")) or 0,
        parent_id=_retweeted_id(retweeted),
        fetched_at=now,
        raw=_raw(mblog, user, retweeted),
    )


def _status_text(mblog: dict[str, Any]) -> str:
    """weibo.com ajax statuses carry a plain ``text_raw``; m.weibo.cn only the HTML ``text``."""
    if isinstance(mblog.get("text_raw"), str) and "mblogid" in mblog:
        return mblog["text_raw"].replace("\u200b", "").strip()
    return html_to_text(str(mblog.get("text") or ""))


def _retweeted_id(retweeted: dict[str, Any] | None) -> str | None:
    if not retweeted:
        return None
    value = retweeted.get("id") or retweeted.get("idstr") or retweeted.get("mid")
    return str(value) if value else None


def _raw(mblog: dict[str, Any], user: dict[str, Any], retweeted: dict[str, Any] | None) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "bid": mblog.get("bid") or mblog.get("mblogid"),
        "user_id": user.get("id"),
        "client": _client(mblog.get("source")),
        "region_name": mblog.get("region_name") or None,
        "is_long_text": bool(mblog.get("isLongText")),
        "pinned": bool(mblog.get("isTop")) or mblog.get("mblogtype") == 2 or None,
        "created_at": mblog.get("created_at"),
    }
    if retweeted:
        original_user = retweeted.get("user") if isinstance(retweeted.get("user"), dict) else {}
        raw["retweeted"] = {
            "id": _retweeted_id(retweeted) or "",
            "author": original_user.get("screen_name"),
            "text": _status_text(retweeted),
        }
    return {key: value for key, value in raw.items() if value is not None}


def _client(source: Any) -> str | None:
    """The client name; weibo.com ajax gives it as a link (``<a …>iPhone客户端</a>``)."""
    text = str(source or "")
    return (html_to_text(text) if "<" in text else text.strip()) or None


def is_long_text(mblog: dict[str, Any]) -> bool:
    """Whether the status's ``text`` is truncated and ``statuses/extend`` has the rest."""
    return bool(mblog.get("isLongText"))


def needs_long_text(post: Post) -> bool:
    """A post built from a truncated status whose full text was not fetched yet."""
    return bool(post.raw.get("is_long_text")) and not post.raw.get("long_text_fetched")


# --- long text ------------------------------------------------------------------------------


def _extend(payload: Payload, url: str, now: datetime) -> list[Post]:
    """``statuses/extend`` (m.weibo.cn) or ``ajax/statuses/longtext`` (weibo.com): the full text and counts."""
    data = payload.get("data")
    content = data.get("longTextContent") if isinstance(data, dict) else None
    if not isinstance(content, str):
        raise LayoutChanged(f"weibo long text at {url}: no longTextContent")
    post_id = as_mid(_query(url, "id"))
    if post_id is None:
        raise ParseError(
            f"weibo long text at {url}: the answer names no status; give its address (statuses/extend?id=…)"
        )
    return [
        Post(
            source=SOURCE,
            post_id=post_id,
            url=DETAIL_URL.format(id=post_id),
            text=html_to_text(content),
            reposts=parse_count(data.get("reposts_count")) or 0,
            comments=parse_count(data.get("comments_count")) or 0,
            likes=parse_count(data.get("attitudes_count")) or 0,
            fetched_at=now,
            raw={"long_text_fetched": True},
        )
    ]


def merge_long_text(post: Post, extended: Post) -> Post:
    """``post`` (from a list, truncated) with the full text and fresher counts of its extend answer."""
    return post.model_copy(
        update={
            "text": extended.text or post.text,
            "reposts": extended.reposts or post.reposts,
            "comments": extended.comments or post.comments,
            "likes": extended.likes or post.likes,
            "raw": {**post.raw, "long_text_fetched": True},
        }
    )


def _query(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


# --- comments -------------------------------------------------------------------------------


def _comments(payload: Payload, url: str, now: datetime) -> list[Post]:
    """hotflow (``data.data`` + inline replies), ``api/comments/show`` (+ ``hot_data``), weibo.com buildComments."""
    data = payload.get("data")
    if isinstance(data, list):
        items, status = data, None
    else:
        data = data if isinstance(data, dict) else {}
        items = list(data.get("data") or []) + list(data.get("hot_data") or [])
        status = data.get("status")
    status_id = _status_id(url, status, items)
    return _posts_or_layout_changed(items, lambda c: comment_to_posts(c, status_id, now, page_url=url), url, "comments")


def _status_id(url: str, status: Any, items: list[Any]) -> str | None:
    """The commented status: the URL's ``mid``/``id``, else the ``status`` the answer or a comment
    carries; None when neither says (``api/comments/show`` saved without its address)."""
    for candidate in (_query(url, "mid"), _query(url, "id")):
        if mid := as_mid(candidate):
            return mid
    statuses = [status] + [item.get("status") for item in items if isinstance(item, dict)]
    for value in statuses:
        if isinstance(value, dict) and (mid := as_mid(value.get("id") or value.get("mid"))):
            return mid
    return None


def comment_to_posts(
    comment: dict[str, Any], status_id: str | None, now: datetime, root: str | None = None, page_url: str = ""
) -> list[Post]:
    """A comment and its inline replies (hotflow ``comments``); replies point at their root comment.
    Without a known status the comment's URL is the page it was read from."""
    if not isinstance(comment, dict):
        return []
    comment_id = str(comment.get("id") or comment.get("idstr") or "")
    if not comment_id:
        return []
    user = comment.get("user") if isinstance(comment.get("user"), dict) else {}
    parent = root or _comment_parent(comment, comment_id) or status_id
    likes = comment.get("like_count", comment.get("like_counts"))
    replies = comment.get("comments") if isinstance(comment.get("comments"), list) else []
    post = Post(
        source=SOURCE,
        post_id=comment_id,
        url=COMMENT_URL.format(id=status_id, comment=comment_id) if status_id else f"{page_url}#{comment_id}",
        text=html_to_text(str(comment.get("text") or "")),
        author=str(user.get("screen_name") or ""),
        author_followers=parse_count(user.get("followers_count")),
        published_at=time_or_none(comment.get("created_at"), now),
        comments=parse_count(comment.get("total_number")) or 0,
        likes=parse_count(likes) or 0,
        parent_id=parent,
        fetched_at=now,
        raw=_comment_raw(comment, user, status_id),
    )
    return [post] + [
        reply for item in replies for reply in comment_to_posts(item, status_id, now, comment_id, page_url)
    ]


def _comment_parent(comment: dict[str, Any], comment_id: str) -> str | None:
    """A reply's root comment (``rootid``), else the comment it answers (``reply_id``); None for top level."""
    for key in ("rootid", "reply_id"):
        value = str(comment.get(key) or "")
        if value.isdigit() and value != comment_id:
            return value
    return None


def _comment_raw(comment: dict[str, Any], user: dict[str, Any], status_id: str | None) -> dict[str, Any]:
    source = str(comment.get("source") or "").strip()
    region = source[2:].strip() if source.startswith("来自") else None
    raw: dict[str, Any] = {
        "kind": "comment",
        "status_id": status_id,
        "user_id": user.get("id"),
        "source": source or None,
        "region": region or None,
        "floor": comment.get("floor_number"),
        "reply_id": str(comment["reply_id"]) if comment.get("reply_id") else None,
        "bid": comment.get("bid"),
        "created_at": comment.get("created_at"),
    }
    return {key: value for key, value in raw.items() if value is not None}


_PARSERS: dict[str, Callable[[Payload, str, datetime], list[Post]]] = {
    "getindex": _getindex,
    "show": _show,
    "ajax_status": _ajax_status,
    "statuses": _statuses,
    "reposts": _statuses,
    "extend": _extend,
    "comments": _comments,
}


# --- cursors for the spider -------------------------------------------------------------------


def _payload_or_none(body: bytes) -> Payload | None:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _data(body: bytes) -> dict[str, Any]:
    payload = _payload_or_none(body) or {}
    return payload.get("data") if isinstance(payload.get("data"), dict) else {}


def next_page(body: bytes) -> int | None:
    """getIndex search paging: ``cardlistInfo.page``, the next page; None on the last page."""
    info = _data(body).get("cardlistInfo")
    page = info.get("page") if isinstance(info, dict) else None
    return int(page) if isinstance(page, int | str) and str(page).isdigit() and int(page) > 0 else None


def next_since_id(body: bytes) -> str | None:
    """getIndex timeline paging: ``cardlistInfo.since_id``; None on the last page."""
    info = _data(body).get("cardlistInfo")
    since = info.get("since_id") if isinstance(info, dict) else None
    return str(since) if since not in (None, "", 0, "0") else None


def hotflow_cursor(body: bytes) -> tuple[str, str] | None:
    """hotflow paging: ``(max_id, max_id_type)`` of the next page; None when ``max_id`` is 0 (the last)."""
    data = _data(body)
    max_id = data.get("max_id")
    if max_id in (None, "", 0, "0"):
        return None
    return str(max_id), str(data.get("max_id_type") or 0)


# --- text ---------------------------------------------------------------------------------


def html_to_text(html: str) -> str:
    """Weibo ``text`` HTML → plain text: keeps ``[emoticon]`` alts, ``#topics#`` and ``@mentions``."""
    if "<" not in html and "&" not in html:
        return html.strip()
    return node_text(fragment_root(html), skip=_is_more_link)


def _is_more_link(element: Element) -> bool:
    """The trailing "全文" link of a truncated long text (m.weibo.cn), "展开" on weibo.com."""
    if element.tag == "a" and (element.get("href") or "").startswith("/status/"):
        return True
    return element.tag == "span" and has_class(element, "expand")


# --- the rendered weibo.com status page (§1.6) --------------------------------------------------

_RENDERED = re.compile(rb'class="[^"]*\b(?:detail_wbtext|head-info_time|Detail_feed)_')
_STATUS_HREF = re.compile(r"weibo\.com/(\d+)/([0-9A-Za-z]+)")


def parse_rendered_status(body: bytes, url: str, now: datetime) -> list[Post]:
    """The status of a rendered weibo.com detail page (class names carry hashes: match on prefixes),
    then the comments the page shows (it renders no comment ids: theirs are derived, see ``raw``)."""
    page = Selector(text=decode_html(body), base_url=url)
    feed = page.css("article[class*=Detail_feed_], article[class*=Feed_wrap_]")
    root = feed[0] if feed else page
    time_link = root.css("a[class*=head-info_time_]")
    text_nodes = root.css("[class*=detail_wbtext_]")
    match = _STATUS_HREF.search(time_link.attrib.get("href", "")) if time_link else None
    mid = as_mid(match[2]) if match else None
    if not (text_nodes and mid):
        raise LayoutChanged(f"weibo.com status page at {url}: no status text or link found")
    author = root.css("a[class*=head_name_]")
    reposts, comments, likes = _toolbar_counts(root)
    status = Post(
        source=SOURCE,
        post_id=mid,
        url=DETAIL_URL.format(id=mid),
        text=node_text(text_nodes[0].root, skip=_is_more_link),
        author=_clean(author.css("::text").getall()),
        published_at=time_or_none(_clean(time_link.css("::text").getall()), now),
        reposts=reposts,
        comments=comments,
        likes=likes,
        fetched_at=now,
        raw=_drop_none(
            {
                "bid": match[2],
                "user_id": int(match[1]),
                "client": _strip_from(_clean(root.css("[class*=head-info_source_] ::text").getall())) or None,
                "region_name": _clean(root.css("[class*=head-info_ip_] ::text").getall()) or None,
                "created_at": _clean(time_link.css("::text").getall()),
            }
        ),
    )
    return [status] + _rendered_comments(page, mid, now)


def _toolbar_counts(root: Selector) -> tuple[int, int, int]:
    """``<footer aria-label="8,15,55">``: reposts, comments, likes; else the toolbar's numbers."""
    label = root.css("footer::attr(aria-label)").get() or ""
    numbers = [parse_count(part) for part in label.split(",")]
    if len(numbers) != 3 or None in numbers:
        found = root.css("footer [class*=toolbar_num_] ::text, footer .woo-like-count ::text").getall()
        numbers = [parse_count(text.strip()) for text in found if text.strip()] + [0, 0, 0]
    reposts, comments, likes = (value or 0 for value in numbers[:3])
    return reposts, comments, likes


def _rendered_comments(page: Selector, mid: str, now: datetime) -> list[Post]:
    posts = []
    for item in page.css("div.wbpro-list div.item1 div.con1"):
        author = item.css("div.text > a[usercard]")
        text = "".join(node_text(span.root) for span in item.css("div.text > span"))
        if not (author and text):
            continue
        info = item.css("div.info > div:first-child")
        when = _clean(info.xpath("./text()").getall())
        source = _clean(info.css("span ::text").getall())
        user_id = author.attrib.get("usercard", "")
        digest = hashlib.sha1(f"{user_id}\n{text}".encode()).hexdigest()[:12]
        comment_id = f"{mid}_{digest}"
        posts.append(
            Post(
                source=SOURCE,
                post_id=comment_id,
                url=COMMENT_URL.format(id=mid, comment=comment_id),
                text=text,
                author=_clean(author.css("::text").getall()),
                published_at=time_or_none(when, now),
                likes=parse_count(_clean(item.css(".woo-like-count ::text").getall())) or 0,
                parent_id=mid,
                fetched_at=now,
                raw=_drop_none(
                    {
                        "kind": "comment",
                        "status_id": mid,
                        "user_id": int(user_id) if user_id.isdigit() else None,
                        "source": source or None,
                        "region": _strip_from(source) or None,
                        "created_at": when or None,
                        "derived_id": True,  # the rendered page shows no comment id
                    }
                ),
            )
        )
    return posts


def _clean(texts: list[str]) -> str:
    return " ".join(" ".join(texts).split())


def _strip_from(text: str) -> str:
    return text[2:].strip() if text.startswith("来自") else text


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
