"""The PostStore contract, on the embedded SQLite store."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from yuqing.post import Analysis
from yuqing.storage.posts import PostQuery
from yuqing.storage.sqlite_posts import SqlitePostStore


@pytest.fixture
def store(tmp_path, segmenter):
    s = SqlitePostStore(tmp_path / "posts.db", segmenter)
    yield s
    s.close()


def test_upsert_is_idempotent_by_source_and_id(store, now: datetime, make_post) -> None:
    post = make_post("1", "星河热水器漏电了", likes=3)
    first = store.upsert([post])
    assert first.created == ["weibo:1"] and first.updated == []
    again = store.upsert([post.model_copy(update={"likes": 9})])
    assert again.created == [] and again.updated == ["weibo:1"]
    assert store.search(PostQuery()).total == 1
    assert store.get("weibo:1").likes == 9
    # the same id on another source is another post
    store.upsert([make_post("1", "别处的帖子", source="baidu")])
    assert store.search(PostQuery()).total == 2


def test_round_trip_keeps_every_field(store, now: datetime, make_post) -> None:
    post = make_post(
        "7",
        "正文",
        title="标题",
        author_followers=434000,
        reposts=1,
        comments=2,
        likes=3,
        parent_id="6",
        raw={"bid": "Abc", "region_name": "发布于 浙江"},
        analysis=Analysis(brands=["星河电器"], sentiment="negative", negative_score=0.91, evidence=["漏电"]),
    )
    store.upsert([post])
    assert store.get("weibo:7") == post
    assert store.get("weibo:7").published_at.utcoffset() == timedelta(hours=8)
    assert store.get("weibo:nope") is None


def test_full_text_search_on_jieba_words(store, now: datetime, make_post) -> None:
    store.upsert(
        [
            make_post("1", "星河热水器漏电，客服推诿，我要维权"),
            make_post("2", "东方家电的空调很安静"),
            make_post("3", "今天天气不错"),
        ]
    )
    assert [p.post_id for p in store.search(PostQuery(text="漏电")).items] == ["1"]
    # a brand word is one token, yet the words inside it are found too
    assert [p.post_id for p in store.search(PostQuery(text="热水器")).items] == ["1"]
    assert [p.post_id for p in store.search(PostQuery(text="星河热水器")).items] == ["1"]
    assert {p.post_id for p in store.search(PostQuery(text="空调")).items} == {"2"}
    # every word must match
    assert store.search(PostQuery(text="漏电 空调")).total == 0
    # punctuation and FTS syntax in a query are not errors
    assert store.search(PostQuery(text='"漏电" (*')).total == 1
    assert store.search(PostQuery(text="！！")).total == 0


def test_filters_combine(store, now: datetime, make_post) -> None:
    neg = Analysis(brands=["星河电器"], sentiment="negative", negative_score=0.9)
    pos = Analysis(brands=["星河电器"], sentiment="positive", negative_score=0.1)
    store.upsert(
        [
            make_post("1", "a", analysis=neg, published_at=now - timedelta(hours=3)),
            make_post("2", "b", analysis=pos, published_at=now - timedelta(hours=1)),
            make_post("3", "c", source="baidu", analysis=neg, published_at=now - timedelta(minutes=5)),
            make_post("4", "d", analysis=Analysis(sentiment="negative")),
        ]
    )
    ids = lambda **kw: [p.key for p in store.search(PostQuery(**kw)).items]  # noqa: E731
    assert ids(sentiment="negative", brand="星河电器") == ["baidu:3", "weibo:1"]
    assert ids(source="weibo", sentiment="negative") == ["weibo:4", "weibo:1"]
    assert ids(since=now - timedelta(hours=2), brand="星河电器") == ["baidu:3", "weibo:2"]
    assert ids(until=now - timedelta(hours=2)) == ["weibo:1"]
    page = store.search(PostQuery(limit=2, offset=1))
    assert page.total == 4 and len(page.items) == 2


def test_post_without_publish_time_is_placed_by_fetch_time(store, now: datetime, make_post) -> None:
    store.upsert([make_post("1", "x", published_at=None, source="baidu")])
    assert store.search(PostQuery(since=now - timedelta(seconds=1))).total == 1


def test_trend_counts_per_shanghai_bucket_and_sentiment(store, now: datetime, make_post) -> None:
    day = datetime(2026, 11, 28, 0, 30, tzinfo=now.tzinfo)  # 00:30 Shanghai is still the previous UTC day
    store.upsert(
        [
            make_post("1", "a", published_at=day, analysis=Analysis(sentiment="negative")),
            make_post("2", "b", published_at=day + timedelta(minutes=10), analysis=Analysis(sentiment="negative")),
            make_post("3", "c", published_at=day + timedelta(hours=2), analysis=Analysis(sentiment="positive")),
            make_post("4", "d", published_at=day - timedelta(hours=1), analysis=Analysis(sentiment="negative")),
        ]
    )
    daily = [(p.start.isoformat(), p.sentiment, p.count) for p in store.trend(PostQuery(), "day")]
    assert daily == [
        ("2026-11-27T00:00:00+08:00", "negative", 1),
        ("2026-11-28T00:00:00+08:00", "negative", 2),
        ("2026-11-28T00:00:00+08:00", "positive", 1),
    ]
    hourly = store.trend(PostQuery(sentiment="negative", since=day), "hour")
    assert [(p.start.hour, p.count) for p in hourly] == [(0, 2)]


def test_store_survives_reopen(tmp_path, segmenter, now: datetime, make_post) -> None:
    first = SqlitePostStore(tmp_path / "posts.db", segmenter)
    first.upsert([make_post("1", "星河空调异响")])
    first.close()
    second = SqlitePostStore(tmp_path / "posts.db", segmenter)
    assert second.search(PostQuery(text="异响")).total == 1
    second.close()


def test_the_pipelines_words_are_indexed(store, segmenter, make_post) -> None:
    """The store indexes the pipeline's words (cleaned, simplified) when a post has them,
    so a traditional-character post is found by a simplified query."""
    post = make_post("9", "星河熱水器漏電了", author="台北用戶")
    post.analysis.tokens = segmenter.cut("星河热水器漏电了")
    store.upsert([post])
    for query in ("漏电", "热水器", "星河热水器", "台北"):
        assert [p.post_id for p in store.search(PostQuery(text=query)).items] == ["9"], query
    assert store.get("weibo:9").text == "星河熱水器漏電了"  # shown as crawled
