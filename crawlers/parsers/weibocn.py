"""weibo.cn (the old WAP site) HTML → Posts (STRUCTURE.md §1.5).

Profile pages (``/<uid>/profile?page=N``) list statuses as ``div.c#M_<bid>``;
comment pages (``/comment/<bid>``) show the status, then ``div.c#C_<comment id>``.
Statuses get the numeric mid (from the bid) as their id, the same id m.weibo.cn
gives them, so both sites feed one record per status.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.crawlers.parsers.markup import Element, has_class, node_text, selector
from yuqing.crawlers.parsers.weibo import COMMENT_URL, DETAIL_URL, SOURCE, as_mid, bid_to_mid
from yuqing.crawlers.timeparse import time_or_none
from yuqing.post import Post

_COUNTER = re.compile(r"(赞|转发|评论)\[(\d+)\]")
_TOOLBAR_TEXT = re.compile(r"(?:原文)?(?:赞|转发|评论)\[\d+\]|收藏|原图|全文|举报|回复|操作|组图共\d+张|关注[他她]")
_TOOLBAR_HREF = re.compile(
    r"/(?:attitude|repost|comment|comments/reply|fav|spam|attention|mblog/(?:pic|oripic|picAll|operation))[/?]"
)
_TIME = re.compile(
    r"(刚刚|\d+\s*(?:秒|分钟|小时)前|今天\s*\d{1,2}:\d{2}|\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}"
    r"|\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?)\s*(.*)"
)
_BID_IN_HREF = re.compile(r"/comment/([0-9A-Za-z]+)")
_PAGE_COUNT = re.compile(r"\d+/(\d+)页")
_TITLE_OWNER = re.compile(r"(.+)的微博$")


def parse_page(body: bytes, url: str, now: datetime) -> list[Post]:
    """A weibo.cn profile page or comment page; which one is read from the markup."""
    page = selector(body, url)
    if page.css("div.c[id^=C_]") or page.css("#cmtfrm, form[action*='addcomment']"):
        return parse_comment_page(page, url, now)
    if page.css("div.c[id^=M_]") or page.css("div.u div.tip2, #pagelist"):
        return parse_profile_page(page, url, now)
    title = " ".join(page.css("title::text").get("").split())
    raise ParseError(f"weibo.cn page at {url} is neither a profile nor a comment page (title {title!r})")


# --- profile pages --------------------------------------------------------------------------


def parse_profile_page(page: Selector, url: str, now: datetime) -> list[Post]:
    """The statuses of one profile page, in page order."""
    owner = _profile_owner(page, url)
    blocks = page.css("div.c[id^=M_]")
    posts = [post for block in blocks if (post := _status(block, owner, now)) is not None]
    if posts:
        return posts
    if blocks:
        raise LayoutChanged(f"weibo.cn profile at {url}: {len(blocks)} statuses, none could be parsed")
    if _tip_count(page, "微博") == 0:
        return []  # the user has not posted anything
    raise LayoutChanged(f"weibo.cn profile at {url}: the page frame is there but no status was found")


def total_pages(body: bytes, url: str = "https://weibo.cn/") -> int | None:
    """A profile's page count: the pager's hidden ``mp`` input, else its "1/117页" text; None without a pager."""
    page = selector(body, url)
    value = page.css("#pagelist input[name=mp]::attr(value)").get()
    if value and value.isdigit():
        return int(value)
    match = _PAGE_COUNT.search(" ".join(page.css("#pagelist ::text").getall()))
    return int(match[1]) if match else None


def _profile_owner(page: Selector, url: str) -> dict[str, Any]:
    title = " ".join(page.css("title::text").get("").split())
    match = _TITLE_OWNER.fullmatch(title)
    uid = next((part for part in urlsplit(url).path.split("/") if part.isdigit()), None)
    if uid is None:
        info = page.css("a[href$='/info']::attr(href)").get() or ""
        uid = next((part for part in info.split("/") if part.isdigit()), None)
    return {
        "name": match[1] if match else "",
        "user_id": int(uid) if uid else None,
        "followers": _tip_count(page, "粉丝"),
    }


def _tip_count(page: Selector, label: str) -> int | None:
    """A header counter such as 微博[1159] or 粉丝[70805573]."""
    for text in page.css("div.tip2 ::text").getall():
        if match := re.fullmatch(rf"\s*{label}\[(\d+)\]\s*", text):
            return int(match[1])
    return None


def _status(block: Selector, owner: dict[str, Any], now: datetime) -> Post | None:
    bid = block.attrib.get("id", "")[2:]
    if not bid:
        return None
    mid = bid_to_mid(bid)
    divs = block.xpath("./div")
    if not divs:
        return None
    retweet = bool(divs[0].css("span.cmt"))
    when, client = _time_and_client(block)
    counts = _counts(block.css("a"))
    text = _text(divs[-1].root) if retweet else _text(block.root)
    raw: dict[str, Any] = {
        "bid": bid,
        "user_id": owner["user_id"],
        "client": client,
        "is_long_text": _has_more_link(divs[0]) and not retweet,
        "created_at": when or None,
        "pinned": True if any("置顶" in t for t in block.css("span.kt ::text").getall()) else None,
    }
    parent_id = None
    if retweet:
        raw["retweeted"] = _retweeted(divs, _text(divs[0].root))
        parent_id = raw["retweeted"].get("id")
    return Post(
        source=SOURCE,
        post_id=mid,
        url=DETAIL_URL.format(id=mid),
        text=re.sub(r"^转发理由[:：]\s*", "", text),
        author=owner["name"],
        author_followers=owner["followers"],
        published_at=time_or_none(when, now),
        reposts=counts.get("转发", 0),
        comments=counts.get("评论", 0),
        likes=counts.get("赞", 0),
        parent_id=parent_id,
        fetched_at=now,
        raw={key: value for key, value in raw.items() if value is not None},
    )


def _retweeted(divs: list[Selector], text: str) -> dict[str, Any]:
    """The original of a repost: its author (``span.cmt`` "转发了 X 的微博:"), text and id."""
    header = divs[0].css("span.cmt")[0]
    hrefs = [href for div in divs[:-1] for href in div.css("a.cc::attr(href)").getall()]
    original_bid = next((m[1] for href in hrefs if (m := _BID_IN_HREF.search(href))), None)
    author = " ".join(header.css("a::text").getall()).strip().lstrip("@")
    result = {
        "id": as_mid(original_bid) if original_bid else None,
        "bid": original_bid,
        "author": author or None,
        "text": text,
        "is_long_text": _has_more_link(divs[0]) or None,
    }
    return {key: value for key, value in result.items() if value is not None}


def _has_more_link(div: Selector) -> bool:
    return any(text.strip() == "全文" for text in div.css("a::text").getall())


# --- comment pages --------------------------------------------------------------------------


def parse_comment_page(page: Selector, url: str, now: datetime) -> list[Post]:
    """The status itself (full text: this page never truncates it), then its comments."""
    bid = page.css("input[name=id]::attr(value)").get() or next(
        (m[1] for m in [_BID_IN_HREF.search(urlsplit(url).path)] if m), None
    )
    if not bid:
        raise ParseError(f"weibo.cn comment page at {url}: no status id in the page or the URL")
    mid = bid_to_mid(bid)
    posts = [status] if (status := _commented_status(page, bid, mid, now)) is not None else []
    blocks = page.css("div.c[id^=C_]")
    comments = [c for block in blocks if (c := _comment(block, mid, now)) is not None]
    if blocks and not comments:
        raise LayoutChanged(f"weibo.cn comment page at {url}: {len(blocks)} comments, none could be parsed")
    if not posts and not comments:
        raise LayoutChanged(f"weibo.cn comment page at {url}: neither the status nor a comment was found")
    return posts + comments


def _commented_status(page: Selector, bid: str, mid: str, now: datetime) -> Post | None:
    block = page.css("div.c#M_, div.c[id^=M_]")
    if not block:
        return None
    divs = block[0].xpath("./div")
    if not divs:
        return None
    retweet = bool(divs[0].css("span.cmt"))
    author = divs[0].xpath("./a[1]")
    when, client = _time_and_client(block[0])
    counts = _counts(page.xpath("//body/div[not(@class)]//a | //body/div[not(@class)]//span"))
    if retweet:
        text = re.sub(r"^转发理由[:：]\s*", "", _text(divs[-1].root))
    else:
        text = _ctt_text(divs[0])
    uid = (author.attrib.get("href", "") if author else "").strip("/")
    raw: dict[str, Any] = {
        "bid": bid,
        "user_id": int(uid) if uid.isdigit() else None,
        "client": client,
        "created_at": when or None,
        "retweeted": _retweeted(divs, _ctt_text(divs[0])) if retweet else None,
    }
    return Post(
        source=SOURCE,
        post_id=mid,
        url=DETAIL_URL.format(id=mid),
        text=text,
        author=" ".join(author.css("::text").getall()).strip() if author else "",
        published_at=time_or_none(when, now),
        reposts=counts.get("转发", 0),
        comments=counts.get("评论", 0),
        likes=counts.get("赞", 0),
        parent_id=raw["retweeted"].get("id") if retweet else None,
        fetched_at=now,
        raw={key: value for key, value in raw.items() if value is not None},
    )


def _comment(block: Selector, status_id: str, now: datetime) -> Post | None:
    comment_id = block.attrib.get("id", "")[2:]
    author = block.xpath("./a[1]")
    if not comment_id.isdigit() or not author:
        return None
    when, rest = _time_and_client(block)
    region = rest[2:].strip() if rest and rest.startswith("来自") else None
    href = author.attrib.get("href", "")
    uid = href.rsplit("/", 1)[-1]
    like_bid = next((m[1] for h in block.css("span.cc a::attr(href)").getall() if (m := _ATTITUDE.search(h))), None)
    raw: dict[str, Any] = {
        "kind": "comment",
        "status_id": status_id,
        "user_id": int(uid) if uid.isdigit() else None,
        "user_url": href or None,
        "source": rest if region else None,
        "region": region,
        "client": None if region else rest,
        "hot": True if block.css("span.kt") else None,
        "bid": like_bid,
        "created_at": when or None,
    }
    return Post(
        source=SOURCE,
        post_id=comment_id,
        url=COMMENT_URL.format(id=status_id, comment=comment_id),
        text=_ctt_text(block),
        author=" ".join(author.css("::text").getall()).strip(),
        published_at=time_or_none(when, now),
        likes=_counts(block.css("span.cc a")).get("赞", 0),
        parent_id=status_id,
        fetched_at=now,
        raw={key: value for key, value in raw.items() if value is not None},
    )


_ATTITUDE = re.compile(r"/attitude/([0-9A-Za-z]+)/")


# --- shared pieces --------------------------------------------------------------------------


def _time_and_client(block: Selector) -> tuple[str, str | None]:
    """``span.ct``: "06月17日 18:12 来自绿洲APP" → ("06月17日 18:12", "绿洲APP").

    Comments since 2022 read "… 来自来自河南": the first 来自 is the label, the rest the
    region, returned as "来自河南" so callers can tell a region from a client ("网页").
    """
    text = " ".join(" ".join(block.css("span.ct ::text").getall()).split())
    match = _TIME.match(text)
    if not match:
        return text, None
    rest = match[2].strip()
    if rest.startswith("来自"):
        rest = rest[2:].strip()
    return match[1], rest or None


def _counts(elements: Any) -> dict[str, int]:
    """赞[n] / 转发[n] / 评论[n] in links or spans (not the 原文… counts of a repost's original)."""
    counts: dict[str, int] = {}
    for element in elements:
        text = " ".join(element.xpath("./text()").getall()).strip()
        if match := _COUNTER.fullmatch(text):
            counts.setdefault(match[1], int(match[2]))
    return counts


def _ctt_text(block: Selector) -> str:
    """The ``span.ctt`` text of a block (complete on comment pages; profile pages close it early)."""
    return "\n".join(_text(span.root) for span in block.xpath("./span[@class='ctt']"))


def _text(element: Element) -> str:
    """Status text: the toolbar, time, picture links, badges and repost headers left out."""
    text = node_text(element, skip=_is_chrome)
    text = re.sub(r"\s*\[\s*\]", "", text)  # the brackets that held "组图共N张"
    return text.strip()


def _is_chrome(element: Element) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "span":
        return has_class(element, "ct", "cmt", "kt", "cc")
    if tag == "img":
        return not (element.get("alt") or "").startswith("[")  # keep [emoticon] alts, drop 图片 / V / M badges
    if tag == "a":
        label = "".join(element.itertext()).strip()
        return bool(_TOOLBAR_TEXT.fullmatch(label) or _TOOLBAR_HREF.search(element.get("href") or ""))
    if tag == "input" or tag == "form":
        return True
    return False
