"""Events: online, time-windowed clustering of negative brand posts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from yuqing.nlp.events import Vectorizer, cosine, event_id
from yuqing.nlp.pipeline import StepContext
from yuqing.nlp.segment import Segmenter
from yuqing.nlp.steps import GroupEvents
from yuqing.nlp.text import clean
from yuqing.post import Post
from yuqing.settings import BrandSettings, load_settings
from yuqing.storage.posts import MemoryPipelineState
from yuqing.storage.sqlite_posts import SqlitePostStore

NOISE_1 = "星河空调异响三个月了，晚上像拖拉机一样嗡嗡响，报修了五次，售后每次都推诿说是正常现象"
NOISE_2 = "同款问题！我家星河空调外机也是异响，嗡嗡响吵得睡不着，售后一直拖着不处理"
NOISE_3 = "星河空调外机异响拆机记录：减震垫老化，共振异响很明显，售后推诿说不在保修范围"
LEAK = "投诉星河电器！热水器漏水把楼下天花板泡了，客服说要等十五个工作日才能上门"
SHOCK = "星河热水器漏电了，洗澡的时候手碰到花洒被电了一下，整个人都麻了"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = load_settings(data_dir=tmp_path_factory.mktemp("d"))
    settings.brands = [
        BrandSettings(name="星河电器", aliases=["星河"], keywords=["星河空调", "星河热水器"]),
        BrandSettings(name="东方家电", keywords=["东方空调"]),
    ]
    return settings


@pytest.fixture(scope="module")
def segmenter(settings) -> Segmenter:
    return Segmenter(user_words=settings.brand_words())


@pytest.fixture
def state() -> MemoryPipelineState:
    return MemoryPipelineState()


@pytest.fixture
def step(settings, segmenter, state) -> GroupEvents:
    return GroupEvents(StepContext(settings=settings, segmenter=segmenter, state=state))


@pytest.fixture
def negative(make_post, segmenter, now):
    """A negative post about a brand, ``minutes`` after ``now``, as the earlier steps leave it."""

    def make(post_id: str, text: str, minutes: float = 0, brands=("星河电器",), **fields) -> Post:
        post = make_post(post_id, text, published_at=now + timedelta(minutes=minutes), **fields)
        post.analysis.tokens = segmenter.cut(clean(text))
        post.analysis.brands = list(brands)
        post.analysis.sentiment = "negative"
        return post

    return make


def run(step: GroupEvents, state: MemoryPipelineState, posts: list[Post]) -> list[str | None]:
    step(posts)
    state.remember(posts)  # what the store's upsert does
    return [p.analysis.event_id for p in posts]


def test_vector_weights_brand_names_products_generic_and_problem_words() -> None:
    vectorize = Vectorizer(brand_names=["星河"], products=["星河空调"], generic=["售后"], problems=["异响"])
    v = vectorize(["星河", "星河空调", "售后", "异响", "外机", "，", "[怒]", "@某人", "了"])
    assert "星河" not in v and "，" not in v and "[怒]" not in v and "了" not in v
    assert v["异响"] > v["外机"] > v["星河空调"] > v["售后"]
    assert abs(sum(w * w for w in v.values()) - 1) < 1e-9
    assert cosine(v, v) == pytest.approx(1.0) and cosine(v, {"别的": 1.0}) == 0.0


def test_similar_posts_join_unrelated_ones_split(step, state, negative) -> None:
    first, second, leak = negative("1", NOISE_1), negative("2", NOISE_2, 10), negative("3", LEAK, 20)
    ids = run(step, state, [leak, second, first])  # in any order: the step takes them by time
    assert ids[1] == ids[2] != ids[0]
    assert first.analysis.event_id == event_id("星河电器", "weibo:1", int(first.when.timestamp()))
    assert first.analysis.event_id.startswith("ev-20261128-")
    event = state.events[first.analysis.event_id]
    assert (event.size, event.first_key, event.brand) == (2, "weibo:1", "星河电器")
    assert "异响" in event.centroid and "星河电器" not in event.centroid
    assert second.analysis.event_velocity == 2  # two posts of its event within the hour


def test_the_time_window_closes_an_event(step, state, negative) -> None:
    [a] = run(step, state, [negative("1", NOISE_1)])
    [b] = run(step, state, [negative("2", NOISE_2, 23 * 60)])  # 23 h after the first: still open
    [c] = run(step, state, [negative("3", NOISE_3, (23 + 25) * 60)])  # 25 h after the last: a new event
    assert a == b != c
    [late] = run(step, state, [negative("4", NOISE_3, 30)])  # arrives late, but within the window
    assert late == a


def test_events_carry_on_across_batches_and_a_restart(settings, segmenter, negative, tmp_path) -> None:
    path = tmp_path / "posts.db"
    store = SqlitePostStore(path, segmenter)
    first = negative("1", NOISE_1)
    GroupEvents(StepContext(settings=settings, segmenter=segmenter, state=store))([first])
    store.upsert([first])
    store.close()

    store = SqlitePostStore(path, segmenter)  # a new process
    step = GroupEvents(StepContext(settings=settings, segmenter=segmenter, state=store))
    second, shock = negative("2", NOISE_2, 30), negative("3", SHOCK, 40)
    step([second, shock])
    store.upsert([second, shock])
    assert second.analysis.event_id == first.analysis.event_id != shock.analysis.event_id
    assert second.analysis.event_velocity == 2
    [event] = store.events_by_id([first.analysis.event_id])
    assert (event.size, event.first_ts, event.last_ts) == (2, int(first.when.timestamp()), int(second.when.timestamp()))
    assert store.get("weibo:2").analysis.event_id == first.analysis.event_id
    store.close()


def test_only_negative_brand_posts_get_events_and_brands_keep_apart(step, state, negative) -> None:
    praise = negative("1", "星河空调安静又省电")
    praise.analysis.sentiment = "positive"
    nobody = negative("2", NOISE_1, brands=())
    other_brand = negative("3", NOISE_1.replace("星河空调", "东方空调"), brands=("东方家电",))
    ours = negative("4", NOISE_1)
    ids = run(step, state, [praise, nobody, other_brand, ours])
    assert ids[:2] == [None, None]
    assert ids[2] and ids[3] and ids[2] != ids[3]  # the same story about two brands: two events


def test_a_duplicate_joins_its_originals_event_and_a_repeat_counts_once(step, state, negative) -> None:
    original = negative("1", NOISE_1)
    [event] = run(step, state, [original])
    copy = negative("2", "转发：" + NOISE_1, 5)
    copy.analysis.duplicate_of = "weibo:1"
    repeat = negative("1", NOISE_1)  # crawled again
    run(step, state, [copy])
    run(step, state, [repeat])
    assert copy.analysis.event_id == repeat.analysis.event_id == event
    record = state.events[event]
    assert record.size == 2  # the original and its copy; the repeat is not counted again
    assert copy.analysis.event_velocity == 2


def test_similarity_setting_decides(settings, segmenter, negative) -> None:
    strict = settings.model_copy(update={"events": settings.events.model_copy(update={"similarity": 0.99})})
    state = MemoryPipelineState()
    step = GroupEvents(StepContext(settings=strict, segmenter=segmenter, state=state))
    a, b = run(step, state, [negative("1", NOISE_1), negative("2", NOISE_2, 10)])
    assert a != b
