"""Discuz! forumdisplay rows as Posts (parse_list) and parse_page's choice of thread vs list."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

import yuqing.demo
from yuqing.crawlers.parsers.discuz import parse_list, parse_page, parse_thread
from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.post import SHANGHAI

FIXTURE = "discuz/magichtml_discuz_csol_8cf0af42df35.html"
DEMO = Path(yuqing.demo.__file__).parent / "site" / "discuz"
LIST_URL = "https://bbs.example.cn/forum.php?mod=forumdisplay&fid=2"

ROWS = """<tbody id="stickthread_5"><tr><th class="common">
<a href="forum.php?mod=viewthread&amp;tid=5&amp;extra=page%3D1" class="s xst">版规</a></th>
<td class="by"><cite><a href="space-uid-1.html">版主</a></cite><em><span>2020-1-1</span></em></td>
<td class="num"><a href="forum.php?mod=viewthread&amp;tid=5" class="xi2">0</a><em>99</em></td>
<td class="by"><cite><a href="space-username-x.html">版主</a></cite><em><a href="#">2020-1-1 08:00</a></em></td></tr></tbody>
<tbody id="separatorline"><tr><th><a href="javascript:;">版块主题</a></th></tr></tbody>
<tbody id="normalthread_101"><tr><th class="new"><a href="javascript:;" class="showcontent y"></a>
<a href="thread-101-1-1.html" class="s xst">星河空调异响</a></th>
<td class="by"><cite><a href="space-uid-2.html">老李</a></cite><em><span><span title="2026-11-27">昨天&nbsp;10:00</span></span></em></td>
<td class="num"><a href="thread-101-1-1.html" class="xi2">3</a><em>1,532</em></td>
<td class="by"><cite><a href="space-username-y.html">小王</a></cite><em><a href="#">半小时前</a></em></td></tr></tbody>
<tbody id="normalthread_102"><tr><th class="new"><a href="forum.php?mod=viewthread&amp;tid=102" class="s xst">热水器推荐</a></th>
<td class="by"><cite>匿名</cite><em><span>3&nbsp;天前</span></em></td></tr></tbody>
<tbody id="normalthread_103"><tr><th class="new"><a href="thread-101-1-1.html" class="s xst">dup</a></th></tr></tbody>"""


def list_page(rows: str) -> bytes:
    return f"""<html><head><meta charset="gbk"><base href="https://bbs.example.cn/" /></head><body>
<div id="threadlist" class="tl bm bmw"><form id="moderate"><table summary="forum_2" id="threadlisttableid">{rows}</table></form></div>
<div class="pg"><strong>1</strong><a href="forum-2-2.html" class="nxt">下一页</a></div></body></html>""".encode("gbk")


def test_list_rows(now: datetime) -> None:
    posts = parse_list(list_page(ROWS), LIST_URL, now)
    assert [p.post_id for p in posts] == ["5", "101", "102"]  # the duplicate link of row 103 is dropped
    sticky, thread, fresh = posts
    assert all(p.source == "discuz" and p.text == "" and p.parent_id is None for p in posts)
    assert (sticky.title, sticky.author, sticky.raw["sticky"]) == ("版规", "版主", True)
    assert sticky.published_at == datetime(2020, 1, 1, tzinfo=SHANGHAI)
    assert thread.url == "https://bbs.example.cn/thread-101-1-1.html"
    assert (thread.title, thread.author, thread.comments) == ("星河空调异响", "老李", 3)
    assert thread.published_at == datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)  # text's time, title's date
    assert thread.raw == {
        "tid": "101",
        "views": 1532,
        "uid": "2",
        "last_poster": "小王",
        "last_post_text": "半小时前",
    }
    assert (fresh.author, fresh.comments, fresh.published_at) == ("匿名", 0, datetime(2026, 11, 25, tzinfo=SHANGHAI))
    assert parse_page(list_page(ROWS), LIST_URL, now) == posts


def test_demo_list_page(now: datetime) -> None:
    body = (DEMO / "forumdisplay_2.html").read_bytes()
    first, second = parse_page(body, "http://127.0.0.1:8765/forum.php?mod=forumdisplay&fid=2", now)
    assert (first.post_id, first.title) == ("101", "星河空调异响，售后一直推诿，大家有遇到的吗")
    assert first.published_at == datetime(2026, 11, 28, 8, 2, tzinfo=SHANGHAI)  # span@title has the time
    assert (first.comments, first.raw["views"], first.raw["last_poster"]) == (3, 1532, "家电老师傅")
    assert (second.post_id, second.author, second.comments) == ("102", "准备装修的小王", 2)


def test_real_thread_through_parse_page(fixtures_dir: Path, now: datetime) -> None:
    expected = json.loads((fixtures_dir / f"{FIXTURE}.expected.json").read_text(encoding="utf-8"))
    body = (fixtures_dir / FIXTURE).read_bytes()
    posts = parse_page(body, expected["url"], now)
    assert posts == parse_thread(body, expected["url"], now)
    assert [p.post_id for p in posts] == ["38672-53876", "38672-53885", "38672-53888", "38672-53937"]
    assert posts[0].title == "建议对鼠神进行改版" and posts[0].comments == 3


def test_demo_threads_through_parse_page(now: datetime) -> None:
    assert (
        len(parse_page((DEMO / "thread_101.html").read_bytes(), "http://h/forum.php?mod=viewthread&tid=101", now)) == 4
    )
    gbk = parse_page((DEMO / "thread_102_gbk.html").read_bytes(), "http://h/forum.php?mod=viewthread&tid=102", now)
    assert gbk[0].title == "东方家电和星河热水器哪个好？求推荐"


def test_empty_forum_is_really_empty(now: datetime) -> None:
    rows = '<tbody><tr><th colspan="6"><p class="emp">本版块或指定的范围内尚无主题</p></th></tr></tbody>'
    assert parse_list(list_page(rows), LIST_URL, now) == []


def test_thread_table_without_rows_is_a_layout_change(now: datetime) -> None:
    rows = '<tbody id="thread_2026_101"><tr><td><a href="t/101">星河</a></td></tr></tbody>'
    with pytest.raises(LayoutChanged, match="no thread row"):
        parse_page(list_page(rows), LIST_URL, now)


def test_postlist_without_floors_is_a_layout_change(now: datetime) -> None:
    page = b'<html><body><div id="postlist"><div id="post_new"></div></div></body></html>'
    with pytest.raises(LayoutChanged, match="no floor"):
        parse_page(page, "https://bbs.example.cn/thread-1-1-1.html", now)


def test_neither_thread_nor_list(now: datetime) -> None:
    with pytest.raises(ParseError, match="not a Discuz thread or list page"):
        parse_page(b"<html><body><div id='messagetext'>login</div></body></html>", LIST_URL, now)
    with pytest.raises(ParseError, match="not a Discuz list page"):
        parse_list(b"<html><body></body></html>", LIST_URL, now)
