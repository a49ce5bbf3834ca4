"""Baidu news (``tn=news``) on pages written here, parse_page on every real page,
and the pages that must not pass for "no results": captcha and a changed layout."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from yuqing.crawlers.parsers.baidu import parse_news, parse_page, parse_web, result_id
from yuqing.crawlers.parsers.errors import LayoutChanged, ParseError
from yuqing.post import SHANGHAI

NEWS_URL = "https://www.baidu.com/s?tn=news&rtt=4&bsst=1&cl=2&wd=%E6%98%9F%E6%B2%B3&pn=0"
WEB_URL = "https://www.baidu.com/s?wd=%E6%98%9F%E6%B2%B3&pn=0&rn=10&ie=utf-8"
REAL_PAGES = [
    ("baiduspider_test_web_normal.html", 10),
    ("baiduspider_test_web_pages.html", 10),
    ("baiduspider_test_web_baike-img.html", 10),
    ("baiduspider_test_web_baike-none.html", 10),
    ("baiduspider_test_web_baike-video.html", 10),
    ("baiduspider_test_web_calc.html", 9),
]


def news_card(rank: int, title: str, href: str, outlet: str, when: str, abstract: str, mu: str = "") -> str:
    """One card of the 2021+ news layout: hash-suffixed class names, as BaiduSpider's parser saw them."""
    mu_attr = f' mu="{mu}"' if mu else ""
    return f"""<div class="result-op c-container xpath-log new-pmd" srcid="200" id="{rank}" tpl="news-normal"{mu_attr}>
  <div class="c-row"><h3 class="news-title_1YtI1 "><a href="{href}" target="_blank"
     class="news-title-font_1xS-F" aria-label="标题：{title}">{title}</a></h3>
  <div class="c-row c-gap-top-small"><div class="c-span3"><a class="c-img c-img-radius-large"><img src="x.jpg"></a></div>
    <div class="c-span9 c-span-last">
      <span class="c-font-normal c-color-text" aria-label="摘要：{abstract}">{abstract}</span>
      <div class="news-source_Xj4Dv"><a href="{href}" class="source-link_Ft1ov">
        <span class="c-color-gray c-font-normal c-gap-right" aria-label="新闻来源：{outlet}">{outlet}</span></a>
        <span class="c-color-gray2 c-font-normal" aria-label="发布于：{when}">{when}</span></div>
    </div></div></div>
</div>"""


def news_page(cards: str, extra: str = "", wrap: bool = True) -> bytes:
    """2021+ news pages nest the cards in wrapper divs; web pages do not (``wrap=False``)."""
    if wrap:
        cards = f"<div><div>{cards}</div></div>"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>百度资讯搜索_星河</title></head>
<body><div id="wrapper"><div id="wrapper_wrapper"><div id="container">
<div id="content_left">{cards}{extra}</div>
<div id="page"><div class="page-inner"><a class="n" href="/s?tn=news&amp;wd=x&amp;pn=10">下一页 &gt;</a></div></div>
</div></div></div></body></html>""".encode()


CARDS = (
    news_card(
        1,
        "<em>星河空调</em>被曝异响 客服推诿",
        "https://finance.example.com/2026/1128/xinghe.html",
        "消费日报",
        "3小时前",
        "多名用户投诉<em>星河空调</em>夜间异响。",
    )
    + news_card(
        2,
        "星河电器发布三季度财报",
        "http://www.baidu.com/link?url=NEWS2",
        "新浪财经",
        "昨天15:20",
        "营收同比增长。",
        mu="https://news.example.cn/a/2.shtml",
    )
    + news_card(3, "星河热水器召回", "https://www.example.org/recall", "中国质量新闻网", "2天前", "召回 1200 台。")
    + news_card(4, "旧闻", "https://old.example.com/4", "人民网", "2023年5月1日", "")
    + '<div class="result-op c-container new-pmd" tpl="news-realtime"><div class="c-row">相关搜索</div></div>'
)


def test_news_cards(now: datetime) -> None:
    posts = parse_news(news_page(CARDS), NEWS_URL, now)
    assert [p.title for p in posts] == ["星河空调被曝异响 客服推诿", "星河电器发布三季度财报", "星河热水器召回", "旧闻"]
    assert all(p.source == "baidu-news" and p.fetched_at == now for p in posts)
    first, second, third, old = posts
    assert first.url == "https://finance.example.com/2026/1128/xinghe.html"
    assert first.post_id == result_id(first.url)  # the same scheme as web results
    assert first.author == "消费日报"
    assert first.text == "多名用户投诉星河空调夜间异响。"
    assert first.published_at == datetime(2026, 11, 28, 7, 0, tzinfo=SHANGHAI)
    assert first.raw == {"rank": "1", "tpl": "news-normal", "date_text": "3小时前"}
    # @mu is the real URL; the redirect link is kept
    assert second.url == "https://news.example.cn/a/2.shtml"
    assert second.raw["link"] == "http://www.baidu.com/link?url=NEWS2"
    assert second.published_at == datetime(2026, 11, 27, 15, 20, tzinfo=SHANGHAI)
    assert (third.author, third.published_at) == ("中国质量新闻网", datetime(2026, 11, 26, tzinfo=SHANGHAI))
    assert old.published_at == datetime(2023, 5, 1, tzinfo=SHANGHAI) and old.text == ""


def test_news_ids_match_web_ids(now: datetime) -> None:
    """The same article found by web and by news search has the same post_id (not the same key:
    the sources differ)."""
    web = news_page(
        '<div class="result c-container new-pmd" id="1" mu="https://news.example.cn/a/2.shtml">'
        '<h3 class="t"><a href="http://www.baidu.com/link?url=W">星河电器发布三季度财报</a></h3></div>',
        wrap=False,
    )
    (web_post,) = parse_web(web, WEB_URL, now)
    news_post = parse_news(news_page(CARDS), NEWS_URL, now)[1]
    assert web_post.post_id == news_post.post_id and web_post.source != news_post.source


def test_pre_2021_news_layout(now: datetime) -> None:
    cards = """<div class="result" id="1"><h3 class="c-title"><a href="https://www.example.com/n/1.html"
      target="_blank"><em>星河</em>冰箱质量问题调查</a></h3>
    <div class="c-summary c-row"><p class="c-author"><img src="a.png">央视网&nbsp;&nbsp;2020年08月20日 15:20</p>
    冰箱制冷不足，用户多次报修。<span class="c-info"></span></div></div>"""
    (post,) = parse_page(news_page(cards), WEB_URL, now)  # told by its content: p.c-author
    assert post.source == "baidu-news"
    assert (post.title, post.author) == ("星河冰箱质量问题调查", "央视网")
    assert post.published_at == datetime(2020, 8, 20, 15, 20, tzinfo=SHANGHAI)
    assert "冰箱制冷不足" in post.text


def test_parse_page_tells_news_from_web(now: datetime) -> None:
    by_content = parse_page(news_page(CARDS), "https://www.baidu.com/s?wd=x", now)
    assert len(by_content) == 4 and {p.source for p in by_content} == {"baidu-news"}
    # one news-looking card, one plain result: a tie, so the URL decides
    tie = news_page(
        news_card(1, "新闻", "https://a.example.com/1", "人民网", "1小时前", "甲")
        + '<div class="result c-container" id="2"><h3 class="t"><a href="https://b.example.com/2">网页</a></h3></div>',
        wrap=False,
    )
    assert {p.source for p in parse_page(tie, NEWS_URL, now)} == {"baidu-news"}
    assert {p.source for p in parse_page(tie, WEB_URL, now)} == {"baidu"}


@pytest.mark.parametrize(("name", "count"), REAL_PAGES)
def test_real_pages_through_parse_page(fixtures_dir: Path, now: datetime, name: str, count: int) -> None:
    body = (fixtures_dir / "baidu" / name).read_bytes()
    url = "https://www.baidu.com/s?wd=Python&pn=0&rn=10&ie=utf-8"
    posts = parse_page(body, url, now)
    assert len(posts) == count
    assert all(p.source == "baidu" for p in posts)
    assert posts == parse_web(body, url, now)


def test_real_page_first_results(fixtures_dir: Path, now: datetime) -> None:
    body = (fixtures_dir / "baidu" / "baiduspider_test_web_normal.html").read_bytes()
    posts = parse_page(body, "https://www.baidu.com/s?wd=Python", now)
    assert [p.title for p in posts[:2]] == ["Python(计算机程序设计语言)_百度百科", "Welcome to Python.org"]
    assert posts[1].raw["display_url"] == "www.python.org/"


def test_invalid_real_page(fixtures_dir: Path, now: datetime) -> None:
    body = (fixtures_dir / "baidu" / "baiduspider_test_web_invalid.html").read_bytes()
    with pytest.raises(ParseError, match="not a Baidu result page") as caught:
        parse_page(body, NEWS_URL, now)
    assert not isinstance(caught.value, LayoutChanged)


BLOCKED = "<html><head><title>百度安全验证</title></head><body><div class='timeout'>网络不给力，请稍后重试</div></body></html>"


@pytest.mark.parametrize("parse", [parse_page, parse_web, parse_news])
def test_security_check_is_blocked_not_empty(now: datetime, parse) -> None:
    with pytest.raises(ParseError, match="blocked: .*百度安全验证"):
        parse(BLOCKED.encode(), NEWS_URL, now)


def test_captcha_page_is_blocked(now: datetime) -> None:
    page = b"<html><head><title>Baidu</title></head><body><script>location.href='https://wappass.baidu.com/static/captcha/tuxing.html?ak=1'</script></body></html>"
    with pytest.raises(ParseError, match="captcha"):
        parse_page(page, WEB_URL, now)


CHANGED = news_page('<div class="result-op c-container new-pmd" id="1"><div class="card_x9">星河空调</div></div>')


@pytest.mark.parametrize("parse", [parse_page, parse_web, parse_news])
def test_frame_without_results_is_a_layout_change(now: datetime, parse) -> None:
    with pytest.raises(LayoutChanged, match="#content_left"):
        parse(CHANGED, NEWS_URL, now)


def test_no_results_marker_is_really_empty(now: datetime) -> None:
    empty = news_page(
        "", extra='<div class="content_none"><div class="nors"><p>抱歉没有找到与“zzqq”相关的资讯。</p></div></div>'
    )
    assert parse_news(empty, NEWS_URL, now) == []
    assert parse_page(empty, NEWS_URL, now) == []
    text_only = news_page("", extra="<p>很抱歉，没有找到与“zzqq”相关的网页。</p>")
    assert parse_web(text_only, WEB_URL, now) == []
