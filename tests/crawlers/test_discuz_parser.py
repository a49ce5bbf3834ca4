"""Discuz! parsers: the real X3.3 thread, a GBK thread and list pages written here."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from yuqing.crawlers.parsers.discuz import next_page, parse_thread, thread_links
from yuqing.crawlers.parsers.errors import ParseError
from yuqing.post import SHANGHAI

FIXTURE = "discuz/magichtml_discuz_csol_8cf0af42df35.html"


def test_real_thread(fixtures_dir: Path, now: datetime) -> None:
    expected = json.loads((fixtures_dir / f"{FIXTURE}.expected.json").read_text(encoding="utf-8"))
    posts = parse_thread((fixtures_dir / FIXTURE).read_bytes(), expected["url"], now)
    assert len(posts) == 4
    # the benchmark's gold text = subject, "[复制链接]" (a page widget, not content), then each floor
    gold = [line for line in expected["expected_main_content"].split("\n") if line != "[复制链接]"]
    assert "\n".join([posts[0].title] + [p.text for p in posts]) == "\n".join(gold)

    op, *replies = posts
    assert op.source == "discuz"
    assert op.post_id == "38672-53876"
    assert op.title == "建议对鼠神进行改版"
    assert op.author == "前程往事"
    assert op.published_at == datetime(2024, 4, 5, 23, 20, 45, tzinfo=SHANGHAI)
    assert op.url == "https://csolbbs.tiancity.com/forum.php?mod=viewthread&tid=38672"
    assert op.parent_id is None
    assert op.comments == 3
    assert op.raw == {"tid": "38672", "pid": "53876", "floor": "楼主", "uid": "142839", "views": 3481}
    assert [p.post_id for p in replies] == ["38672-53885", "38672-53888", "38672-53937"]
    assert [p.author for p in replies] == ["横财天降", "縋原啊反", "故乡故事里的故人"]
    assert [p.raw["floor"] for p in replies] == ["沙发", "板凳", "地板"]
    assert all(p.parent_id == "38672-53876" and p.title == "" for p in replies)
    assert replies[-1].published_at == datetime(2024, 5, 6, 12, 47, 42, tzinfo=SHANGHAI)
    assert replies[0].url == ("https://csolbbs.tiancity.com/forum.php?mod=redirect&goto=findpost&ptid=38672&pid=53885")


def floor(pid: int, author: str, posted: str, message: str, label: str) -> str:
    return f"""<div id="post_{pid}"><table id="pid{pid}" class="plhin"><tr>
<td class="pls"><div class="pi"><div class="authi"><a href="space-uid-{pid + 1000}.html" class="xw1">{author}</a></div></div></td>
<td class="plc"><div class="pi"><strong><a href="forum.php?mod=redirect&amp;goto=findpost&amp;ptid=777&amp;pid={pid}"
 id="postnum{pid}">{label}</a></strong><div class="pti"><div class="authi"><em id="authorposton{pid}">发表于 {posted}</em></div></div></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table><tr><td class="t_f" id="postmessage_{pid}">{message}</td></tr></table></div></div></div>
</td></tr></table></div>"""


def gbk_thread(meta: bool = True) -> bytes:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=gbk" />' if meta else ""
    page = f"""<html><head>{head}<title>星河热水器漏电 - 家电 - Powered by Discuz!</title></head><body>
<div id="postlist" class="pl bm"><table><tr><td class="pls"><div class="hm ptn">
<span class="xg1">查看:</span> <span class="xi1">120</span><span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">2</span>
</div></td><td class="plc"><h1 class="ts"><span id="thread_subject">星河热水器漏电，谁来管管</span></h1></td></tr></table>
{
        floor(
            9001,
            "维权的张三",
            '<span title="2026-11-25 08:30:00">3&nbsp;天前</span>',
            '<i class="pstatus"> 本帖最后由 维权的张三 于 2026-11-25 09:00 编辑 </i><br />洗澡时热水器漏电，手都麻了！<br />'
            '<ignore_js_op><img src="a.jpg" /> 现场照片.jpg (下载次数: 3)</ignore_js_op>要求厂家赔偿。',
            "楼主",
        )
    }
{
        floor(
            9002,
            "路人甲",
            "半小时前",
            '<div class="quote"><blockquote>洗澡时热水器漏电，手都麻了！</blockquote></div><br />太危险了，赶紧投诉。',
            "沙发",
        )
    }
{floor(9003, "匿名", "2026-11-28 09:58", '<div class="locked">本帖隐藏的内容需要回复才可以浏览</div>顶', "板凳")}
</div></body></html>"""
    return page.encode("gbk")


def test_gbk_thread(now: datetime) -> None:
    body = gbk_thread()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    posts = parse_thread(body, "https://bbs.example.cn/thread-777-1-1.html", now)
    assert [p.post_id for p in posts] == ["777-9001", "777-9002", "777-9003"]
    op, reply, bump = posts
    assert op.title == "星河热水器漏电，谁来管管"
    assert op.text == "洗澡时热水器漏电，手都麻了！\n要求厂家赔偿。"
    assert op.author == "维权的张三"
    assert op.raw["uid"] == "10001"
    assert op.published_at == datetime(2026, 11, 25, 8, 30, tzinfo=SHANGHAI)  # span title, not "3 天前"
    assert op.comments == 2
    assert reply.text == "太危险了，赶紧投诉。"  # the quote is dropped
    assert reply.published_at == datetime(2026, 11, 28, 9, 30, tzinfo=SHANGHAI)
    assert reply.parent_id == "777-9001"
    assert reply.url == "https://bbs.example.cn/forum.php?mod=redirect&goto=findpost&ptid=777&pid=9002"
    assert bump.text == "顶"


def test_charset_from_header_when_meta_is_missing(now: datetime) -> None:
    body = gbk_thread(meta=False)
    posts = parse_thread(body, "https://bbs.example.cn/forum.php?mod=viewthread&tid=777", now, charset="gbk")
    assert posts[0].title == "星河热水器漏电，谁来管管"


def test_later_page(now: datetime) -> None:
    url = "https://bbs.example.cn/forum.php?mod=viewthread&tid=777&page=2"
    posts = parse_thread(gbk_thread(), url, now)
    assert all(p.title == "" and p.parent_id is None for p in posts)
    posts = parse_thread(gbk_thread(), url, now, op_id="777-1")
    assert all(p.parent_id == "777-1" for p in posts)
    assert posts[0].comments == 0


def test_thread_id_from_page(now: datetime) -> None:
    posts = parse_thread(gbk_thread(), "https://bbs.example.cn/viewthread.php", now)
    assert posts[0].post_id == "777-9001"


def test_not_a_thread(now: datetime) -> None:
    with pytest.raises(ParseError, match="no #postlist"):
        parse_thread(b"<html><body><div id='messagetext'>\xe6\x8a\xb1\xe6\xad\x89</div></body></html>", "u", now)


LIST_PAGE = """<html><head><meta charset="gbk"><base href="https://bbs.example.cn/" /></head><body>
<table summary="forum_2" id="threadlisttableid">
<tbody id="stickthread_5"><tr><th class="common"><a href="forum.php?mod=viewthread&amp;tid=5&amp;extra=page%3D1" class="s xst">版规</a></th>
<td class="by"><cite><a href="space-uid-1.html">版主</a></cite><em><span>2020-1-1</span></em></td></tr></tbody>
<tbody id="separatorline"><tr><th><a href="javascript:;">版块主题</a></th></tr></tbody>
<tbody id="normalthread_101"><tr><th class="new"><a href="javascript:;" class="showcontent y"></a>
<a href="thread-101-1-1.html" onclick="atarget(this)" class="s xst">星河空调异响</a></th>
<td class="by"><cite><a href="space-uid-2.html">老李</a></cite><em><span><span title="2026-11-27">昨天&nbsp;10:00</span></span></em></td>
<td class="num"><a href="thread-101-1-1.html" class="xi2">3</a><em>1532</em></td></tr></tbody>
<tbody id="normalthread_102"><tr><th class="new"><a href="forum.php?mod=viewthread&amp;tid=102" class="s xst">热水器推荐</a></th></tr></tbody>
<tbody id="normalthread_103"><tr><th class="new"><a href="thread-101-1-1.html" class="s xst">dup</a></th></tr></tbody>
</table>
<div class="pg"><strong>1</strong><a href="forum-2-2.html">2</a><a href="forum-2-2.html" class="nxt">下一页</a></div>
</body></html>"""


def test_list_page() -> None:
    body = LIST_PAGE.encode("gbk")
    url = "https://bbs.example.cn/forum.php?mod=forumdisplay&fid=2"
    assert thread_links(body, url) == [
        "https://bbs.example.cn/forum.php?mod=viewthread&tid=5&extra=page%3D1",
        "https://bbs.example.cn/thread-101-1-1.html",
        "https://bbs.example.cn/forum.php?mod=viewthread&tid=102",
    ]
    assert next_page(body, url) == "https://bbs.example.cn/forum-2-2.html"


def test_last_list_page() -> None:
    body = LIST_PAGE.replace('<a href="forum-2-2.html" class="nxt">下一页</a>', "").encode("gbk")
    assert next_page(body, "https://bbs.example.cn/forum-2-2.html") is None
    assert thread_links(b"<html><body>no threads</body></html>", "https://x/") == []


def test_real_thread_has_no_next_page(fixtures_dir: Path) -> None:
    assert next_page((fixtures_dir / FIXTURE).read_bytes(), "https://csolbbs.tiancity.com/") is None


def test_unknown_charset_falls_back(now: datetime) -> None:
    body = gbk_thread()
    posts = parse_thread(body, "https://bbs.example.cn/forum.php?mod=viewthread&tid=777", now, charset="x-nonsense")
    assert posts[0].title == "星河热水器漏电，谁来管管"  # the meta charset still applies
