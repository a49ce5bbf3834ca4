"""Tieba parsers on the real pages of fixtures/tieba (values read from the files),
and on pages and 2026 JSON bodies written here: blocked, changed layout, APIs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.crawlers.parsers.tieba import (
    next_page,
    parse_api,
    parse_forum,
    parse_page,
    parse_search,
    parse_sub_comments,
    parse_thread,
    sub_comment_pages,
)
from yuqing.post import SHANGHAI

CAPTURED = datetime(2024, 8, 7, 12, 0, tzinfo=SHANGHAI)  # the list page was saved that day
FORUM_URL = "https://tieba.baidu.com/f?kw=%E7%9B%97%E5%A2%93%E7%AC%94%E8%AE%B0&ie=utf-8&pn=0"
THREAD_URL = "https://tieba.baidu.com/p/9117905169"
LZL_URL = "https://tieba.baidu.com/p/comment?tid=9119688421&pid=150726491368&pn=1"
SEARCH_URL = "https://tieba.baidu.com/f/search/res?isnew=1&qw=%E4%B8%9C%E5%8D%97%E4%BA%9A&rn=10&pn=1&sm=1"
OP = "150719031818"
# post_no of the 30 floors of page 1 (the page skips deleted floors)
FLOOR_NUMBERS = [1, 2, 4, 7, 8, 9, 10, 12, 13, 17, 21, 22, 23, 24, 25, 26, 27, 28, 30, 31, 32, 33, 35, 36, 37, 38]
FLOOR_NUMBERS += [39, 40, 41, 42]


def load(fixtures_dir: Path, name: str) -> bytes:
    return (fixtures_dir / "tieba" / name).read_bytes()


def floors(posts: list) -> list:
    return [p for p in posts if "floor" in p.raw]


# --- forum list ----------------------------------------------------------------------------


def test_forum_list(fixtures_dir: Path) -> None:
    body = load(fixtures_dir, "mediacrawler_tieba_note_list.html")
    posts = parse_forum(body, FORUM_URL, CAPTURED)
    assert len(posts) == 48 and len({p.post_id for p in posts}) == 48
    assert all(p.source == "tieba" and p.raw["forum"] == "盗墓笔记" and p.parent_id is None for p in posts)
    first = posts[0]
    assert first.post_id == "9079949995"
    assert first.url == "https://tieba.baidu.com/p/9079949995"
    assert first.title == "盗墓笔记全集+txt小说，已整理"
    assert (first.author, first.comments, first.text) == ("公子伯仲", 18, "")
    assert first.published_at == datetime(2024, 7, 6, tzinfo=SHANGHAI)  # "7-6"
    assert first.raw["first_post_id"] == "150544122828"
    assert first.raw["last_reply_text"] == "11:24"
    second = posts[1]
    assert second.text.startswith("有人知道张海琪后来怎么样了吗 南部档案最后写到张海琪中了神经毒")
    assert (second.author, second.raw["nickname"]) == ("海楼ot", "张海楼🍀")
    assert second.published_at == datetime(2020, 5, 1, tzinfo=SHANGHAI)  # "2020-05"
    today = next(p for p in posts if p.post_id == "9121294238")
    assert today.published_at == datetime(2024, 8, 7, 2, 38, tzinfo=SHANGHAI)  # "02:38"
    anonymous = next(p for p in posts if p.post_id == "9121416885")
    assert anonymous.author == "贴吧用户_79AAM8A"  # no account name: the nickname
    assert posts[-1].post_id == "1138972019" and posts[-1].comments == 5164241
    assert (
        next_page(body, FORUM_URL) == "https://tieba.baidu.com/f?kw=%E7%9B%97%E5%A2%93%E7%AC%94%E8%AE%B0&ie=utf-8&pn=50"
    )


def test_forum_list_through_parse_page(fixtures_dir: Path) -> None:
    body = load(fixtures_dir, "mediacrawler_tieba_note_list.html")
    assert parse_page(body, FORUM_URL, CAPTURED) == parse_forum(body, FORUM_URL, CAPTURED)
    # without kw= in the URL the forum's name comes from the page
    assert parse_page(body, "file:///tmp/list.html", CAPTURED)[0].raw["forum"] == "盗墓笔记"


# --- thread pages --------------------------------------------------------------------------


def test_thread_page(fixtures_dir: Path, now: datetime) -> None:
    body = load(fixtures_dir, "mediacrawler_note_detail.html")
    posts = parse_thread(body, THREAD_URL, now)
    assert len(floors(posts)) == 30  # 31 div.l_post: one is an ad without a post id
    assert len(posts) == 40  # and 10 sub-comments the saved page shows inline
    assert [p.raw["floor"] for p in floors(posts)] == FLOOR_NUMBERS
    op = posts[0]
    assert op.post_id == OP
    assert op.title == "对于一个父亲来说，这个女儿14岁就死了"
    assert op.url == f"https://tieba.baidu.com/p/9117905169?pid={OP}#{OP}"
    assert (op.author, op.raw["nickname"], op.raw["user_id"]) == ("怪物大宝贝", "章景轩", "3424043879")
    assert op.text == ""  # a picture only; the "点击展开，查看完整图片" widget is not text
    assert op.comments == 786  # the thread's reply count
    assert op.published_at == datetime(2024, 8, 5, 16, 56, tzinfo=SHANGHAI)
    assert (op.raw["ip_location"], op.raw["client"], op.raw["forum"]) == ("广东", "Android客户端", "以太比特")
    assert op.parent_id is None
    reply = posts[1]
    assert reply.post_id == "150719088158" and reply.parent_id == OP and reply.title == ""
    assert reply.text.startswith("本来觉得就凭14岁的这点叛逆父亲不再理她")
    assert (reply.author, reply.comments, reply.raw["comment_num"]) == ("jkl028", 123, 123)
    assert reply.published_at == datetime(2024, 8, 5, 17, 7, tzinfo=SHANGHAI)
    sub = posts[2]  # floor 2's first sub-comment, inline
    assert (sub.post_id, sub.parent_id, sub.author) == ("150721163086", "150719088158", "保护色度")
    assert sub.text == "号废了重练一个而已，只是她妈后来才明白这一点"
    assert sub.published_at == datetime(2024, 8, 5, 23, 48, tzinfo=SHANGHAI)
    assert sub.url == "https://tieba.baidu.com/p/9117905169?pid=150719088158&cid=150721163086#150721163086"
    assert all(p.parent_id == OP for p in floors(posts)[1:])
    last = floors(posts)[-1]
    assert (last.post_id, last.text, last.raw["ip_location"]) == ("150721484814", "自己犯贱能怪谁呢", "浙江")
    assert next_page(body, THREAD_URL) == "https://tieba.baidu.com/p/9117905169?pn=2"
    assert parse_page(body, THREAD_URL, now) == posts


def test_later_thread_page_points_at_the_op(fixtures_dir: Path, now: datetime) -> None:
    body = load(fixtures_dir, "mediacrawler_note_detail.html")
    html = body.decode("utf-8").replace("&quot;post_no&quot;:1,", "&quot;post_no&quot;:101,")  # no floor 1 here
    posts = parse_thread(html.encode(), THREAD_URL + "?pn=2", now, op_id=OP)
    assert posts[0].title == "" and posts[0].parent_id == OP
    assert posts[0].comments == 0  # a plain floor's 楼中楼 count, not the thread's replies


def test_rendered_fragment(fixtures_dir: Path, now: datetime) -> None:
    """The browser-saved fragment of the same thread: 32 div.l_post, two of them ads."""
    body = load(fixtures_dir, "mediacrawler_hist_note_detail_and_comments.html")
    posts = parse_page(body, THREAD_URL, now)
    detail = parse_thread(load(fixtures_dir, "mediacrawler_note_detail.html"), THREAD_URL, now)
    assert [p.post_id for p in floors(posts)] == [p.post_id for p in floors(detail)]
    assert len(floors(posts)) == 30 and len(posts) == 30 + 110
    assert posts[0].title == "对于一个父亲来说，这个女儿14岁就死了" and posts[0].comments == 760
    assert all(p.parent_id in {f.post_id for f in floors(posts)} for p in posts[1:])


def test_sub_comments(fixtures_dir: Path, now: datetime) -> None:
    body = load(fixtures_dir, "mediacrawler_note_sub_comments.html")
    posts = parse_sub_comments(body, LZL_URL, now)
    assert len(posts) == 10
    assert all(p.parent_id == "150726491368" and p.raw["tid"] == "9119688421" for p in posts)
    first = posts[0]
    assert (first.post_id, first.author, first.text) == ("150726504693", "heinzfrentzen", "")  # two smileys
    assert first.published_at == datetime(2024, 8, 6, 22, 11, tzinfo=SHANGHAI)  # "2024-8-6 22:11"
    third = posts[2]
    assert (third.author, third.raw["nickname"], third.text) == (
        "蚂蚁雅虎哈哈",
        "国际体坛巨星青椒肉丝",
        "你怀孕了吗 老是呕吐",
    )
    assert posts[-1].text == "回复 美味蟹黄堡💞 :你不会看起跳高度和空中姿态？"
    assert posts[-1].url == ("https://tieba.baidu.com/p/9119688421?pid=150726491368&cid=150726536076#150726536076")
    assert sub_comment_pages(body) == 2
    assert parse_page(body, LZL_URL, now) == posts


def test_search_page(fixtures_dir: Path, now: datetime) -> None:
    body = load(fixtures_dir, "mediacrawler_search_keyword_notes.html")
    posts = parse_search(body, SEARCH_URL, now)
    assert len(posts) == 10
    first = posts[0]
    assert first.raw["tid"] == "9117888152"
    assert first.post_id == "150718967291"  # the pid the hit links to: the floor's own key
    assert first.title.startswith("武汉交互空间科技")
    assert first.raw["forum"] == "武汉交互空间"
    assert first.author == "VR虚拟达人"
    assert first.url == "https://tieba.baidu.com/p/9117888152?pid=150718967291&cid=0#150718967291"
    assert first.published_at == datetime(2024, 8, 5, 16, 45, tzinfo=SHANGHAI)
    assert first.text.startswith("全球知名的电子制造服务巨头富士康")
    assert [p.raw["forum"] for p in posts[1:3]] == ["背包客", "国际展会"]
    assert parse_page(body, SEARCH_URL, now) == posts


# --- built pages: blocked, layout changed, empty --------------------------------------------

BLOCKED = "<html><head><title>百度安全验证</title></head><body>网络不给力，请稍后重试</body></html>".encode()


@pytest.mark.parametrize("parse", [parse_page, parse_forum, parse_thread, parse_sub_comments, parse_search])
def test_security_check_is_blocked(now: datetime, parse) -> None:
    with pytest.raises(ParseError, match="blocked: .*百度安全验证"):
        parse(BLOCKED, FORUM_URL, now)


def test_captcha_page_is_blocked(now: datetime) -> None:
    page = b"<html><head><title>tieba</title></head><body><a href='https://wappass.baidu.com/static/captcha/tuxing.html?ak=1'>go</a></body></html>"
    with pytest.raises(ParseError, match="captcha"):
        parse_page(page, THREAD_URL, now)


def test_empty_thread_list_is_a_layout_change(now: datetime) -> None:
    page = """<html><head><title>星河吧-百度贴吧</title></head><body>
<code class="pagelet_html" id="pagelet_html_frs-list/pagelet/thread_list" style="display:none;"><!--
<ul id="thread_list" class="threadlist_bright j_threadlist_bright"><li class="thread_card_2026">x</li></ul>
--></code></body></html>""".encode()
    with pytest.raises(LayoutChanged, match="forum list"):
        parse_page(page, "https://tieba.baidu.com/f?kw=星河", now)


def test_thread_frame_without_floors_is_a_layout_change(now: datetime) -> None:
    page = '<html><head><title>x_星河吧_百度贴吧</title></head><body><div class="p_postlist" id="j_p_postlist"><div class="post_2026">hi</div></div></body></html>'
    with pytest.raises(LayoutChanged, match="no floor"):
        parse_page(page.encode(), THREAD_URL, now)


def test_search_without_hits(now: datetime) -> None:
    frame = '<div class="s_post_list">{}</div>'
    with pytest.raises(LayoutChanged, match="search"):
        parse_search(frame.format('<div class="result_card">x</div>').encode(), SEARCH_URL, now)
    empty = frame.format('<div class="s_noresult">抱歉，没有找到与“zzqq”相关的结果。</div>')
    assert parse_page(empty.encode(), SEARCH_URL, now) == []


def test_unknown_pages(now: datetime) -> None:
    with pytest.raises(LayoutChanged):
        parse_page(
            "<html><head><title>xx_百度贴吧</title></head><body><div>new</div></body></html>".encode(), THREAD_URL, now
        )
    with pytest.raises(ParseError, match="not a Tieba page"):
        parse_page(b"<html><body>hello</body></html>", "https://example.com/", now)
    deleted = "<html><head><title>贴吧404</title></head><body><div id='errorText'>该贴已被删除</div></body></html>"
    assert parse_page(deleted.encode(), THREAD_URL, now) == []


def test_gbk_search_page(now: datetime) -> None:
    page = """<html><head><meta charset="gbk"><title>百度贴吧_星河</title></head><body><div class="s_post_list">
<div class="s_post"><span class="p_title"><a data-tid="1001" class="bluelink" href="/p/1001?pid=2002&amp;cid=0#2002">星河空调漏水</a></span>
<div class="p_content">空调漏水三次了</div>贴吧：<a class="p_forum" href="/f?kw=x"><font class="p_violet">空调</font></a>作者：<a href="/home/main?un=abc"><font class="p_violet">abc</font></a>
<font class="p_green p_date">2026-11-27 09:15</font></div></div></body></html>"""
    (post,) = parse_page(page.encode("gbk"), SEARCH_URL, now)
    assert (post.post_id, post.title, post.text, post.raw["forum"]) == (
        "2002",
        "星河空调漏水",
        "空调漏水三次了",
        "空调",
    )


# --- 2026 JSON APIs ---------------------------------------------------------------------------


def test_multsearch_api(now: datetime) -> None:
    body = {
        "no": 0,
        "error": "success",
        "data": {
            "card_list": [
                {"cardInfo": "forum", "data": {"forum_name": "星河电器"}},
                {
                    "cardInfo": "thread",
                    "data": {
                        "tid": 9300000001,
                        "title": "星河空调异响怎么办",
                        "content": "买了半年就异响，售后不管。",
                        "time": 1764288000,
                        "user": {"show_nickname": "怕热的老李", "portrait": "tb.1.abc"},
                        "post_num": 12,
                        "forum_name": "空调",
                    },
                },
            ]
        },
    }
    url = "https://tieba.baidu.com/mo/q/search/multsearch?word=星河空调"
    (post,) = parse_page(json.dumps(body).encode(), url, now)
    assert (post.post_id, post.title, post.text) == ("9300000001", "星河空调异响怎么办", "买了半年就异响，售后不管。")
    assert (post.author, post.comments, post.raw["forum"]) == ("怕热的老李", 12, "空调")
    assert post.url == "https://tieba.baidu.com/p/9300000001"
    assert post.published_at == datetime(2025, 11, 28, 8, 0, tzinfo=SHANGHAI)


def test_page_pc_api(now: datetime) -> None:
    body = {
        "error_code": 0,
        "thread": {"id": 9300000001, "title": "星河空调异响怎么办", "reply_num": 2, "create_time": 1764288000},
        "forum": {"id": 42, "name": "空调"},
        "page": {"total_page": 1, "current_page": 1},
        "first_floor": {
            "id": 151000000001,
            "author_id": 7,
            "floor": 1,
            "time": 1764288000,
            "content": [
                {"type": 0, "text": "买了半年就异响，"},
                {"type": 3, "src": "a.jpg"},
                {"type": 0, "text": "售后不管。"},
            ],
        },
        "post_list": [
            {"id": 151000000001, "author_id": 7, "floor": 1, "time": 1764288000, "content": []},
            {
                "id": 151000000002,
                "author_id": 8,
                "floor": 2,
                "time": 1764291600,
                "content": [{"type": 0, "text": "同款，\n也响"}],
                "sub_post_number": 3,
            },
        ],
        "user_list": [
            {"id": 7, "name": "laoli", "name_show": "怕热的老李", "ip_address": "广东"},
            {"id": 8, "name": "", "name_show": "路人甲"},
        ],
    }
    posts = parse_api(json.dumps(body).encode(), "https://tieba.baidu.com/c/f/pb/page_pc", now)
    assert [p.post_id for p in posts] == ["151000000001", "151000000002"]
    op, reply = posts
    assert (op.title, op.text, op.author, op.comments) == (
        "星河空调异响怎么办",
        "买了半年就异响，售后不管。",
        "laoli",
        2,
    )
    assert (op.raw["ip_location"], op.raw["forum"], op.raw["tid"]) == ("广东", "空调", "9300000001")
    assert (reply.parent_id, reply.text, reply.author, reply.comments) == (op.post_id, "同款，\n也响", "路人甲", 3)
    assert reply.published_at == datetime(2025, 11, 28, 9, 0, tzinfo=SHANGHAI)


def test_api_errors(now: datetime) -> None:
    with pytest.raises(ParseError, match="Tieba API error 110003"):
        parse_page(b'{"error_code": 110003, "error_msg": "need login"}', "https://tieba.baidu.com/c/f/pb/page_pc", now)
    with pytest.raises(ParseError, match="unknown Tieba API body"):
        parse_api(b'{"error_code": 0, "data": {"x": 1}}', "https://tieba.baidu.com/c/s/pc/sync", now)
    with pytest.raises(ParseError, match="not JSON"):
        parse_api(b"{oops", "https://tieba.baidu.com/x", now)
