"""m.weibo.cn ``/api/container/getIndex`` JSON → Posts (STRUCTURE.md §1.1).

Search, timeline and topic containers share one envelope: posts are ``card_type`` 9
cards, either at the top level or inside the ``card_group`` of a ``card_type`` 11 card.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from yuqing.crawlers.parsers.errors import ParseError
from yuqing.crawlers.parsers.markup import Element, fragment_root, node_text
from yuqing.crawlers.timeparse import parse_time
from yuqing.post import Post

SOURCE = "weibo"
DETAIL_URL = "https://m.weibo.cn/detail/{id}"
EMPTY_MSG = "这里还没有内容"  # ok=0 with this message: a legitimate end of results

_COUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?\+?")
_UNITS = {None: 1, "万": 10_000, "亿": 100_000_000}


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


def parse_getindex(body: bytes, url: str, now: datetime) -> list[Post]:
    """All posts of one getIndex response; ``[]`` for the "no more content" answer."""
    payload = _load(body, url)
    ok, msg = payload.get("ok"), payload.get("msg")
    if ok != 1:
        if ok == 0 and msg == EMPTY_MSG:
            return []
        raise ParseError(f"weibo getIndex not ok at {url}: ok={ok!r} msg={msg!r}")
    data = payload.get("data")
    cards = data.get("cards") if isinstance(data, dict) else None
    if not isinstance(cards, list):
        return []  # e.g. a profile container: valid, but it holds no posts
    posts: dict[str, Post] = {}
    for mblog in iter_mblogs(cards):
        post = mblog_to_post(mblog, now)
        if post is not None:
            posts.setdefault(post.post_id, post)
    return list(posts.values())


def _load(body: bytes, url: str) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"weibo getIndex at {url} is not JSON: {body[:80]!r}") from exc
    if not isinstance(payload, dict):
        raise ParseError(f"weibo getIndex at {url} is not a JSON object: {type(payload).__name__}")
    return payload


def iter_mblogs(cards: list[Any]) -> Iterator[dict[str, Any]]:
    """The ``mblog`` of each type-9 card, top level first-come, groups expanded in place."""
    for card in cards:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == 9 and isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        elif card.get("card_type") == 11 and isinstance(card.get("card_group"), list):
            yield from iter_mblogs(card["card_group"])


def mblog_to_post(mblog: dict[str, Any], now: datetime) -> Post | None:
    """One status as a Post; None when it has no id (a placeholder or deleted status)."""
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
        text=html_to_text(str(mblog.get("text") or "")),
        author=str(user.get("screen_name") or ""),
        author_followers=parse_count(user.get("followers_count")),
        published_at=_published(mblog.get("created_at"), now),
        reposts=parse_count(mblog.get("reposts_count")) or 0,
        comments=parse_count(mblog.get("comments_count")) or 0,
        likes=parse_count(mblog.get("attitudes_count")) or 0,
        parent_id=str(retweeted["id"]) if retweeted and retweeted.get("id") else None,
        fetched_at=now,
        raw=_raw(mblog, user, retweeted),
    )


def _published(value: Any, now: datetime) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_time(str(value), now)
    except ValueError:
        return None


def _raw(mblog: dict[str, Any], user: dict[str, Any], retweeted: dict[str, Any] | None) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "bid": mblog.get("bid"),
        "user_id": user.get("id"),
        "client": mblog.get("source") or None,
        "region_name": mblog.get("region_name"),
        "is_long_text": bool(mblog.get("isLongText")),
        "created_at": mblog.get("created_at"),
    }
    if retweeted:
        original_user = retweeted.get("user") if isinstance(retweeted.get("user"), dict) else {}
        raw["retweeted"] = {
            "id": str(retweeted.get("id") or ""),
            "author": original_user.get("screen_name"),
            "text": html_to_text(str(retweeted.get("text") or "")),
        }
    return {key: value for key, value in raw.items() if value is not None}


def html_to_text(html: str) -> str:
    """Weibo ``text`` HTML → plain text: keeps ``[emoticon]`` alts, ``#topics#`` and ``@mentions``."""
    if "<" not in html and "&" not in html:
        return html.strip()
    return node_text(fragment_root(html), skip=_is_more_link)


def _is_more_link(element: Element) -> bool:
    """The trailing "全文" link of a truncated long text."""
    return element.tag == "a" and (element.get("href") or "").startswith("/status/")
