"""parse_web on the real 2020-layout Baidu pages and on a 2021+-layout page written here."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from yuqing.crawlers.parsers.baidu import parse_web, result_id
from yuqing.crawlers.parsers.errors import ParseError
from yuqing.post import SHANGHAI

URL = "https://www.baidu.com/s?wd=Python&pn=0&rn=10&ie=utf-8"


def load(fixtures_dir: Path, name: str) -> bytes:
    return (fixtures_dir / "baidu" / name).read_bytes()


def test_normal_page(fixtures_dir: Path, now: datetime) -> None:
    posts = parse_web(load(fixtures_dir, "baiduspider_test_web_normal.html"), URL, now)
    assert len(posts) == 10
    assert len({p.post_id for p in posts}) == 10
    assert all(p.source == "baidu" and p.fetched_at == now for p in posts)
    # the ground truth of SOURCES.md: the first organic result
    python_org = posts[1]
    assert python_org.title == "Welcome to Python.org"
    assert (
        python_org.url
        == "http://www.baidu.com/link?url=yC-vpJc3cGCINc7SrFvV0A5-mBa3lrOseRMxZzZxXmlh1TqtxC8jgrOPHgSJi7_O"
    )
    assert python_org.raw["display_url"] == "www.python.org/"
    assert python_org.post_id == result_id(python_org.url)
    assert python_org.text.startswith("The official home of the Python Programming Language...")
    assert python_org.published_at is None
    # aladdin card: the real URL comes from @mu, the redirect link is kept in raw
    baike = posts[0]
    assert baike.title == "Python(计算机程序设计语言)_百度百科"
    assert baike.url == "https://baike.baidu.com/item/Python/407313"
    assert baike.raw["link"].startswith("http://www.baidu.com/link?url=Y_BHnzKtLh7")
    assert baike.raw["tpl"] == "bk_polysemy"
    assert baike.text.startswith("Python是一种跨平台的计算机程序设计语言。")
    # date prefix of the abstract
    runoob = posts[3]
    assert runoob.title == "Python 基础教程 | 菜鸟教程"
    assert runoob.published_at == datetime(2020, 1, 1, tzinfo=SHANGHAI)
    assert runoob.raw["date_text"] == "2020年1月1日"
    assert runoob.text.startswith("Python 基础教程 Python 是一种解释型")
    # a relative link is made absolute
    video = posts[9]
    assert video.url == "http://3108.lightapp.baidu.com/Python"
    assert video.raw["link"].startswith("https://www.baidu.com/sf/vsearch?")


def test_pages_page(fixtures_dir: Path, now: datetime) -> None:
    posts = parse_web(load(fixtures_dir, "baiduspider_test_web_pages.html"), URL, now)
    assert [p.title for p in posts[:3]] == [
        "Welcome to Python.org",
        "Python(计算机程序设计语言)_百度百科",
        "PyPI · The Python Package Index",
    ]
    unparsed = posts[4]  # "1天内 - " is no point in time: kept as text only
    assert unparsed.published_at is None and unparsed.raw["date_text"] == "1天内"


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("baiduspider_test_web_baike-img.html", 10),
        ("baiduspider_test_web_baike-none.html", 10),
        ("baiduspider_test_web_baike-video.html", 10),
        ("baiduspider_test_web_calc.html", 9),  # the calculator card has no title: skipped
    ],
)
def test_counts(fixtures_dir: Path, now: datetime, name: str, count: int) -> None:
    posts = parse_web(load(fixtures_dir, name), URL, now)
    assert len(posts) == count
    assert all(p.title and p.url.startswith("http") for p in posts)


def test_calculator_is_skipped(fixtures_dir: Path, now: datetime) -> None:
    posts = parse_web(load(fixtures_dir, "baiduspider_test_web_calc.html"), URL, now)
    assert posts[0].title == "107乘13简便计算_百度知道"
    assert posts[0].raw["rank"] == "2"


def test_invalid_page(fixtures_dir: Path, now: datetime) -> None:
    with pytest.raises(ParseError, match="not a Baidu result page"):
        parse_web(load(fixtures_dir, "baiduspider_test_web_invalid.html"), URL, now)


def test_no_results_page(now: datetime) -> None:
    page = "<html><head><title>zzqqxx_百度搜索</title></head><body><div id='wrapper'><div id='head'></div>"
    page += "<div id='container'><div class='nors'><p>抱歉没有找到与“zzqqxx”相关的网页。</p></div></div></div></body></html>"
    assert parse_web(page.encode(), URL, now) == []


NEW_LAYOUT = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>星河空调_百度搜索</title></head>
<body><div id="wrapper"><div id="content_left">
<div class="result c-container xpath-log new-pmd" srcid="1599" id="1" tpl="se_com_default"
     mu="https://www.example.com/news/1.html" data-click="{}">
  <div class="c-container"><h3 class="c-title t t tts-title">
    <a href="http://www.baidu.com/link?url=AAA" target="_blank"><em>星河空调</em>异响 售后推诿</a></h3>
  <div class="c-row"><div class="c-span9 c-span-last">
    <span class="content-right_8Zs40"><span class="c-color-gray2">3小时前&nbsp;</span>用户投诉<em>星河空调</em>异响,售后推诿。</span>
    <div class="c-row"><span class="c-color-gray">消费日报</span></div>
  </div></div></div>
</div>
<div class="result-op c-container xpath-log new-pmd" srcid="28608" id="2" tpl="recommend_list">
  <div class="c-row"><span class="c-color-gray2">大家还在搜</span><a href="/s?wd=x">星河热水器</a></div>
</div>
<div class="result c-container xpath-log new-pmd" srcid="1599" id="3" tpl="se_com_default"
     mu="https://zhidao.example.com/q/2.html">
  <h3 class="t"><a href="http://www.baidu.com/link?url=BBB">星河空调怎么样?</a></h3>
  <div class="c-abstract"><span class="c-color-gray2">2023年5月1日 </span>用了三年,很满意。</div>
</div>
<div class="result c-container xpath-log new-pmd" srcid="1599" id="4" tpl="se_com_default">
  <h3 class="c-title t"><a href="http://www.baidu.com/link?url=CCC">无 mu 的结果</a></h3>
  <span class="content-right_2aB3c">摘要</span>
  <div class="c-tools" data-tools='{"title":"无 mu 的结果","url":"http://www.baidu.com/link?url=CCC-tools"}'></div>
</div>
</div></div></body></html>"""


def test_new_layout(now: datetime) -> None:
    posts = parse_web(NEW_LAYOUT.encode("utf-8"), "https://www.baidu.com/s?wd=%E6%98%9F%E6%B2%B3", now)
    assert [p.title for p in posts] == ["星河空调异响 售后推诿", "星河空调怎么样?", "无 mu 的结果"]
    first, second, third = posts
    assert first.url == "https://www.example.com/news/1.html"
    assert first.post_id == result_id("https://www.example.com/news/1.html")
    assert first.text == "用户投诉星河空调异响,售后推诿。"
    assert first.published_at == datetime(2026, 11, 28, 7, 0, tzinfo=SHANGHAI)
    assert first.raw == {
        "rank": "1",
        "tpl": "se_com_default",
        "link": "http://www.baidu.com/link?url=AAA",
        "display_url": "消费日报",
        "date_text": "3小时前",
    }
    assert second.text == "用了三年,很满意。"
    assert second.published_at == datetime(2023, 5, 1, tzinfo=SHANGHAI)
    assert third.url == "http://www.baidu.com/link?url=CCC-tools"  # data-tools when there is no @mu
    assert third.text == "摘要" and third.published_at is None


def test_ids_are_stable(fixtures_dir: Path, now: datetime) -> None:
    body = load(fixtures_dir, "baiduspider_test_web_normal.html")
    later = datetime(2027, 1, 1, tzinfo=SHANGHAI)
    assert [p.post_id for p in parse_web(body, URL, now)] == [p.post_id for p in parse_web(body, URL, later)]
