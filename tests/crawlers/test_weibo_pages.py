"""parse_page on every m.weibo.cn / weibo.com fixture: the kind is told from the content.

Kinds without a real fixture (hotflow, weibo.com ajax) are built by wrapping the
real objects of the fixtures in the documented envelopes (STRUCTURE.md §1.2–1.3).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.crawlers.parsers.weibo import (
    as_mid,
    bid_to_mid,
    hotflow_cursor,
    iter_mblogs,
    json_kind,
    merge_long_text,
    mid_to_bid,
    needs_long_text,
    next_page,
    next_since_id,
    parse_getindex,
    parse_page,
)
from yuqing.post import SHANGHAI

M = "https://m.weibo.cn"
GETINDEX = f"{M}/api/container/getIndex?containerid=x"
EXTEND = f"{M}/statuses/extend?id=4383487819465288"
SHOW = f"{M}/statuses/show?id=HyZVegYAP"
COMMENTS_SHOW = f"{M}/api/comments/show?id=4383183661430868&page=1"
HOTFLOW = f"{M}/comments/hotflow?id=4383183661430868&mid=4383183661430868&max_id_type=0"
RENDERED = "https://weibo.com/1618051664/Oe6wIynDn?refer_flag=1001030103_"


def load(fixtures_dir: Path, name: str) -> bytes:
    return (fixtures_dir / "weibo" / name).read_bytes()


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


# --- kind detection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("weibocrawler_getIndex_230413_since_id_2022.json", "getindex"),
        ("weiboapi_getIndex_107603_user_statuses.json", "getindex"),
        ("koa2_83892d9.json", "getindex"),
        ("koa2_158b8ba.json", "getindex"),
        ("weiboapi_getIndex_uid_userinfo.json", "getindex"),
        ("weiboapi_statuses_show.json", "show"),
        ("weiboapi_statuses_extend.json", "extend"),
        ("weiboapi_api_comments_show.json", "comments"),
    ],
)
def test_kind_comes_from_the_content(fixtures_dir: Path, name: str, kind: str) -> None:
    # a URL that names another endpoint does not change the verdict
    assert json_kind(json.loads(load(fixtures_dir, name)), f"{M}/statuses/show?id=1") == kind


def test_kind_falls_back_to_the_path_only_when_the_content_is_silent() -> None:
    assert json_kind({"ok": 1, "data": {}}, f"{M}/statuses/extend?id=1") == "extend"
    assert json_kind({"ok": 1, "data": {}}, f"{M}/comments/hotflow?id=1") == "comments"
    assert json_kind({"ok": 1, "data": {}}, f"{M}/somewhere") is None


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("weibocrawler_getIndex_230413_since_id_2022.json", 10),
        ("weiboapi_getIndex_107603_user_statuses.json", 10),
        ("koa2_83892d9.json", 0),  # album: picture groups, no statuses
        ("koa2_158b8ba.json", 0),  # profile container
        ("weiboapi_getIndex_uid_userinfo.json", 0),  # user info container
    ],
)
def test_getindex_fixtures(fixtures_dir: Path, now: datetime, name: str, count: int) -> None:
    body = load(fixtures_dir, name)
    posts = parse_page(body, GETINDEX, now)
    assert len(posts) == count
    assert posts == parse_getindex(body, GETINDEX, now)


def test_statuses_show(fixtures_dir: Path, now: datetime) -> None:
    (post,) = parse_page(load(fixtures_dir, "weiboapi_statuses_show.json"), SHOW, now)
    assert (post.source, post.post_id, post.url) == ("weibo", "4383411844046171", f"{M}/detail/4383411844046171")
    assert (post.author, post.author_followers, post.text) == ("九月九的晴天", 48, "转发微博")
    assert post.published_at == datetime(2019, 6, 15, 11, 44, 46, tzinfo=SHANGHAI)
    assert (post.reposts, post.comments, post.likes) == (0, 0, 0)
    assert post.parent_id == "4383404751066167"  # a repost keeps the original's id
    assert post.raw["bid"] == "HyZVegYAP" and post.raw["client"] == "微博手机版"
    assert post.raw["retweeted"]["author"] == "upupming"
    assert post.raw["retweeted"]["text"].endswith("⛩️ ...")  # truncated original: its 全文 link dropped
    assert post.raw["is_long_text"] is False and not needs_long_text(post)


def test_statuses_extend(fixtures_dir: Path, now: datetime) -> None:
    (post,) = parse_page(load(fixtures_dir, "weiboapi_statuses_extend.json"), EXTEND, now)
    assert (post.post_id, post.url) == ("4383487819465288", f"{M}/detail/4383487819465288")
    lines = post.text.splitlines()
    assert len(lines) == 9 and lines[1::2] == ["Nature", "Objects", "Places", "Symbols"]
    assert lines[0].startswith("😄😆😊😃") and "<br" not in post.text
    assert (post.reposts, post.comments, post.likes) == (0, 0, 0)
    assert post.raw == {"long_text_fetched": True}
    # weibo.com's /ajax/statuses/longtext names the status by its bid
    (by_bid,) = parse_page(load(fixtures_dir, "weiboapi_statuses_extend.json"), f"{M}/x?id=HyZVegYAP", now)
    assert by_bid.post_id == "4383411844046171"


def test_merge_long_text(fixtures_dir: Path, now: datetime) -> None:
    (short,) = parse_page(load(fixtures_dir, "weiboapi_statuses_show.json"), SHOW, now)
    short = short.model_copy(update={"raw": {**short.raw, "is_long_text": True}, "likes": 7})
    assert needs_long_text(short)
    (full,) = parse_page(load(fixtures_dir, "weiboapi_statuses_extend.json"), EXTEND, now)
    merged = merge_long_text(short, full)
    assert (merged.post_id, merged.author, merged.text) == (short.post_id, "九月九的晴天", full.text)
    assert merged.likes == 7  # extend said 0: keep what we had
    assert merged.raw["long_text_fetched"] is True and not needs_long_text(merged)


def test_api_comments_show(fixtures_dir: Path, now: datetime) -> None:
    posts = parse_page(load(fixtures_dir, "weiboapi_api_comments_show.json"), COMMENTS_SHOW, now)
    assert len(posts) == 12  # 2 in data + 10 in hot_data
    first = posts[0]
    assert (first.post_id, first.parent_id) == ("4383932071637949", "4383183661430868")
    assert first.url == f"{M}/detail/4383183661430868#4383932071637949"
    assert (first.author, first.author_followers, first.likes) == ("迪热热的毛裤诶", 38, 0)
    assert first.text == "吃的完吗？要不我帮你解决一点儿[太开心]"
    assert first.published_at == now  # "刚刚"
    assert first.raw == {
        "kind": "comment",
        "status_id": "4383183661430868",
        "user_id": 6020969248,
        "created_at": "刚刚",
    }
    by_id = {post.post_id: post for post in posts}
    hot = by_id["4383184256927204"]
    assert (hot.author, hot.likes, hot.text) == ("世间本空", 5389, "[doge]我想吃你")
    assert hot.published_at == datetime(2026, 6, 14, tzinfo=SHANGHAI)  # "06-14" against the clock
    reply = by_id["4383185208814242"]
    assert reply.parent_id == "4383184256927204" and reply.raw["reply_id"] == "4383184256927204"
    assert reply.text == "回复@世间本空:没礼貌，我想吃您[doge]"
    assert by_id["4383931988671914"].parent_id == "4383928213171598"
    assert all(post.source == "weibo" and post.raw["status_id"] == "4383183661430868" for post in posts)


def hotflow_body(fixtures_dir: Path, max_id: int = 138958427795431) -> bytes:
    """The documented hotflow envelope around the real comments of api/comments/show."""
    real = json.loads(load(fixtures_dir, "weiboapi_api_comments_show.json"))["data"]["hot_data"]
    by_id = {c["id"]: c for c in real}

    def comment(c: dict[str, Any], root: int, floor: int, replies: list[dict[str, Any]] | bool) -> dict[str, Any]:
        return {
            "id": c["id"],
            "mid": str(c["id"]),
            "rootid": str(root),
            "floor_number": floor,
            "created_at": "Fri Jun 14 12:10:11 +0800 2019",
            "text": c["text"],
            "like_count": c["like_counts"],
            "liked": False,
            "source": "来自北京",
            "total_number": len(replies) if isinstance(replies, list) else 0,
            "comments": replies,
            "max_id": 0,
            "bid": "HyU4a0Zpy",
            "user": c["user"],
        }

    reply = comment(by_id[4383185208814242], 4383184256927204, 0, False)
    reply["source"] = ""
    data = [
        comment(by_id[4383184256927204], 4383184256927204, 1, [reply]),
        comment(by_id[4383183984547669], 4383183984547669, 2, False),
    ]
    status = {"id": "4383183661430868", "mid": "4383183661430868"}
    return dumps(
        {
            "ok": 1,
            "data": {
                "data": data,
                "total_number": 125020,
                "max_id": max_id,
                "max": 12502,
                "max_id_type": 0,
                "status": status,
            },
        }
    )


def test_hotflow(fixtures_dir: Path, now: datetime) -> None:
    body = hotflow_body(fixtures_dir)
    posts = parse_page(body, HOTFLOW, now)
    assert [(p.post_id, p.parent_id) for p in posts] == [
        ("4383184256927204", "4383183661430868"),
        ("4383185208814242", "4383184256927204"),  # an inline reply points at its root comment
        ("4383183984547669", "4383183661430868"),
    ]
    root = posts[0]
    assert (root.author, root.likes, root.comments, root.text) == ("世间本空", 5389, 1, "[doge]我想吃你")
    assert root.published_at == datetime(2019, 6, 14, 12, 10, 11, tzinfo=SHANGHAI)
    assert root.raw["source"] == "来自北京" and root.raw["region"] == "北京" and root.raw["floor"] == 1
    assert "region" not in posts[1].raw
    assert hotflow_cursor(body) == ("138958427795431", "0")
    assert hotflow_cursor(hotflow_body(fixtures_dir, max_id=0)) is None
    # without an id in the URL, the status comes from the answer
    assert [p.parent_id for p in parse_page(body, f"{M}/comments/hotflow", now)][0] == "4383183661430868"


def test_weibo_com_build_comments(fixtures_dir: Path, now: datetime) -> None:
    """weibo.com ``/ajax/statuses/buildComments``: ``data`` is the comment list itself."""
    hot = json.loads(load(fixtures_dir, "weiboapi_api_comments_show.json"))["data"]["hot_data"][:3]
    body = dumps({"ok": 1, "data": hot, "max_id": 0, "total_number": 3})
    url = "https://weibo.com/ajax/statuses/buildComments?is_reload=1&id=4383183661430868&count=20"
    posts = parse_page(body, url, now)
    assert [p.post_id for p in posts] == [str(c["id"]) for c in hot]
    assert {p.parent_id for p in posts} == {"4383183661430868"}


def ajax_status(fixtures_dir: Path) -> dict[str, Any]:
    """A weibo.com /ajax/statuses/show bare status, from the real statuses/show mblog."""
    mblog = dict(json.loads(load(fixtures_dir, "weiboapi_statuses_show.json"))["data"])
    mblog.pop("ok")
    mblog["mblogid"] = mblog.pop("bid")
    mblog["idstr"] = mblog["id"]
    mblog["id"] = int(mblog["id"])
    mblog["text_raw"] = "转发微博\u200b"
    mblog["region_name"] = "发布于 江苏"
    mblog["source"] = '<a href="https://app.weibo.com/t/feed/5yiHuw">iPhone客户端</a>'
    return mblog


def test_weibo_com_ajax_status(fixtures_dir: Path, now: datetime) -> None:
    mblog = ajax_status(fixtures_dir)
    (post,) = parse_page(dumps(mblog), "https://weibo.com/ajax/statuses/show?id=HyZVegYAP", now)
    assert (post.post_id, post.text, post.parent_id) == ("4383411844046171", "转发微博", "4383404751066167")
    assert post.raw["bid"] == "HyZVegYAP"
    assert (post.raw["client"], post.raw["region_name"]) == ("iPhone客户端", "发布于 江苏")
    # the same object with an "ok" and no "data" wrapper, at any URL
    assert parse_page(dumps({**mblog, "ok": 1}), f"{M}/anything", now)[0].post_id == "4383411844046171"


def test_repost_timeline_and_mymblog(fixtures_dir: Path, now: datetime) -> None:
    cards = json.loads(load(fixtures_dir, "weibocrawler_getIndex_230413_since_id_2022.json"))["data"]["cards"]
    mblogs = list(iter_mblogs(cards))[:3]
    reposts = dumps({"ok": 1, "data": {"data": mblogs, "total_number": 3, "max": 1}})
    assert json_kind(json.loads(reposts), f"{M}/x") == "reposts"
    assert [p.post_id for p in parse_page(reposts, f"{M}/api/statuses/repostTimeline?id=1", now)] == [
        m["id"] for m in mblogs
    ]
    mymblog = dumps({"ok": 1, "data": {"list": mblogs, "since_id": "x", "total": 3}})
    assert len(parse_page(mymblog, "https://weibo.com/ajax/statuses/mymblog?uid=1", now)) == 3


def test_rendered_weibo_com_status(fixtures_dir: Path, now: datetime) -> None:
    body = load(fixtures_dir, "magichtml_weibo_com_status_177560436e1c.html")
    status, comment = parse_page(body, RENDERED, now)
    assert (status.post_id, status.raw["bid"]) == ("5033616848194005", "Oe6wIynDn")
    assert (status.author, status.raw["user_id"]) == ("头条新闻", 1618051664)
    assert status.published_at == datetime(2024, 5, 13, 17, 7, tzinfo=SHANGHAI)  # "24-5-13 17:07"
    assert (status.reposts, status.comments, status.likes) == (8, 15, 55)
    assert status.raw["client"] == "微博发布平台专业版"
    expected = json.loads(load(fixtures_dir, "magichtml_weibo_com_status_177560436e1c.html.expected.json"))
    gold_status = expected["expected_main_content"].split("\nMickey-R\n")[0]

    def squash(text: str) -> str:
        return re.sub(r"\s+", "", text)

    assert squash(status.text) == squash(gold_status)
    # the page renders one comment (a virtual scroller); the gold text lists 18 from another capture
    assert (comment.author, comment.text) == ("Mickey-R", "这么大的公园，有关部门对此事一无所知应该说不过去。")
    assert comment.parent_id == status.post_id and comment.post_id.startswith(status.post_id + "_")
    assert (comment.likes, comment.raw["region"], comment.raw["derived_id"]) == (9, "福建", True)
    assert comment.published_at == datetime(2024, 5, 13, 17, 8, tzinfo=SHANGHAI)
    assert parse_page(body, RENDERED, now)[1].post_id == comment.post_id  # the derived id is stable


# --- cursors ---------------------------------------------------------------------------------


def test_cursors(fixtures_dir: Path) -> None:
    timeline = load(fixtures_dir, "weibocrawler_getIndex_230413_since_id_2022.json")
    assert next_since_id(timeline) == "4806110650831915"
    assert next_page(timeline) is None
    statuses = load(fixtures_dir, "weiboapi_getIndex_107603_user_statuses.json")
    assert (next_page(statuses), next_since_id(statuses)) == (2, None)
    assert next_page(load(fixtures_dir, "koa2_83892d9.json")) is None  # "page": null, the last page
    assert next_page(b"<html>") is None and next_since_id(b"") is None and hotflow_cursor(b"{") is None


# --- errors ---------------------------------------------------------------------------------


LOGIN_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>微博 - 随时随地发现新鲜事</title></head>'
    '<body><a href="https://passport.weibo.cn/signin/login?entry=mweibo">登录</a></body></html>'
).encode()


@pytest.mark.parametrize(
    ("body", "url", "needle"),
    [
        (
            b'{"ok":-100,"errno":"-100","msg":"","url":"https://m.weibo.cn/captcha?scene=limit&referer=/","extra":""}',
            GETINDEX,
            "captcha",
        ),
        (b'{"ok":-100,"url":"https://m.weibo.cn/captcha?scene=limit"}', HOTFLOW, "ok=-100"),
        ('{"ok":0,"msg":"请求过于频繁"}'.encode(), EXTEND, "请求过于频繁"),
        (LOGIN_PAGE, GETINDEX, "not JSON"),
        (b"", HOTFLOW, "not JSON"),
        (b"[1, 2]", GETINDEX, "not a JSON object"),
        (b'{"ok":1,"data":{"x":1}}', f"{M}/unknown", "no known kind"),
    ],
)
def test_error_bodies(body: bytes, url: str, needle: str, now: datetime) -> None:
    with pytest.raises(ParseError, match=needle) as info:
        parse_page(body, url, now)
    assert url in str(info.value)
    assert not isinstance(info.value, LayoutChanged)


@pytest.mark.parametrize("url", [GETINDEX, HOTFLOW, EXTEND, f"{M}/unknown"])
def test_no_more_content_is_empty(url: str, now: datetime) -> None:
    assert parse_page('{"ok":0,"msg":"这里还没有内容","data":{"cards":[]}}'.encode(), url, now) == []
    assert parse_page('{"ok":0,"msg":"这里还没有内容"}'.encode(), url, now) == []


def test_empty_lists_are_empty(now: datetime) -> None:
    assert parse_page(b'{"ok":1,"data":{"cards":[]}}', GETINDEX, now) == []
    assert parse_page(b'{"ok":1,"data":{"data":[],"max_id":0}}', HOTFLOW, now) == []


@pytest.mark.parametrize(
    ("payload", "url"),
    [
        ({"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": {"text": "no id"}}]}}, GETINDEX),
        ({"ok": 1, "data": {"data": [{"text": "no id", "like_count": 1}], "max_id": 0}}, HOTFLOW),
        ({"ok": 1, "data": {"data": ["not a comment"], "max_id": 0}}, HOTFLOW),
        ({"ok": 1, "data": {"longTextContent": None}}, EXTEND),
        ({"ok": 1, "data": {"id": "", "reposts_count": 1}}, SHOW),
    ],
)
def test_layout_changed(payload: dict[str, Any], url: str, now: datetime) -> None:
    with pytest.raises(LayoutChanged, match="weibo"):
        parse_page(dumps(payload), url, now)


def test_layout_changed_on_the_rendered_page(fixtures_dir: Path, now: datetime) -> None:
    body = load(fixtures_dir, "magichtml_weibo_com_status_177560436e1c.html").replace(b"detail_wbtext_", b"x_")
    with pytest.raises(LayoutChanged):
        parse_page(body, RENDERED, now)


# --- ids --------------------------------------------------------------------------------------


def test_bid_mid_pairs_of_the_json_fixtures(fixtures_dir: Path) -> None:
    """Every status in the fixtures that carries both ids converts both ways."""
    pairs: set[tuple[str, str]] = set()
    for name in (
        "weibocrawler_getIndex_230413_since_id_2022.json",
        "weiboapi_getIndex_107603_user_statuses.json",
    ):
        for mblog in iter_mblogs(json.loads(load(fixtures_dir, name))["data"]["cards"]):
            for status in (mblog, mblog.get("retweeted_status")):
                if isinstance(status, dict) and status.get("bid"):
                    pairs.add((status["bid"], status["id"]))
    show = json.loads(load(fixtures_dir, "weiboapi_statuses_show.json"))["data"]
    pairs |= {(show["bid"], show["id"]), (show["retweeted_status"]["bid"], show["retweeted_status"]["id"])}
    assert len(pairs) == 28
    for bid, mid in pairs:
        assert bid_to_mid(bid) == mid
        assert mid_to_bid(mid) == bid


@pytest.mark.parametrize(
    ("bid", "mid"),
    [
        ("z0JH2lOMb", "3501756485200075"),  # nghuyong's url_to_mid example (STRUCTURE.md §1.3)
        ("Oe6wIynDn", "5033616848194005"),
        ("M2yZDcqrZ", "4806111732961615"),
        ("HyZVegYAP", "4383411844046171"),
    ],
)
def test_bid_mid(bid: str, mid: str) -> None:
    assert bid_to_mid(bid) == mid and mid_to_bid(mid) == bid and mid_to_bid(int(mid)) == bid
    assert as_mid(bid) == mid and as_mid(mid) == mid


def test_bad_ids() -> None:
    for bad in ("", "abc-def", "x" * 13):
        with pytest.raises(ValueError):
            bid_to_mid(bad)
    with pytest.raises(ValueError):
        mid_to_bid("12a")
    assert as_mid(None) is None and as_mid("no/bid") is None


def test_comments_saved_without_their_address_still_parse(fixtures_dir: Path, now: datetime) -> None:
    """`yuqing parse` on a comments file with no --url: the status is unknown, the comments are not lost."""
    body = (fixtures_dir / "weibo" / "weiboapi_api_comments_show.json").read_bytes()
    posts = parse_page(body, "file:///tmp/comments.json", now)
    assert posts and all(p.parent_id is None or p.parent_id.isdigit() for p in posts)
    assert posts[0].url == f"file:///tmp/comments.json#{posts[0].post_id}"
    assert "status_id" not in posts[0].raw or posts[0].raw["status_id"] is None
