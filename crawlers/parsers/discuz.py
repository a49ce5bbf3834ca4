"""Discuz! X forum pages (STRUCTURE.md §4): thread pages → one Post per floor,
list (forumdisplay) pages → one Post per thread row, and the links between them.

Many Chinese Discuz sites serve GBK; the charset comes from the page's ``<meta>``
(or the caller's ``charset``, e.g. from the Content-Type header), falling back to UTF-8.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from parsel import Selector

from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.crawlers.parsers.markup import Element, has_class, node_text, selector
from yuqing.crawlers.timeparse import time_or_none
from yuqing.post import Post

SOURCE = "discuz"

_FLOORS = '//div[@id="postlist"]/div[starts-with(@id, "post_")]'
_NOISE_CLASSES = ("quote", "pstatus", "attach_nopermission", "locked", "tip")
_NOISE_TAGS = frozenset({"blockquote", "ignore_js_op", "script", "style"})
_REWRITE = re.compile(r"thread-(\d+)-(\d+)-\d+\.html")
_TID = re.compile(r"[?&](?:p?tid)=(\d+)")
_UID = re.compile(r"uid[=-](\d+)")
_LIST_ROWS = 'tbody[id^="normalthread_"], tbody[id^="stickthread_"]'
_LIST_FRAME = "#threadlisttableid, #threadlist, form#moderate"
_NO_THREADS = ".emp"  # "本版块或指定的范围内尚无主题"
_ROW_TID = re.compile(r"^(?:normal|stick)thread_(\d+)$")


def parse_page(body: bytes, url: str, now: datetime, charset: str | None = None) -> list[Post]:
    """A thread (floors) or a forumdisplay page (thread rows), told apart by the content."""
    page = selector(body, url, charset)
    if page.css("#postlist"):
        return _thread(page, url, now, None)
    if page.css(_LIST_FRAME) or page.css(_LIST_ROWS):
        return _list(page, url, now)
    raise ParseError(f"not a Discuz thread or list page at {url}: no #postlist, no #threadlisttableid")


def parse_list(body: bytes, url: str, now: datetime, charset: str | None = None) -> list[Post]:
    """The thread rows of a forumdisplay page, sticky threads included, in page order.

    post_id is the thread id; replies → ``comments``, views and the last poster → ``raw``.
    A list frame without rows and without Discuz's "no threads" notice raises ``LayoutChanged``.
    """
    return _list(selector(body, url, charset), url, now)


def _list(page: Selector, url: str, now: datetime) -> list[Post]:
    base = _base(page, url)
    posts: list[Post] = []
    seen: set[str] = set()
    for row in page.css(_LIST_ROWS):
        post = _row(row, base, now)
        if post is not None and post.post_id not in seen:
            seen.add(post.post_id)
            posts.append(post)
    if not posts:
        if not page.css(_LIST_FRAME):
            raise ParseError(f"not a Discuz list page at {url}: no #threadlisttableid")
        if not page.css(_NO_THREADS):
            raise LayoutChanged(f"Discuz list page at {url} has a thread table but no thread row")
    return posts


def parse_thread(
    body: bytes, url: str, now: datetime, charset: str | None = None, op_id: str | None = None
) -> list[Post]:
    """Every floor of one viewthread page; the first floor of page 1 carries the subject.

    Replies point at the first floor through ``parent_id``. Later pages do not show the
    first floor, so a caller that read page 1 passes its post_id as ``op_id``.
    """
    return _thread(selector(body, url, charset), url, now, op_id)


def _thread(page: Selector, url: str, now: datetime, op_id: str | None) -> list[Post]:
    if not page.css("#postlist"):
        raise ParseError(f"not a Discuz thread page at {url}: no #postlist")
    floors = [floor for floor in page.xpath(_FLOORS) if floor.attrib["id"][5:].isdigit()]
    if not floors:
        raise LayoutChanged(f"Discuz thread page at {url} has #postlist but no floor")
    tid = _thread_id(page, url)
    base = _base(page, url)
    subject = node_text(page.css("#thread_subject")[0].root) if page.css("#thread_subject") else ""
    first_page = _page_number(page, url) == 1
    views, replies = _thread_counts(page)
    posts: list[Post] = []
    for floor in floors:
        pid = floor.attrib["id"][5:]
        body_el = floor.css(f"#postmessage_{pid}")
        if not body_el:
            continue  # a placeholder without a message cell
        is_op = first_page and not posts
        post_id = f"{tid}-{pid}"
        posts.append(
            Post(
                source=SOURCE,
                post_id=post_id,
                url=_floor_url(floor, pid, tid, base),
                title=subject if is_op else "",
                text=node_text(body_el[0].root, skip=_is_noise),
                author=_author(floor),
                published_at=_published(floor, pid, now),
                comments=replies if is_op else 0,
                parent_id=None if is_op else op_id,
                fetched_at=now,
                raw=_raw(floor, pid, tid) | ({"views": views} if is_op and views is not None else {}),
            )
        )
        if is_op:
            op_id = post_id
    return posts


def thread_links(body: bytes, url: str, charset: str | None = None) -> list[str]:
    """Absolute thread URLs of a forumdisplay page, sticky threads included, in page order."""
    page = selector(body, url, charset)
    base = _base(page, url)
    links: list[str] = []
    for row in page.css(_LIST_ROWS):
        href = row.css("th a.s.xst::attr(href)").get()
        if href and (link := urljoin(base, href.strip())) not in links:
            links.append(link)
    return links


def next_page(body: bytes, url: str, charset: str | None = None) -> str | None:
    """The "下一页" link (``div.pg a.nxt``) of a list or thread page, absolute; None on the last page."""
    page = selector(body, url, charset)
    href = page.css("div.pg a.nxt::attr(href)").get()
    return urljoin(_base(page, url), href.strip()) if href else None


def _row(row: Selector, base: str, now: datetime) -> Post | None:
    link = row.css("th a.s.xst")
    href = link.attrib.get("href", "").strip() if link else ""
    if not href:
        return None
    url = urljoin(base, href)
    match = _TID.search(url) or _REWRITE.search(url) or _ROW_TID.match(row.attrib.get("id", ""))
    if match is None:
        return None
    by = row.css("td.by")
    author = (by[0].css("cite a") or by[0].css("cite")) if by else []  # "匿名" has no profile link
    last = by[-1] if len(by) > 1 else None
    replies = _count(row.css("td.num a.xi2"))
    views = _count(row.css("td.num em"))
    raw: dict[str, Any] = {
        "tid": match[1],
        "sticky": row.attrib.get("id", "").startswith("stickthread_") or None,
        "views": views,
        "uid": _uid(author[0].attrib.get("href", "")) if author else None,
        "last_poster": node_text(last.css("cite a")[0].root) if last is not None and last.css("cite a") else None,
        "last_post_text": node_text(last.css("em")[0].root) if last is not None and last.css("em") else None,
    }
    return Post(
        source=SOURCE,
        post_id=match[1],
        url=url,
        title=node_text(link[0].root),
        author=node_text(author[0].root) if author else "",
        published_at=_row_time(by[0], now) if by else None,
        comments=replies or 0,
        fetched_at=now,
        raw={key: value for key, value in raw.items() if value is not None},
    )


def _row_time(cell: Selector, now: datetime) -> datetime | None:
    """The row's date: the visible text and the ``span@title`` (the fuller one wins)."""
    stamps = cell.css("em span")
    texts = [stamps[-1].attrib.get("title", ""), node_text(stamps[-1].root)] if stamps else []
    if not stamps and cell.css("em"):
        texts = [node_text(cell.css("em")[0].root)]
    parsed = [value for value in (time_or_none(text, now) for text in texts) if value is not None]
    if len(parsed) == 2 and parsed[0].date() == parsed[1].date():
        return max(parsed)  # "2026-11-27" vs "昨天 10:00", or "2026-11-28 08:02" vs "2026-11-28"
    return parsed[0] if parsed else None


def _count(nodes: Any) -> int | None:
    text = node_text(nodes[0].root).replace(",", "") if nodes else ""
    return int(text) if text.isdigit() else None


def _uid(href: str) -> str | None:
    match = _UID.search(href)
    return match[1] if match else None


def _base(page: Selector, url: str) -> str:
    """Discuz templates emit ``<base href>``; relative links resolve against it."""
    base = page.css("base::attr(href)").get()
    return urljoin(url, base.strip()) if base else url


def _thread_id(page: Selector, url: str) -> str:
    query = parse_qs(urlsplit(url).query)
    if query.get("tid", [""])[0].isdigit():
        return query["tid"][0]
    if match := _REWRITE.search(url):
        return match[1]
    candidates = [page.css("link[rel=canonical]::attr(href)").get() or ""]
    candidates += page.css('#postlist a[id^="postnum"]::attr(href)').getall()
    for candidate in candidates:
        if (match := _TID.search(candidate)) or (match := _REWRITE.search(candidate)):
            return match[1]
    raise ParseError(f"no thread id in {url} or its page")


def _page_number(page: Selector, url: str) -> int:
    query = parse_qs(urlsplit(url).query)
    if query.get("page", [""])[0].isdigit():
        return int(query["page"][0])
    if match := _REWRITE.search(url):
        return int(match[2])
    current = page.css("div.pg strong::text").get("").strip()
    return int(current) if current.isdigit() else 1


def _floor_url(floor: Selector, pid: str, tid: str, base: str) -> str:
    href = floor.css(f"#postnum{pid}::attr(href)").get()
    if href and not href.startswith("javascript"):
        return urljoin(base, href.strip())
    return urljoin(base, f"forum.php?mod=redirect&goto=findpost&ptid={tid}&pid={pid}")


def _author(floor: Selector) -> str:
    name = floor.css("td.pls a.xw1")
    if name:
        return node_text(name[0].root)
    anonymous = floor.css("td.pls div.authi")  # "匿名" floors have no profile link
    return node_text(anonymous[0].root) if anonymous else ""


def _published(floor: Selector, pid: str, now: datetime) -> datetime | None:
    stamp = floor.css(f"#authorposton{pid}")
    if not stamp:
        return None
    return time_or_none(stamp.css("span::attr(title)").get() or node_text(stamp[0].root), now)


def _thread_counts(page: Selector) -> tuple[int | None, int]:
    """(views, replies) from the thread header; replies default to 0."""
    numbers = [n.strip() for n in page.css("#postlist td.pls div.hm span.xi1::text").getall()]
    views = int(numbers[0]) if numbers and numbers[0].isdigit() else None
    replies = int(numbers[1]) if len(numbers) > 1 and numbers[1].isdigit() else 0
    return views, replies


def _raw(floor: Selector, pid: str, tid: str) -> dict[str, Any]:
    profile = floor.css("td.pls a.xw1::attr(href)").get() or ""
    uid = _UID.search(profile)
    raw: dict[str, Any] = {
        "tid": tid,
        "pid": pid,
        "floor": node_text(floor.css(f"#postnum{pid}")[0].root) if floor.css(f"#postnum{pid}") else None,
        "uid": uid[1] if uid else None,
    }
    return {key: value for key, value in raw.items() if value}


def _is_noise(element: Element) -> bool:
    """Quoted text, edit notices, attachment boxes and locked-content placeholders."""
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    return tag in _NOISE_TAGS or has_class(element, *_NOISE_CLASSES)
