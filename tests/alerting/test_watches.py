"""The watch rules: a negative spike against the brand's own baseline, a source gone silent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from yuqing.alerting.watches import NegativeSpike, SilentSource, spike
from yuqing.crawlers.classify import Outcome, Verdict
from yuqing.crawlers.health import HealthBook
from yuqing.nlp.segment import Segmenter
from yuqing.post import Analysis
from yuqing.storage.database import migrate, session_factory
from yuqing.storage.sqlite_posts import SqlitePostStore

BRAND = "星河电器"
NEGATIVE = Analysis(brands=[BRAND], sentiment="negative", negative_score=0.9)

# --- the spike function ----------------------------------------------------------------------


def test_spike_threshold_is_mean_plus_k_sigma() -> None:
    found = spike(11, [2, 4, 4, 4, 5, 5, 7, 9], k=3, min_count=5)  # mean 5, population σ 2
    assert found.mean == 5.0
    assert found.stdev == 2.0
    assert found.threshold == 11.0
    assert found.firing
    assert not spike(10, [2, 4, 4, 4, 5, 5, 7, 9], k=3, min_count=5).firing


def test_spike_threshold_never_falls_below_min_count() -> None:
    quiet = spike(4, [0] * 24, k=3, min_count=5)
    assert (quiet.mean, quiet.stdev, quiet.threshold) == (0.0, 0.0, 5.0)
    assert not quiet.firing
    assert spike(5, [0] * 24, k=3, min_count=5).firing


def test_spike_with_too_little_baseline() -> None:
    assert spike(3, [], k=3, min_count=3).threshold == 3.0
    one = spike(3, [10], k=3, min_count=3)
    assert (one.mean, one.stdev, one.threshold) == (10.0, 0.0, 10.0)
    assert not one.firing


# --- NegativeSpike on a real post store ----------------------------------------------------------


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter(user_words=["星河电器", "星河热水器"])


@pytest.fixture
def store(tmp_path, segmenter):
    s = SqlitePostStore(tmp_path / "posts.db", segmenter)
    yield s
    s.close()


class Posts:
    """Stores negative posts about the brand at chosen times."""

    def __init__(self, store, make_post, now) -> None:
        self.store, self.make_post, self.now, self.n = store, make_post, now, 0

    def add(self, count: int, ago: timedelta, analysis: Analysis = NEGATIVE) -> None:
        posts = []
        for _ in range(count):
            self.n += 1
            posts.append(
                self.make_post(str(self.n), f"星河热水器漏电 {self.n}", analysis=analysis, published_at=self.now - ago)
            )
        self.store.upsert(posts)

    def baseline(self, counts: list[int]) -> None:
        """``counts[i]``: posts in the hour that ended ``i + 1`` hours ago."""
        for i, count in enumerate(counts):
            self.add(count, timedelta(hours=i + 1, minutes=30))


def rule(store, **options) -> NegativeSpike:
    values = {"window": timedelta(hours=1), "baseline": timedelta(hours=24), "k": 3.0, "min_count": 5}
    values.update(options)
    return NegativeSpike(store, [BRAND], severity="serious", **values)


@pytest.fixture
def posts(store, make_post, now) -> Posts:
    return Posts(store, make_post, now)


def test_a_negative_spike_fires_when_the_last_hour_is_well_above_the_baseline(store, posts, now) -> None:
    posts.baseline([1, 2] * 12)  # mean 1.5, σ 0.5: the floor of 5 decides
    posts.add(6, timedelta(minutes=20))
    [alert] = rule(store).check(now)
    assert alert.rule == "negative_spike"
    assert alert.brand == BRAND
    assert alert.group_key == f"brand:{BRAND}:spike"
    assert alert.severity == "serious"
    assert alert.post_key is None and alert.category == "brand"
    assert alert.at == now
    assert alert.title == f"{BRAND}负面声量激增：近 60 分钟 6 条（此前平均 1.5，σ 0.5）"


def test_no_spike_below_the_floor(store, posts, now) -> None:
    posts.baseline([0] * 24)
    posts.add(4, timedelta(minutes=20))
    assert rule(store).check(now) == []


def test_no_spike_when_the_last_hour_is_within_the_baselines_own_swing(store, posts, now) -> None:
    posts.baseline([0, 6] * 12)  # mean 3, σ 3: threshold 12
    posts.add(10, timedelta(minutes=20))
    assert rule(store).check(now) == []
    posts.add(2, timedelta(minutes=40))
    [alert] = rule(store).check(now)
    assert "近 60 分钟 12 条（此前平均 3.0，σ 3.0）" in alert.title


def test_the_spike_counts_only_negative_posts_of_the_brand_in_the_window(store, posts, now) -> None:
    posts.baseline([1] * 24)
    posts.add(5, timedelta(minutes=30), NEGATIVE.model_copy(update={"sentiment": "positive"}))
    posts.add(5, timedelta(minutes=30), NEGATIVE.model_copy(update={"brands": ["东方家电"]}))
    posts.add(5, timedelta(minutes=70))  # the hour before: baseline, not the window
    posts.add(4, timedelta(minutes=1))
    assert rule(store).check(now) == []
    posts.add(1, timedelta(minutes=60))  # the window's start is inside it
    [alert] = rule(store).check(now)
    assert "近 60 分钟 5 条" in alert.title


def test_posts_older_than_the_baseline_do_not_count(store, posts, now) -> None:
    posts.baseline([0] * 24)
    posts.add(50, timedelta(hours=30))  # before the 24 h baseline: would otherwise raise the mean
    posts.add(5, timedelta(minutes=30))
    [alert] = rule(store).check(now)
    assert "此前平均 0.0，σ 0.0" in alert.title


# --- SilentSource on real source-health rows -----------------------------------------------------


@pytest.fixture
def health(tmp_path) -> HealthBook:
    from yuqing.storage.database import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'workflow.db'}")
    migrate(engine)
    yield HealthBook(session_factory(engine))
    engine.dispose()


OK = Verdict(Outcome.OK, "200")
EMPTY = Verdict(Outcome.EMPTY, "no new items")
HOUR = timedelta(hours=1)


def test_a_source_fires_after_silent_hours_without_new_posts(health, now) -> None:
    health.record("weibo", OK, 12, now - timedelta(hours=7), HOUR)  # the last crawl that brought posts
    for hours in range(6, 0, -1):
        health.record("weibo", EMPTY, 0, now - timedelta(hours=hours), HOUR)  # crawls that look fine
    silent = SilentSource(health.all, lambda name: True, timedelta(hours=6))
    [alert] = silent.check(now)
    assert alert.rule == "source_silent"
    assert alert.group_key == "source:weibo:silent"
    assert alert.category == "source" and alert.brand == "" and alert.post_key is None
    assert alert.title == "信源沉默：weibo 已 7 小时没有新内容"
    assert silent.check(now - timedelta(hours=1, minutes=1)) == []  # 5 h 59 m: not yet


def test_a_source_that_still_brings_posts_is_not_silent(health, now) -> None:
    health.record("weibo", OK, 12, now - timedelta(hours=7), HOUR)
    health.record("weibo", OK, 3, now - timedelta(hours=1), HOUR)
    assert SilentSource(health.all, lambda name: True, timedelta(hours=6)).check(now) == []


def test_a_disabled_source_is_not_reported_silent(health, now) -> None:
    health.record("weibo", OK, 12, now - timedelta(hours=9), HOUR)
    health.record("baidu", OK, 12, now - timedelta(hours=9), HOUR)
    silent = SilentSource(health.all, lambda name: name != "baidu", timedelta(hours=6))
    assert [a.group_key for a in silent.check(now)] == ["source:weibo:silent"]
