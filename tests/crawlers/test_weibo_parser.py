"""parse_getindex on the real m.weibo.cn getIndex fixtures and on a synthetic search envelope."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from yuqing.crawlers.parsers.errors import ParseError
from yuqing.crawlers.parsers.weibo import html_to_text, parse_count, parse_getindex
from yuqing.post import SHANGHAI

URL = "https://m.weibo.cn/api/container/getIndex?containerid=x"


def load(fixtures_dir: Path, name: str) -> bytes:
    return (fixtures_dir / "weibo" / name).read_bytes()


def test_timeline_2022(fixtures_dir: Path, now: datetime) -> None:
    posts = parse_getindex(load(fixtures_dir, "weibocrawler_getIndex_230413_since_id_2022.json"), URL, now)
    assert len(posts) == 10
    first = posts[0]
    assert first.source == "weibo"
    assert first.post_id == "4806111732961615"
    assert first.url == "https://m.weibo.cn/detail/4806111732961615"
    assert first.author == "Lo娘嘀咕嘀咕"
    assert first.author_followers == 434_000  # "43.4万"
    assert first.published_at == datetime(2022, 8, 24, 22, 3, 13, tzinfo=SHANGHAI)
    assert (first.reposts, first.comments, first.likes) == (0, 68, 135)
    assert first.text.splitlines()[:2] == ["🌟#今日话题#🌟", "-房间整理[送花花]"]
    assert "<" not in first.text and "surl-text" not in first.text
    assert first.parent_id is None
    assert first.raw == {
        "bid": "M2yZDcqrZ",
        "user_id": 6074526225,
        "region_name": "发布于 浙江",
        "is_long_text": False,
        "created_at": "Wed Aug 24 22:03:13 +0800 2022",
    }
    assert first.fetched_at == now
    # reposts point at the original status
    repost = posts[1]
    assert repost.text == "捞"
    assert repost.parent_id == "4796328754549490"
    assert repost.raw["retweeted"]["id"] == "4796328754549490"
    assert "@SEVEN-BABY-Lolita原创工坊" in repost.raw["retweeted"]["text"]
    assert "全文" not in repost.raw["retweeted"]["text"]
    assert sum(post.parent_id is not None for post in posts) == 5
    assert [p.published_at for p in posts] == sorted((p.published_at for p in posts), reverse=True)


def test_user_statuses_2019(fixtures_dir: Path, now: datetime) -> None:
    posts = parse_getindex(load(fixtures_dir, "weiboapi_getIndex_107603_user_statuses.json"), URL, now)
    assert len(posts) == 10
    first = posts[0]
    assert first.post_id == "4383183661430868"
    assert first.author == "Dear-迪丽热巴"
    assert first.author_followers == 63_356_825
    assert first.text == "搬完这块砖，就可以吃好吃的了[偷笑][偷笑][偷笑]"
    # "06-14" has no year: resolved against the injected clock (2026-11-28)
    assert first.published_at == datetime(2026, 6, 14, tzinfo=SHANGHAI)
    assert (first.reposts, first.comments, first.likes) == (240492, 95535, 348872)
    by_id = {post.post_id: post for post in posts}
    assert by_id["4381207217392722"].reposts == 1_000_000  # "100万+"
    assert by_id["4379188905591760"].comments == 1_000_000
    assert by_id["4383180406740606"].parent_id == "4383031864995274"
    assert by_id["4378893399854472"].raw["client"] == "生日动态"
    assert "#不潮不出街#" in by_id["4382054705416396"].text


def test_group_cards_without_posts(fixtures_dir: Path, now: datetime) -> None:
    """An album container: two type-11 groups of picture cards (47, 8), nothing to post."""
    assert parse_getindex(load(fixtures_dir, "koa2_83892d9.json"), URL, now) == []


def test_profile_container_has_no_cards(fixtures_dir: Path, now: datetime) -> None:
    assert parse_getindex(load(fixtures_dir, "koa2_158b8ba.json"), URL, now) == []


def search_envelope(mblogs: list[dict[str, Any]], keyword: str = "星河电器") -> dict[str, Any]:
    """The documented search response shape (no real fixture exists): top-level and grouped cards."""

    def card(mblog: dict[str, Any]) -> dict[str, Any]:
        return {"card_type": 9, "itemid": f"seqid:1|mid={mblog['id']}", "mblog": mblog}

    return {
        "ok": 1,
        "data": {
            "cardlistInfo": {"containerid": f"100103type=1&q={keyword}", "page": 2, "page_type": "searchall"},
            "cards": [
                {"card_type": 58, "desc": "综合"},
                card(mblogs[0]),
                {
                    "card_type": 11,
                    "card_group": [
                        {"card_type": 4, "desc": "用户"},
                        card(mblogs[1]),
                        card(mblogs[2]),
                        card(mblogs[0]),  # duplicates are kept once
                    ],
                },
                card(mblogs[3]),
                {"card_type": 11, "card_group": [card(mblogs[4])]},
            ],
        },
    }


def test_synthetic_search_envelope(fixtures_dir: Path, now: datetime) -> None:
    cards = json.loads(load(fixtures_dir, "weibocrawler_getIndex_230413_since_id_2022.json"))["data"]["cards"]
    mblogs = [c["mblog"] for c in cards[:5]]
    body = json.dumps(search_envelope(mblogs), ensure_ascii=False).encode("utf-8")
    posts = parse_getindex(body, URL, now)
    assert [p.post_id for p in posts] == [mblogs[i]["id"] for i in (0, 1, 2, 3, 4)]
    assert all(p.author == "Lo娘嘀咕嘀咕" for p in posts)


def test_empty_result_is_not_an_error(now: datetime) -> None:
    body = '{"ok":0,"msg":"这里还没有内容","data":{"cards":[]}}'.encode()
    assert parse_getindex(body, URL, now) == []


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b'{"ok":-100,"errno":"-100","msg":"","url":"https://m.weibo.cn/captcha?scene=limit"}', "ok=-100"),
        ('{"ok":0,"msg":"请求过于频繁"}'.encode(), "请求过于频繁"),
        (b"<html><head><title>\xe7\x99\xbb\xe5\xbd\x95</title></head></html>", "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
    ],
)
def test_errors(body: bytes, needle: str, now: datetime) -> None:
    with pytest.raises(ParseError, match=needle) as info:
        parse_getindex(body, URL, now)
    assert URL in str(info.value)
    assert isinstance(info.value, ValueError)


def test_deleted_user_and_bad_time(now: datetime) -> None:
    mblog = {"id": 42, "created_at": "某个时候", "text": "hi", "user": None, "reposts_count": "转发"}
    body = json.dumps({"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": mblog}, {"card_type": 9}]}})
    (post,) = parse_getindex(body.encode(), URL, now)
    assert (post.post_id, post.author, post.author_followers, post.published_at, post.reposts) == (
        "42",
        "",
        None,
        None,
        0,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (63356825, 63356825),
        ("43.4万", 434_000),
        ("1.2亿", 120_000_000),
        ("100万+", 1_000_000),
        ("1,234", 1234),
        ("17", 17),
        ("", None),
        (None, None),
        ("转发", None),
        (True, None),
    ],
)
def test_parse_count(value: object, expected: int | None) -> None:
    assert parse_count(value) == expected


def test_html_to_text() -> None:
    html = (
        '<a  href="https://m.weibo.cn/search?q=%23x%23"><span class="surl-text">#星河空调#</span></a>太吵了'
        '<span class="url-icon"><img alt=[怒] src="//h5.sinaimg.cn/d_nu.png" /></span><br />'
        "<a href='/n/星河电器官方微博'>@星河电器官方微博</a> 管不管 &amp; 修不修 ..."
        '<a href="/status/4796328754549490">全文</a>'
    )
    assert html_to_text(html) == "#星河空调#太吵了[怒]\n@星河电器官方微博 管不管 & 修不修 ..."
