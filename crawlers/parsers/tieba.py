"""Baidu Tieba (贴吧) pages → Posts (STRUCTURE.md §3).

Server-rendered HTML (2022–2024): the forum list ``/f?kw=`` (its threads hide inside HTML
comments of ``code.pagelet_html``), thread pages ``/p/<tid>`` (one Post per floor, plus the
楼中楼 sub-comments a rendered page shows inline), the 楼中楼 fragment ``/p/comment`` and the
keyword search ``/f/search/res``. Also the 2026 PC JSON APIs (``/mo/q/search/multsearch``,
``/c/f/pb/page_pc``). ``parse_page`` tells them apart by content.

Ids: a floor or sub-comment is keyed by its post id (pid/spid); a forum-list row by its thread
id; a search hit by the pid it points at, so the hit and the crawled floor share one key.
Authors are account names (``user_name``), stable across page kinds; the shown nickname goes to
``raw["nickname"]``.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from parsel import Selector

from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.crawlers.parsers.markup import Element, clean_text, fragment_root, has_class, node_text, selector
from yuqing.crawlers.timeparse import time_or_none
from yuqing.post import Post

SOURCE = "tieba"

_BLOCKED_TITLE = "百度安全验证"
_CAPTCHA = b"static/captcha/tuxing"
_FLOORS = "div.l_post"
_THREAD_FRAME = "#j_p_postlist, div.p_postlist"
_LZL = "li.lzl_single_post"
_SEARCH_FRAME = "div.s_post_list"
_ROWS = "li.j_thread_list"
_PAGELETS = '//code[contains(@class, "pagelet_html")]/comment()'
_NO_RESULTS_TEXT = '//body//text()[not(ancestor::script or ancestor::style)][contains(., "没有找到")]'
_TID_PATH = re.compile(r"/p/(\d+)")
_PID_QUERY = re.compile(r"[?&]pid=(\d+)")
_FLOOR_NO = re.compile(r"^(\d+)楼$")
_STAMP = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_FORUM_IN_TITLE = re.compile(r"【(.+?)吧】|_(.+?)吧_百度贴吧")
_PAGEDATA_TITLE = re.compile(r"PageData\.thread\s*=\s*\{[^}]*?title:\s*\"((?:[^\"\\]|\\.)*)\"")
_NOISE_CLASSES = ("replace_tip", "post_bubble_top", "post_bubble_bottom", "save_face_bg")


def parse_page(body: bytes, url: str, now: datetime, charset: str | None = None) -> list[Post]:
    """Any Tieba page or PC JSON API body; the kind comes from the content, then from the URL."""
    if body.lstrip()[:1] == b"{":
        return parse_api(body, url, now)
    page = selector(body, url, charset)
    _check_blocked(page, body, url)
    if page.css(_FLOORS) or page.css(_THREAD_FRAME):
        return _thread(page, url, now, None)
    if page.css(_LZL):
        return _sub_comments(page, url, now)
    if page.css("div.s_post") or page.css(_SEARCH_FRAME):
        return _search(page, url, now)
    rows = _forum_rows(page)
    if rows is not None:
        return _forum(page, rows, url, now)
    return _unknown(page, url)


def parse_forum(body: bytes, url: str, now: datetime, charset: str | None = None) -> list[Post]:
    """One Post per thread of a forum list page ``/f?kw=`` (post_id = tid, reply count → comments)."""
    page = selector(body, url, charset)
    _check_blocked(page, body, url)
    rows = _forum_rows(page)
    if rows is None:
        raise ParseError(f"not a Tieba forum list at {url}: no thread list")
    return _forum(page, rows, url, now)


def parse_thread(
    body: bytes, url: str, now: datetime, charset: str | None = None, op_id: str | None = None
) -> list[Post]:
    """One Post per floor of a thread page, each followed by the sub-comments shown inline.

    The first floor carries the thread title and reply count; other floors point at it
    through ``parent_id`` (later pages lack floor 1: pass its pid as ``op_id``);
    sub-comments point at their floor.
    """
    page = selector(body, url, charset)
    _check_blocked(page, body, url)
    if not (page.css(_FLOORS) or page.css(_THREAD_FRAME)):
        raise ParseError(f"not a Tieba thread page at {url}: no div.l_post")
    return _thread(page, url, now, op_id)


def parse_sub_comments(body: bytes, url: str, now: datetime, charset: str | None = None) -> list[Post]:
    """The 楼中楼 fragment ``/p/comment?tid=&pid=&pn=``: parent_id is the ``pid`` of the URL."""
    page = selector(body, url, charset)
    _check_blocked(page, body, url)
    return _sub_comments(page, url, now)


def parse_search(body: bytes, url: str, now: datetime, charset: str | None = None) -> list[Post]:
    """The hits of a keyword search page ``/f/search/res`` (post_id = the pid each hit links to)."""
    page = selector(body, url, charset)
    _check_blocked(page, body, url)
    return _search(page, url, now)


def parse_api(body: bytes, url: str, now: datetime) -> list[Post]:
    """The 2026 PC JSON APIs: ``multsearch`` (``data.card_list``) and ``page_pc`` (``post_list``)."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"Tieba API body at {url} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ParseError(f"Tieba API body at {url} is not a JSON object")
    code = data.get("error_code", data.get("no", 0))
    if code not in (0, "0", None):
        message = data.get("error_msg") or data.get("error") or data.get("errmsg") or ""
        raise ParseError(f"Tieba API error {code} at {url}: {message}")
    inner = data.get("data") if isinstance(data.get("data"), dict) else data
    if isinstance(inner.get("card_list"), list):
        return _multsearch(inner["card_list"], url, now)
    if "post_list" in inner or "first_floor" in inner:
        return _page_pc(inner, url, now)
    raise ParseError(f"unknown Tieba API body at {url}: keys {sorted(inner)[:8]}")


def next_page(body: bytes, url: str, charset: str | None = None) -> str | None:
    """The "下一页" link of a forum list, thread or search page, absolute; None on the last page."""
    page = selector(body, url, charset)
    fragment = _pagelets(page)
    for scope in (page, fragment) if fragment is not None else (page,):
        href = scope.css("a.next.pagination-item::attr(href)").get()
        if href is None:
            href = scope.xpath('//li[contains(@class, "l_pager")]//a[normalize-space(.)="下一页"]/@href').get()
        if href is None:
            href = scope.css("div.pager a.next::attr(href)").get()
        if href and not href.startswith("#") and not href.startswith("javascript"):
            return urljoin(url, href.strip())
    return None


def sub_comment_pages(body: bytes, charset: str | None = None) -> int:
    """How many pages a 楼中楼 fragment has (its ``li.lzl_li_pager``); 1 when it says nothing."""
    pager = selector(body, "", charset).css("li.lzl_li_pager::attr(data-field)").get()
    pages = _field(pager).get("total_page")
    return int(pages) if isinstance(pages, int | str) and str(pages).isdigit() and int(pages) > 0 else 1


# --- page kinds --------------------------------------------------------------------------


def _check_blocked(page: Selector, body: bytes, url: str) -> None:
    title = page.css("title::text").get() or ""
    if _BLOCKED_TITLE in title:
        raise ParseError(f"blocked: Baidu answered its security check ({_BLOCKED_TITLE}) at {url}")
    if _CAPTCHA in body and not page.css(f"{_FLOORS}, {_LZL}, div.s_post"):
        raise ParseError(f"blocked: Baidu answered a captcha page at {url}")


def _unknown(page: Selector, url: str) -> list[Post]:
    title = page.css("title::text").get() or ""
    path = urlsplit(url).path
    if path.startswith("/p/comment") and not page.css("li"):
        return []  # an empty 楼中楼 fragment
    if "404" in title or page.css("#errorText, .page404"):
        return []  # a deleted thread or forum: nothing to read, nothing changed
    if page.xpath(_NO_RESULTS_TEXT):
        return []
    if "贴吧" in title or path.startswith(("/p/", "/f")):
        raise LayoutChanged(f"Tieba page at {url} shows no floor, thread, hit or sub-comment")
    raise ParseError(f"not a Tieba page at {url}")


def _thread(page: Selector, url: str, now: datetime, op_id: str | None) -> list[Post]:
    floors = [(floor, _field(floor.attrib.get("data-field"))) for floor in page.css(_FLOORS)]
    floors = [(floor, field) for floor, field in floors if _floor_pid(floor, field)]  # ads have no pid
    if not floors:
        raise LayoutChanged(f"Tieba thread page at {url} has no floor with a post id")
    tid = _thread_id(floors[0][1], url)
    title = _thread_title(page)
    counts = [n.strip() for n in page.css("li.l_reply_num span.red::text").getall()]
    replies = int(counts[0]) if counts and counts[0].isdigit() else None
    forum = _thread_forum(page)
    posts: list[Post] = []
    for floor, field in floors:
        post = _floor(floor, field, tid, url, now, title, replies, forum, op_id)
        if post.title:
            op_id = post.post_id
        posts.append(post)
        for item in floor.css(_LZL):
            sub = _lzl(item, post.post_id, tid, url, now)
            if sub is not None:
                posts.append(sub)
    return posts


def _floor(
    floor: Selector,
    field: dict[str, Any],
    tid: str,
    url: str,
    now: datetime,
    title: str,
    replies: int | None,
    forum: str | None,
    op_id: str | None,
) -> Post:
    content = _dict(field.get("content"))
    author = _dict(field.get("author"))
    pid = _floor_pid(floor, field)
    body = floor.css(f"#post_content_{pid}, div.d_post_content")
    if body:
        text = node_text(body[0].root, skip=_is_noise)
    else:  # older pages carry the floor's HTML in data-field only
        text = node_text(fragment_root(str(content.get("content") or "")), skip=_is_noise)
    tail = _tail(floor)
    number = _int(content.get("post_no")) or tail.get("floor")
    is_op = number == 1
    shown = floor.css("a.p_author_name")
    nickname = node_text(shown[0].root) if shown else ""
    stamp = tail.get("time") or str(content.get("date") or "")
    comment_num = _int(content.get("comment_num")) or 0
    raw: dict[str, Any] = {
        "tid": tid,
        "floor": number,
        "forum": forum,
        "comment_num": comment_num,
        "user_id": _text(author.get("user_id")),
        "nickname": nickname or _text(author.get("user_nickname")),
        "portrait": _text(author.get("portrait")),
        "ip_location": tail.get("ip_location"),
        "client": tail.get("client"),
        "anonymous": True if content.get("is_anonym") else None,
    }
    return Post(
        source=SOURCE,
        post_id=pid,
        url=urljoin(url, f"/p/{tid}?pid={pid}#{pid}"),
        title=title if is_op else "",
        text=text,
        author=_text(author.get("user_name")) or nickname or _text(author.get("user_nickname")),
        published_at=time_or_none(stamp, now),
        comments=(replies if replies is not None else comment_num) if is_op else comment_num,
        parent_id=None if is_op else op_id,
        fetched_at=now,
        raw=_compact(raw),
    )


def _sub_comments(page: Selector, url: str, now: datetime) -> list[Post]:
    query = parse_qs(urlsplit(url).query)
    tid = query.get("tid", [""])[0]
    pid = query.get("pid", [""])[0]
    posts: list[Post] = []
    for item in page.css(_LZL):
        parent = pid or _text(_field(item.attrib.get("data-field")).get("pid"))
        post = _lzl(item, parent or None, tid, url, now)
        if post is not None:
            posts.append(post)
    if not posts and page.css(_LZL):
        raise LayoutChanged(f"Tieba sub-comments at {url}: no li.lzl_single_post has a spid")
    return posts


def _lzl(item: Selector, parent: str | None, tid: str, url: str, now: datetime) -> Post | None:
    field = _field(item.attrib.get("data-field"))
    spid = _text(field.get("spid")) or (item.css("a[name]::attr(name)").get() or "").strip()
    if not spid.isdigit():
        return None
    content = item.css("span.lzl_content_main")
    # Tieba's own deep link to a sub-comment: its floor's pid, then the sub-comment's id
    link = f"/p/{tid}?pid={parent or spid}&cid={spid}#{spid}" if tid else f"#{spid}"
    raw = {
        "tid": tid or None,
        "nickname": _text(field.get("showname")) or _text(field.get("user_nickname")),
        "portrait": _text(field.get("portrait")),
    }
    return Post(
        source=SOURCE,
        post_id=spid,
        url=urljoin(url, link),
        text=node_text(content[0].root) if content else "",
        author=_text(field.get("user_name")) or _text(field.get("showname")),
        published_at=time_or_none(item.css("span.lzl_time::text").get() or "", now),
        parent_id=parent,
        fetched_at=now,
        raw=_compact(raw),
    )


def _search(page: Selector, url: str, now: datetime) -> list[Post]:
    posts: list[Post] = []
    seen: set[str] = set()
    for hit in page.css("div.s_post"):
        post = _hit(hit, url, now)
        if post is not None and post.post_id not in seen:
            seen.add(post.post_id)
            posts.append(post)
    if not posts and not page.xpath(_NO_RESULTS_TEXT) and not page.css(".s_noresult, .search_noresult"):
        raise LayoutChanged(f"Tieba search page at {url} has no hit and no 'no results' notice")
    return posts


def _hit(hit: Selector, url: str, now: datetime) -> Post | None:
    link = hit.css("span.p_title a, a.bluelink")
    if not link:
        return None
    href = (link[0].attrib.get("href") or "").strip()
    tid = (link[0].attrib.get("data-tid") or "").strip()
    if not tid and (match := _TID_PATH.search(href)):
        tid = match[1]
    pid = match[1] if (match := _PID_QUERY.search(href)) else ""
    if not (pid or tid):
        return None
    forum = hit.css("a.p_forum")
    author = hit.css('a[href*="/home/main"]')
    stamp = hit.css(".p_date")
    content = hit.css("div.p_content")
    raw = {
        "tid": tid or None,
        "pid": pid or None,
        "forum": node_text(forum[0].root) if forum else None,
        "fid": (link[0].attrib.get("data-fid") or "").strip() or None,
    }
    return Post(
        source=SOURCE,
        post_id=pid or tid,
        url=urljoin(url, href or f"/p/{tid}"),
        title=node_text(link[0].root),
        text=node_text(content[0].root) if content else "",
        author=node_text(author[0].root) if author else "",
        published_at=time_or_none(node_text(stamp[0].root), now) if stamp else None,
        fetched_at=now,
        raw=_compact(raw),
    )


def _forum_rows(page: Selector) -> list[Selector] | None:
    """The thread rows, rendered or inside the pagelet comments; None when there is no thread list."""
    rendered = page.xpath('//li[contains(concat(" ", normalize-space(@class), " "), " j_thread_list ")]')
    if rendered:
        return list(rendered)
    fragment = _pagelets(page)
    if fragment is not None and (fragment.css(_ROWS) or fragment.css("#thread_list")):
        return list(fragment.css(_ROWS))
    if page.xpath('//*[@id="thread_list"]'):
        return []
    return None


def _pagelets(page: Selector) -> Selector | None:
    """The HTML that Bigpipe pages hide in ``<code class="pagelet_html"><!-- … --></code>``."""
    chunks = [comment.root.text or "" for comment in page.xpath(_PAGELETS)]
    if not any(chunks):
        return None
    return Selector(text=f"<html><body>{''.join(chunks)}</body></html>")


def _forum(page: Selector, rows: list[Selector], url: str, now: datetime) -> list[Post]:
    forum = _forum_name(page, url)
    posts: list[Post] = []
    seen: set[str] = set()
    for row in rows:
        post = _row(row, forum, url, now)
        if post is not None and post.post_id not in seen:
            seen.add(post.post_id)
            posts.append(post)
    if not posts and not page.xpath(_NO_RESULTS_TEXT):
        raise LayoutChanged(f"Tieba forum list at {url} has a thread list but no thread")
    return posts


def _row(row: Selector, forum: str | None, url: str, now: datetime) -> Post | None:
    field = _field(row.attrib.get("data-field"))
    tid = _text(field.get("id")) or (row.attrib.get("data-tid") or "").strip()
    if not tid.isdigit():
        return None
    link = row.css("a.j_th_tit")
    title = (link.attrib.get("title") or node_text(link[0].root)) if link else ""
    abstract = row.css("div.threadlist_abs")
    shown = row.css("a.frs-author-name")
    replies = _int(field.get("reply_num"))
    if replies is None:
        replies = _int((row.css("span.threadlist_rep_num::text").get() or "").strip())
    raw = {
        "tid": tid,
        "forum": forum,
        "first_post_id": _text(field.get("first_post_id")),
        "nickname": _text(field.get("author_nickname")) or (node_text(shown[0].root) if shown else None),
        "portrait": _text(field.get("author_portrait")),
        "sticky": True if field.get("is_top") or has_class(row.root, "thread_top") else None,
        "good": True if field.get("is_good") else None,
        "last_reply_text": (row.css("span.threadlist_reply_date::text").get() or "").strip() or None,
    }
    href = (link.attrib.get("href") or "").strip() if link else ""
    return Post(
        source=SOURCE,
        post_id=tid,
        url=urljoin(url, href or f"/p/{tid}"),
        title=title.strip(),
        text=node_text(abstract[0].root) if abstract else "",
        author=_text(field.get("author_name"))
        or _text(field.get("author_nickname"))
        or (node_text(shown[0].root) if shown else ""),
        published_at=time_or_none((row.css("span.is_show_create_time::text").get() or "").strip(), now),
        comments=replies or 0,
        fetched_at=now,
        raw=_compact(raw),
    )


# --- 2026 JSON APIs ----------------------------------------------------------------------


def _multsearch(cards: list[Any], url: str, now: datetime) -> list[Post]:
    posts: list[Post] = []
    for card in cards:
        if not isinstance(card, dict):
            continue
        kind = card.get("cardInfo", card.get("card_info"))
        data = _dict(card.get("data")) or card
        tid = _text(data.get("tid"))
        if kind not in (None, "thread") or not tid.isdigit():
            continue  # users, forums and other cards
        user = _dict(data.get("user"))
        posts.append(
            Post(
                source=SOURCE,
                post_id=tid,
                url=urljoin(url, f"/p/{tid}"),
                title=_text(data.get("title")),
                text=_api_text(data.get("content")),
                author=_text(user.get("user_name")) or _text(user.get("show_nickname")),
                published_at=time_or_none(_text(data.get("time")), now),
                comments=_int(data.get("post_num")) or 0,
                fetched_at=now,
                raw=_compact(
                    {
                        "tid": tid,
                        "forum": _text(data.get("forum_name")),
                        "nickname": _text(user.get("show_nickname")),
                        "portrait": _text(user.get("portrait")),
                    }
                ),
            )
        )
    return posts


def _page_pc(data: dict[str, Any], url: str, now: datetime) -> list[Post]:
    thread = _dict(data.get("thread"))
    tid = _text(thread.get("id")) or _text(thread.get("tid"))
    if not tid and (match := _TID_PATH.search(url)):
        tid = match[1]
    forum = _text(_dict(data.get("forum")).get("name"))
    users = {_text(user.get("id")): user for user in data.get("user_list") or [] if isinstance(user, dict)}
    entries = [_dict(data.get("first_floor"))] if data.get("first_floor") else []
    entries += [entry for entry in data.get("post_list") or [] if isinstance(entry, dict)]
    posts: list[Post] = []
    op_id: str | None = None
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        pid = _text(entry.get("id"))
        if not pid or pid in seen:
            continue
        seen.add(pid)
        floor = _int(entry.get("floor"))
        is_op = floor == 1 or (index == 0 and data.get("first_floor") is not None)
        user = _dict(users.get(_text(entry.get("author_id"))))
        sub_count = _int(entry.get("sub_post_number")) or 0
        posts.append(
            Post(
                source=SOURCE,
                post_id=pid,
                url=urljoin(url, f"/p/{tid}?pid={pid}#{pid}"),
                title=(_text(thread.get("title")) or _text(entry.get("title"))) if is_op else "",
                text=_api_text(entry.get("content")),
                author=_text(user.get("name")) or _text(user.get("name_show")),
                published_at=time_or_none(_text(entry.get("time")), now),
                comments=(_int(thread.get("reply_num")) or sub_count) if is_op else sub_count,
                parent_id=None if is_op else op_id,
                fetched_at=now,
                raw=_compact(
                    {
                        "tid": tid,
                        "floor": floor,
                        "forum": forum,
                        "comment_num": sub_count,
                        "user_id": _text(entry.get("author_id")),
                        "nickname": _text(user.get("name_show")),
                        "portrait": _text(user.get("portrait")),
                        "ip_location": _text(user.get("ip_address")),
                    }
                ),
            )
        )
        if is_op:
            op_id = pid
    return posts


def _api_text(content: Any) -> str:
    """``content`` of the PC APIs: HTML, or a list of ``{type, text}`` pieces (images have no text)."""
    if isinstance(content, str):
        return node_text(fragment_root(content))
    if isinstance(content, list):
        return clean_text("".join(_pieces(content)))
    return ""


def _pieces(content: list[Any]) -> Iterator[str]:
    for piece in content:
        if isinstance(piece, dict) and isinstance(piece.get("text"), str):
            yield piece["text"]


# --- small helpers -----------------------------------------------------------------------


def _field(value: str | None) -> dict[str, Any]:
    """A ``data-field`` attribute: JSON, or the Python-literal dict some rendered pages carry."""
    if not value:
        return {}
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        try:
            data = ast.literal_eval(value) if len(value) < 20_000 else None
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return {}
    return data if isinstance(data, dict) else {}


def _floor_pid(floor: Selector, field: dict[str, Any]) -> str:
    pid = _text(_dict(field.get("content")).get("post_id")) or (floor.attrib.get("data-pid") or "").strip()
    return pid if pid.isdigit() else ""


def _thread_id(field: dict[str, Any], url: str) -> str:
    tid = _text(_dict(field.get("content")).get("thread_id"))
    if tid.isdigit():
        return tid
    if match := _TID_PATH.search(url):
        return match[1]
    raise ParseError(f"no thread id in {url} or its floors")


def _thread_title(page: Selector) -> str:
    title = page.css(".core_title_txt::attr(title)").get() or ""
    if not title.strip() and page.css(".core_title_txt"):
        title = node_text(page.css(".core_title_txt")[0].root)
    if not title.strip():
        script = "".join(page.xpath("//script/text()").getall())
        if match := _PAGEDATA_TITLE.search(script):
            try:
                title = json.loads(f'"{match[1]}"')  # a JS string literal: \uXXXX escapes
            except json.JSONDecodeError:
                title = match[1]
    if not title.strip():
        title = re.sub(r"(【.+?吧】)?_百度贴吧$|_.+?吧_百度贴吧$", "", page.css("title::text").get() or "")
    return title.strip()


def _thread_forum(page: Selector) -> str | None:
    name = page.css("#tofrs_up a::attr(title)").get()
    if name:
        return name.strip()
    if match := _FORUM_IN_TITLE.search(page.css("title::text").get() or ""):
        return match[1] or match[2]
    return None


def _forum_name(page: Selector, url: str) -> str | None:
    kw = parse_qs(urlsplit(url).query).get("kw", [""])[0]
    if kw:
        return unquote(kw).strip()
    fragment = _pagelets(page)
    for scope in (page, fragment) if fragment is not None else (page,):
        name = scope.css("a.card_title_fname::text").get()
        if name and name.strip():
            return name.strip().removesuffix("吧")
    return None


def _tail(floor: Selector) -> dict[str, Any]:
    """Floor number, time, client and IP属地 from the floor's tail line."""
    info: dict[str, Any] = {}
    wrap = floor.css(".post-tail-wrap, .core_reply_tail")
    spans = wrap[0].css("span") if wrap else []
    for span in spans:
        text = node_text(span.root)
        if text.startswith("IP属地"):
            info["ip_location"] = text.split(":", 1)[-1].split("：", 1)[-1].strip() or None
        elif text.startswith("来自"):
            info["client"] = text[2:].strip() or None
        elif match := _FLOOR_NO.match(text):
            info["floor"] = int(match[1])
        elif _STAMP.fullmatch(text):
            info["time"] = text
    return info


def _is_noise(element: Element) -> bool:
    return has_class(element, *_NOISE_CLASSES)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()


def _int(value: Any) -> int | None:
    text = _text(value)
    return int(text) if text.isdigit() else None


def _compact(raw: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if value is not None and value != ""}
