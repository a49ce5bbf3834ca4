"""weibo.cn (old WAP) pages: profile and comment pages; the other saved pages are refused.

URLs come from the fixtures' url_map.json; the expected values from weiboSpider's
tests (test_page_parser.py, test_comment_parser.py) where they exist, else from the pages.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.crawlers.parsers.weibo import bid_to_mid
from yuqing.crawlers.parsers.weibocn import parse_page, total_pages
from yuqing.post import SHANGHAI, Post

PROFILE = "https://weibo.cn/1669879400/profile"
COMMENTS = "https://weibo.cn/comment/J5cVGuUNq"


def page(fixtures_dir: Path, url: str) -> bytes:
    folder = fixtures_dir / "weibo" / "weibocn_html"
    url_map = json.loads((folder / "url_map.json").read_text(encoding="utf-8"))
    return (folder / Path(url_map[url]).name).read_bytes()


def parse(fixtures_dir: Path, url: str, now: datetime) -> list[Post]:
    return parse_page(page(fixtures_dir, url), url, now)


@pytest.mark.parametrize("url", [PROFILE, f"{PROFILE}?page=1", f"{PROFILE}?page=2", f"{PROFILE}?page=3"])
def test_profile_pages(fixtures_dir: Path, now: datetime, url: str) -> None:
    posts = parse(fixtures_dir, url, now)
    assert len(posts) == 10
    assert all(p.source == "weibo" and p.author == "Dear-迪丽热巴" for p in posts)
    assert all(p.raw["user_id"] == 1669879400 and p.post_id == bid_to_mid(p.raw["bid"]) for p in posts)
    assert all(p.url == f"https://m.weibo.cn/detail/{p.post_id}" for p in posts)
    assert all(p.text and "赞[" not in p.text and "收藏" not in p.text and "原图" not in p.text for p in posts)
    assert total_pages(page(fixtures_dir, url)) == 117


def test_profile_page_2_as_weibospider_expects(fixtures_dir: Path, now: datetime) -> None:
    posts = parse(fixtures_dir, f"{PROFILE}?page=2", now)
    birthday, theatre = posts[:2]
    assert (birthday.raw["bid"], birthday.post_id) == ("J4PGk4yMw", "4511519801087016")
    assert (birthday.text, birthday.raw["client"]) == ("生日动态", "生日动态")
    assert birthday.published_at == datetime(2020, 6, 3, 0, 0, tzinfo=SHANGHAI)
    assert (birthday.likes, birthday.reposts, birthday.comments) == (1499675, 1000000, 1000000)
    assert theatre.raw["bid"] == "J4EUStJKu"
    assert theatre.text == "#微博剧场# #周放设计淡黄的长裙# 这是一幅有声音的手稿[喵喵]#幸福触手可及# 绿洲"
    assert theatre.published_at == datetime(2020, 6, 1, 20, 35, tzinfo=SHANGHAI)
    assert (theatre.raw["client"], theatre.likes) == ("绿洲APP", 419181)
    assert birthday.author_followers == 70805575


def test_profile_page_1(fixtures_dir: Path, now: datetime) -> None:
    posts = parse(fixtures_dir, f"{PROFILE}?page=1", now)
    first = posts[0]
    assert (first.post_id, first.raw["bid"]) == ("4516868084180273", "J74OAhxtL")
    assert first.text == "#一起热爱就现在#给你们康康我眼前的画面[嘻嘻] 绿洲"
    assert first.published_at == datetime(2026, 6, 17, 18, 12, tzinfo=SHANGHAI)  # "06月17日 18:12": this year
    assert (first.likes, first.reposts, first.comments) == (523801, 1000000, 393530)
    assert first.raw == {
        "bid": "J74OAhxtL",
        "user_id": 1669879400,
        "client": "绿洲APP",
        "is_long_text": False,
        "created_at": "06月17日 18:12",
    }
    assert posts[3].text == "7000[耶] 绿洲"  # "[组图共2张]" dropped
    assert posts[9].text == "#微博live秀# 28岁的直播～@Dear-迪丽热巴 的一直播（下载App->http://t.cn/RDUuslr）"
    repost = posts[7]
    assert (repost.raw["bid"], repost.post_id, repost.parent_id) == (
        "J5cVGuUNq",
        "4512413447368168",
        "4512410675074474",
    )
    assert repost.text.startswith("在羌塘的美好回忆～第一次来到这片独特的荒野")
    assert not repost.text.startswith("转发理由")
    assert (repost.likes, repost.reposts, repost.comments) == (554415, 1000000, 1000000)  # not the original's
    original = repost.raw["retweeted"]
    assert (original["bid"], original["id"], original["author"]) == (
        "J5cRdli6m",
        "4512410675074474",
        "WCS野生生物保护学会",
    )
    assert original["text"].startswith("去年和亲善大使热巴@Dear-迪丽热巴 的特别回忆[心]。")
    assert original["text"].endswith("希望看完视频的你们，也...") and original["is_long_text"] is True


def test_profile_page_3_reposts(fixtures_dir: Path, now: datetime) -> None:
    posts = {p.raw["bid"]: p for p in parse(fixtures_dir, f"{PROFILE}?page=3", now)}
    assert sum(p.parent_id is not None for p in posts.values()) == 5
    three_divs = posts["J24zxbSsA"]  # text, pictures + the original's counts, then the reason
    assert three_divs.parent_id == bid_to_mid("J24pYpDpY")
    assert three_divs.raw["retweeted"]["author"] == "电视剧幸福触手可及"
    assert (three_divs.likes, three_divs.reposts, three_divs.comments) == (480418, 57012, 40966)
    assert three_divs.text.startswith("#幸福触手可及定档0519# 唯有热爱，不负韶华")
    chain = posts["IFHwwaVNL"]
    assert (
        chain.text
        == "#极限挑战#举手之劳，岳岳哥别客气！//@岳云鹏:#极限挑战#谢谢热巴@Dear-迪丽热巴 给我p图，我这里还有好多库存 查看图片"
    )
    assert posts["J20CL0m1Z"].raw["retweeted"]["text"].startswith("【爱豆喊你来助力#北京2022#】\n花样滑冰")


def test_comment_page(fixtures_dir: Path, now: datetime) -> None:
    status, *comments = parse(fixtures_dir, COMMENTS, now)
    assert (status.post_id, status.raw["bid"], status.author) == ("4512413447368168", "J5cVGuUNq", "Dear-迪丽热巴")
    assert status.published_at == datetime(2020, 6, 5, 11, 11, 5, tzinfo=SHANGHAI)
    assert (status.reposts, status.comments, status.likes) == (1000000, 1000000, 572950)
    assert status.parent_id == "4512410675074474"
    # weiboSpider's expected long text of the original, with the [心] emoticon this parser keeps
    assert status.raw["retweeted"]["text"] == (
        "去年和亲善大使热巴@Dear-迪丽热巴 的特别回忆[心]。我们在藏北羌塘一起爬山，探访藏羚羊、雪豹、黑颈鹤的栖息地，"
        "感受野生动物保护工作的点滴。此时此刻，我们比以往更加重视与自然相处的方式，我们也从未如此迫切需要将想法付诸行动。"
        "热巴已经和我们@北京绿色阳光 站在一起，希望看完视频的你们，也能获得同样感受与动力。\n"
        "We Stand for Wildlife.\n明日朝阳68309的优酷视频"
    )
    assert status.text.startswith("在羌塘的美好回忆～") and status.text.endswith("我们每个人都能贡献力量。[心]")
    assert len(comments) == 12
    lux = comments[0]
    assert (lux.post_id, lux.parent_id, lux.author, lux.text) == (
        "4512413737386822",
        "4512413447368168",
        "LUX力士",
        "大家和迪迪一起保护动物[心]",
    )
    assert lux.url == "https://m.weibo.cn/detail/4512413447368168#4512413737386822"
    assert lux.likes == 18737 and lux.published_at == datetime(2020, 6, 5, 11, 12, 14, tzinfo=SHANGHAI)
    assert (lux.raw["client"], lux.raw["hot"], lux.raw["user_url"]) == ("网页", True, "/luxchina")
    recent = comments[3]  # "01月10日 12:43 来自来自河南": time, then the region
    assert (recent.author, recent.raw["user_id"], recent.raw["region"], recent.raw["source"]) == (
        "源汐梦",
        5685899949,
        "河南",
        "来自河南",
    )
    assert recent.published_at == datetime(2026, 1, 10, 12, 43, tzinfo=SHANGHAI)
    assert "client" not in recent.raw and "hot" not in recent.raw
    assert comments[-1].text == "太棒了，热巴姐姐"


def test_comment_bids_are_their_ids(fixtures_dir: Path, now: datetime) -> None:
    """Each comment's like link names it by bid: 12 real bid ↔ id pairs from weibo.cn itself."""
    comments = parse(fixtures_dir, COMMENTS, now)[1:]
    assert len(comments) == 12
    for comment in comments:
        assert bid_to_mid(comment.raw["bid"]) == comment.post_id


@pytest.mark.parametrize(
    "url",
    [
        "https://weibo.cn/1669879400/info",
        "https://weibo.cn/mblog/picAll/J6k49kbTc?rl=1",
        "https://weibo.cn/mblog/picAll/J5ZcSnCAg?rl=1",
        "https://weibo.cn/mblog/picAll/J3xfm61AZ?rl=1",
        "https://weibo.cn/1980768563/photo?tf=6_008",
        "https://weibo.cn/album/166564740000001980768563?rl=1",
    ],
)
def test_other_pages_are_refused(fixtures_dir: Path, now: datetime, url: str) -> None:
    with pytest.raises(ParseError, match="neither a profile nor a comment page") as info:
        parse(fixtures_dir, url, now)
    assert not isinstance(info.value, LayoutChanged)


def test_profile_without_statuses_is_layout_changed(fixtures_dir: Path, now: datetime) -> None:
    body = page(fixtures_dir, PROFILE).replace(b'id="M_', b'id="X_')
    with pytest.raises(LayoutChanged, match="no status"):
        parse_page(body, PROFILE, now)


def test_profile_of_a_user_without_posts_is_empty(fixtures_dir: Path, now: datetime) -> None:
    body = page(fixtures_dir, PROFILE).replace(b'id="M_', b'id="X_').replace("微博[1159]".encode(), "微博[0]".encode())
    assert parse_page(body, PROFILE, now) == []


def test_login_page_is_a_parse_error(now: datetime) -> None:
    body = '<?xml version="1.0" encoding="UTF-8"?><html><head><title>登录 - 新浪微博</title></head><body></body></html>'
    with pytest.raises(ParseError, match="登录"):
        parse_page(body.encode(), "https://weibo.cn/1669879400/profile", now)
