"""The selector-configured forum parser: a forum written here, and the real Discuz thread
read through a Discuz configuration (the same floors as the Discuz parser)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from yuqing.crawlers.parsers.discuz import parse_thread
from yuqing.crawlers.parsers.errors import LayoutChanged
from yuqing.crawlers.parsers.forum import (
    DISCUZ_SELECTORS,
    ForumSelectors,
    forum_links,
    forum_next_page,
    forum_rows,
    parse_forum_thread,
)
from yuqing.post import SHANGHAI

THREAD_URL = "https://bbs.jiadian.example/t/77"
LIST_URL = "https://bbs.jiadian.example/board/3"

THREAD = """<html><head><meta charset="gbk"><title>星河空调异响求助 - 家电维修论坛</title></head><body>
<h1 class="topic-title">星河空调异响求助</h1>
<div class="posts">
 <article class="post" id="p9001">
   <header><a class="user" href="/u/1">维权的张三</a> <time datetime="2026-11-25T08:30:00+08:00">3 天前</time></header>
   <div class="content">洗澡时热水器漏电！<blockquote>楼上说的不对</blockquote><br>要求厂家赔偿。</div>
 </article>
 <article class="post sponsored">广告：空调清洗 9.9 元</article>
 <article class="post" id="p9002">
   <header><a class="user" href="/u/2">路人甲</a> <time>半小时前</time></header>
   <div class="content">太危险了，赶紧投诉。</div>
 </article>
 <article class="post" id="preview"><div class="content">预览</div></article>
</div>
<nav class="pager"><a href="/t/77?page=1">1</a><a class="next" href="/t/77?page=2">下一页</a></nav>
</body></html>"""

CSS = ForumSelectors(
    post="article.post",
    post_id="::attr(id)",
    post_id_pattern=r"^p(\d+)$",
    author="a.user",
    time="time",
    text="div.content",
    text_exclude="blockquote",
    title="h1.topic-title",
    next_page="nav.pager a.next",
)
XPATH = ForumSelectors(
    post='//article[contains(@class, "post")]',
    post_id="@id",
    post_id_pattern=r"^p(\d+)$",
    author='//a[@class="user"]',  # made relative to each post
    time="(.//time/@datetime | .//time)",
    text='//div[@class="content"]',
    text_exclude=".//blockquote",
    title="//h1",
)


@pytest.mark.parametrize("selectors", [CSS, XPATH], ids=["css", "xpath"])
def test_thread(now: datetime, selectors: ForumSelectors) -> None:
    posts = parse_forum_thread(THREAD.encode("gbk"), THREAD_URL, now, selectors, source="jiadian")
    assert [p.post_id for p in posts] == ["9001", "9002"]  # the ad has no body, "preview" no id
    op, reply = posts
    assert all(p.source == "jiadian" and p.fetched_at == now for p in posts)
    assert (op.title, op.author, op.parent_id) == ("星河空调异响求助", "维权的张三", None)
    assert op.text == "洗澡时热水器漏电！\n要求厂家赔偿。"  # the quote is left out
    assert op.url == "https://bbs.jiadian.example/t/77#p9001"
    assert (reply.title, reply.author, reply.parent_id, reply.text) == ("", "路人甲", "9001", "太危险了，赶紧投诉。")
    assert reply.published_at == datetime(2026, 11, 28, 9, 30, tzinfo=SHANGHAI)
    assert reply.raw == {"element_id": "p9002", "time_text": "半小时前"}


def test_machine_readable_time_wins(now: datetime) -> None:
    """An attribute (``@datetime``) is read before the relative text, whatever the selector order."""
    for selectors in (CSS.model_copy(update={"time": "time, time::attr(datetime)"}), XPATH):
        op = parse_forum_thread(THREAD.encode("gbk"), THREAD_URL, now, selectors)[0]
        assert op.published_at == datetime(2026, 11, 25, 8, 30, tzinfo=SHANGHAI)
    op = parse_forum_thread(THREAD.encode("gbk"), THREAD_URL, now, CSS)[0]  # text only: "3 天前"
    assert op.published_at == datetime(2026, 11, 25, tzinfo=SHANGHAI)


def test_later_page(now: datetime) -> None:
    posts = parse_forum_thread(THREAD.encode("gbk"), THREAD_URL + "?page=2", now, CSS, op_id="8000")
    assert all(p.title == "" and p.parent_id == "8000" for p in posts)


def test_default_source_and_hashed_ids(now: datetime) -> None:
    bare = ForumSelectors(post="div.content")  # no id source: a content hash, stable across crawls
    posts = parse_forum_thread(THREAD.encode("gbk"), THREAD_URL, now, bare)
    again = parse_forum_thread(THREAD.encode("gbk"), THREAD_URL, datetime(2027, 1, 1, tzinfo=SHANGHAI), bare)
    assert [p.post_id for p in posts] == [p.post_id for p in again]
    assert len(posts) == 3 and all(p.source == "forum" and p.post_id.startswith("h") for p in posts)
    assert posts[0].text == "洗澡时热水器漏电！\n楼上说的不对\n要求厂家赔偿。"


def test_no_post_is_a_layout_change(now: datetime) -> None:
    with pytest.raises(LayoutChanged, match="found nothing"):
        parse_forum_thread(THREAD.encode("gbk"), THREAD_URL, now, CSS.model_copy(update={"post": "div.floor"}))
    no_body = CSS.model_copy(update={"text": "div.message"})
    with pytest.raises(LayoutChanged, match="none with an id and a body"):
        parse_forum_thread(THREAD.encode("gbk"), THREAD_URL, now, no_body)


def test_next_page() -> None:
    body = THREAD.encode("gbk")
    assert forum_next_page(body, THREAD_URL, CSS) == "https://bbs.jiadian.example/t/77?page=2"
    assert forum_next_page(body, THREAD_URL, XPATH) is None  # not configured
    last = THREAD.replace('<a class="next" href="/t/77?page=2">下一页</a>', "").encode("gbk")
    assert forum_next_page(last, THREAD_URL, CSS) is None


LIST = """<html><head><meta charset="utf-8"></head><body><ul class="threads">
<li class="thread"><a class="title" href="/t/77">星河空调异响求助</a> <a href="/u/1">维权的张三</a></li>
<li class="thread"><a class="title" href="https://bbs.jiadian.example/t/78?from=list">热水器推荐</a></li>
<li class="thread"><a class="title" href="/t/77">重复</a></li>
<li class="thread"><a class="title" href="javascript:;">已删除</a></li>
</ul><div class="pages"><a rel="next" href="?page=2">›</a></div></body></html>""".encode()


def test_links() -> None:
    expected = ["https://bbs.jiadian.example/t/77", "https://bbs.jiadian.example/t/78?from=list"]
    rows = ForumSelectors(post="x", list_item="li.thread", list_link="a.title", next_page='a[rel="next"]')
    assert forum_links(LIST, LIST_URL, rows) == expected
    assert forum_links(LIST, LIST_URL, ForumSelectors(post="x", list_item="li.thread")) == expected  # first a[href]
    assert forum_links(LIST, LIST_URL, ForumSelectors(post="x", list_link="//a[@class='title']/@href")) == expected
    assert forum_links(LIST, LIST_URL, ForumSelectors(post="x")) == []  # not configured: nothing to list
    assert forum_next_page(LIST, LIST_URL, rows) == "https://bbs.jiadian.example/board/3?page=2"
    with pytest.raises(LayoutChanged, match="no thread link"):
        forum_links(LIST, LIST_URL, ForumSelectors(post="x", list_item="tr.thread"))


def test_rows_carry_a_fingerprint_of_their_text() -> None:
    """The version the spider compares between crawls: the row's visible text, hashed."""
    rows = ForumSelectors(post="x", list_item="li.thread", list_link="a.title")
    first, second = forum_rows(LIST, LIST_URL, rows)
    assert first.url == "https://bbs.jiadian.example/t/77" and first.version and second.version
    assert first.version != second.version
    assert forum_rows(LIST, LIST_URL, rows) == [first, second]  # stable
    # markup and whitespace do not count; the text does (a new reply, a new last-reply time)
    restyled = LIST.replace(
        b'<li class="thread"><a class="title" href="/t/77">',
        b'<li class="thread hot">\n  <a class="title" href="/t/77">',
    )
    assert forum_rows(restyled, LIST_URL, rows)[0] == first
    replied = LIST.replace("维权的张三</a></li>".encode(), "维权的张三</a> 1 回复</li>".encode())
    assert forum_rows(replied, LIST_URL, rows)[0].version != first.version
    # links without rows have nothing to compare: no version
    links = ForumSelectors(post="x", list_link="a.title")
    assert [row.version for row in forum_rows(LIST, LIST_URL, links)] == [None, None]


def test_selectors_are_checked() -> None:
    with pytest.raises(ValidationError, match="extra"):
        ForumSelectors.model_validate({"post": "div", "posts": "div"})
    with pytest.raises(ValidationError, match="invalid selector"):
        ForumSelectors(post="div[")
    with pytest.raises(ValidationError, match="invalid selector"):
        ForumSelectors(post="//div[")
    with pytest.raises(ValidationError, match="invalid post_id_pattern"):
        ForumSelectors(post="div", post_id_pattern="(")
    with pytest.raises(ValidationError):
        ForumSelectors.model_validate({"author": "a"})  # post is required


# The real Discuz! X3.3 thread, configured as a user would in settings (one dict).
DISCUZ_CONFIG = {
    "list_item": 'tbody[id^="normalthread_"]',
    "list_link": "th a.s.xst",
    "next_page": "div.pg a.nxt",
    "post": '//div[@id="postlist"]/div[starts-with(@id, "post_")]',
    "post_id": "@id",
    "post_id_pattern": r"^post_(\d+)$",
    "author": "td.pls a.xw1",
    "time": 'em[id^="authorposton"]',
    "text": "td.t_f",
    "text_exclude": "div.quote, i.pstatus, ignore_js_op",
    "title": "#thread_subject",
}


@pytest.mark.parametrize(
    "selectors", [ForumSelectors.model_validate(DISCUZ_CONFIG), DISCUZ_SELECTORS], ids=["config", "preset"]
)
def test_real_discuz_thread(fixtures_dir: Path, now: datetime, selectors: ForumSelectors) -> None:
    name = "discuz/magichtml_discuz_csol_8cf0af42df35.html"
    url = json.loads((fixtures_dir / f"{name}.expected.json").read_text(encoding="utf-8"))["url"]
    body = (fixtures_dir / name).read_bytes()
    posts = parse_forum_thread(body, url, now, selectors, source="csol")
    floors = parse_thread(body, url, now)
    assert [p.post_id for p in posts] == ["53876", "53885", "53888", "53937"]
    assert [p.post_id for p in floors] == [f"38672-{p.post_id}" for p in posts]
    for generic, discuz in zip(posts, floors, strict=True):
        assert (generic.title, generic.text, generic.author, generic.published_at) == (
            discuz.title,
            discuz.text,
            discuz.author,
            discuz.published_at,
        )
    assert posts[0].title == "建议对鼠神进行改版" and posts[0].author == "前程往事"
    assert [p.parent_id for p in posts] == [None, "53876", "53876", "53876"]
    assert posts[1].url == url.split("#")[0] + "#post_53885"  # the page URL, its own fragment replaced
    assert forum_next_page(body, url, selectors) is None


def test_discuz_preset_prefers_the_full_time(now: datetime) -> None:
    """Discuz shows "3 天前" and keeps the exact time in ``span@title``."""
    page = """<html><body><div id="postlist"><h1><span id="thread_subject">星河热水器漏电</span></h1>
<div id="post_9001"><table><tr><td class="pls"><a href="space-uid-1.html" class="xw1">张三</a></td>
<td class="plc"><em id="authorposton9001">发表于 <span title="2026-11-25 08:30:00">3&nbsp;天前</span></em>
<table><tr><td class="t_f" id="postmessage_9001"><i class="pstatus">本帖最后由 张三 于 2026-11-25 09:00 编辑</i>漏电了</td></tr></table>
</td></tr></table></div></div></body></html>"""
    (post,) = parse_forum_thread(page.encode(), "https://bbs.example.cn/thread-1-1-1.html", now, DISCUZ_SELECTORS)
    assert (post.post_id, post.title, post.text, post.author) == ("9001", "星河热水器漏电", "漏电了", "张三")
    assert post.published_at == datetime(2026, 11, 25, 8, 30, tzinfo=SHANGHAI)
