"""The ingest pipeline: steps declared in one place, and the whole ingest."""

from __future__ import annotations

import pytest

from yuqing.clock import FixedClock
from yuqing.errors import ConfigError
from yuqing.nlp.pipeline import DEFAULT_STEPS, Pipeline, step_order
from yuqing.post import Post
from yuqing.services import Services
from yuqing.settings import BrandSettings, load_settings


def test_steps_run_in_declared_order_and_can_be_moved_or_switched_off() -> None:
    assert step_order({}) == sorted(DEFAULT_STEPS, key=DEFAULT_STEPS.__getitem__)
    order = step_order({"yuqing.nlp.steps.Clean": None, "yuqing.nlp.steps.Segment": 350})
    assert order[:3] == ["yuqing.nlp.steps.MatchBrands", "yuqing.nlp.steps.Segment", "yuqing.nlp.steps.Classify"]
    assert order[3:] == ["yuqing.nlp.steps.Deduplicate", "yuqing.nlp.steps.GroupEvents", "yuqing.nlp.steps.AssessRisk"]


def test_toml_switches_a_step_off_with_false(tmp_path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[pipeline]\n"yuqing.nlp.steps.Clean" = false\n"yuqing.nlp.steps.Classify" = 50\n')
    settings = load_settings(config, data_dir=tmp_path)
    assert settings.pipeline == {"yuqing.nlp.steps.Clean": False, "yuqing.nlp.steps.Classify": 50}
    assert step_order(settings.pipeline)[0] == "yuqing.nlp.steps.Classify"
    assert "yuqing.nlp.steps.Clean" not in step_order(settings.pipeline)


class DropShort:
    """A step from outside the package, as a deployment would add one."""

    def __init__(self, ctx) -> None:
        self.min_chars = 4

    def __call__(self, posts: list[Post]) -> list[Post]:
        return [p for p in posts if len(p.text) >= self.min_chars]


def test_a_step_can_be_added_by_dotted_path(tmp_path, make_post) -> None:
    settings = load_settings(data_dir=tmp_path, pipeline={f"{__name__}.DropShort": 50})
    pipeline = Pipeline.from_settings(settings)
    assert isinstance(pipeline.steps[0], DropShort)
    assert [p.post_id for p in pipeline([make_post("1", "短"), make_post("2", "足够长的帖子")])] == ["2"]


def test_a_step_that_cannot_be_imported_is_a_config_error(tmp_path) -> None:
    settings = load_settings(data_dir=tmp_path, pipeline={"yuqing.nlp.steps.Nope": 10})
    with pytest.raises(ConfigError, match="yuqing.nlp.steps.Nope"):
        Pipeline.from_settings(settings)


@pytest.fixture
def services(tmp_path, now):
    settings = load_settings(data_dir=tmp_path / "d")
    settings.brands = [BrandSettings(name="星河电器", keywords=["星河热水器"])]
    s = Services(settings, clock=FixedClock(now))
    yield s
    s.close()


def test_ingest_classifies_stores_and_alerts(services, make_post) -> None:
    complaint = make_post("1", "星河熱水器漏電了，客服推諉，我要投訴維權！[怒]")  # traditional characters
    praise = make_post("2", "星河电器的售后上门很快，师傅很专业，点赞")
    other = make_post("3", "东方家电的冰箱坏了，质量太差")
    report = services.ingest([complaint, praise, other])
    assert (report.received, report.created, report.alerts, len(report.incidents)) == (3, 3, 1, 1)

    stored = {key: services.posts.get(key) for key in ("weibo:1", "weibo:2", "weibo:3")}
    assert stored["weibo:1"].analysis.sentiment == "negative"
    assert stored["weibo:1"].analysis.brands == ["星河电器"]
    assert stored["weibo:1"].analysis.evidence
    assert stored["weibo:1"].text == complaint.text  # shown as crawled, analysed simplified
    assert stored["weibo:2"].analysis.sentiment == "positive"
    assert stored["weibo:3"].analysis.sentiment == "negative" and stored["weibo:3"].analysis.brands == []

    again = services.ingest([make_post("1", complaint.text)])
    assert (again.created, again.updated, again.alerts, again.incidents) == (0, 1, 1, [])


# -- the whole ingest with brand rules, duplicates, events and risk ----------------------------

from datetime import timedelta  # noqa: E402

from yuqing.alerting.incidents import list_incidents  # noqa: E402

COMPLAINT = "星河热水器漏电了！洗澡的时候手碰到花洒被电了一下，整个人都麻了，客服推诿说是地线问题，我要投诉维权"
NOISE = "星河空调异响三个月了，晚上像拖拉机一样嗡嗡响，报修了五次，售后每次都推诿，太差了，准备投诉"
FROZEN = "星河热水器的显示屏又死机了，按什么键都没反应，冬天一直洗不了热水澡，售后推诿，太差了"


def incidents_of(services):
    with services.sessions() as session:
        items, _ = list_incidents(session)
        return [(i.group_key, i.alert_count, sorted(p.post_key for p in i.posts), i.severity) for i in items]


def repost_of(make_post, post_id: str, comment: str, original, minutes: int, **fields):
    return make_post(
        post_id,
        comment,
        parent_id=original.post_id,
        raw={"retweeted": {"id": original.post_id, "text": original.text}},
        published_at=original.published_at + timedelta(minutes=minutes),
        **fields,
    )


def test_a_repost_chain_opens_one_incident_with_one_alert(services, make_post) -> None:
    original = make_post("1", COMPLAINT, author_followers=2000, reposts=40)
    chain = [
        repost_of(make_post, "2", "转发微博", original, 3),
        repost_of(make_post, "3", "太吓人了，同款热水器//@用户2:转发微博", original, 8, author_followers=90000),
    ]
    report = services.ingest([chain[1], original, chain[0]])  # crawled newest first
    later = services.ingest([repost_of(make_post, "4", "星河必须给个说法！", original, 40)])
    assert (report.alerts, later.alerts, later.incidents) == (1, 0, [])

    [(group_key, count, posts, severity)] = incidents_of(services)
    first = services.posts.get("weibo:1").analysis
    assert group_key == f"brand:星河电器:event:{first.event_id}"
    assert (count, posts) == (1, ["weibo:1"])  # the reposts do not page anyone
    assert severity == first.severity  # the risk step's suggestion
    for key in ("weibo:2", "weibo:3", "weibo:4"):
        copy = services.posts.get(key).analysis
        assert (copy.duplicate_of, copy.event_id) == ("weibo:1", first.event_id)  # linked to the original
    assert any(r.startswith("危机词") for r in first.risk_reasons) and first.simhash


def test_unrelated_complaints_in_one_hour_are_two_incidents_similar_ones_one(services, make_post, now) -> None:
    """Chosen: incidents are per event, and an event is a story (the words that say what went
    wrong, 漏电 vs 异响), so two unrelated complaints about a brand in the same hour are two
    incidents, while a second complaint about the same fault joins the first's."""
    shock = make_post("1", COMPLAINT)
    frozen = make_post("2", FROZEN, published_at=now - timedelta(minutes=40))
    services.ingest([shock, frozen])
    another_shock = make_post("3", "星河热水器又漏电，家里老人洗澡被电到，售后到现在没人管", source="tieba")
    services.ingest([another_shock])
    got = sorted((count, posts) for _, count, posts, _ in incidents_of(services))
    assert got == [(1, ["weibo:2"]), (2, ["tieba:3", "weibo:1"])]


def test_a_query_brand_alerts_only_on_what_its_query_matches(tmp_path, now, make_post) -> None:
    settings = load_settings(data_dir=tmp_path / "d")
    settings.brands = [
        BrandSettings(name="星河电器", aliases=["星河"], keywords=["星河热水器"], query="星河 NEAR/10 (漏电 OR 爆炸)"),
    ]
    services = Services(settings, clock=FixedClock(now))
    try:
        report = services.ingest([make_post("1", COMPLAINT), make_post("2", "星河空调太吵了，差评！投诉！")])
        assert report.alerts == 1
        assert services.posts.get("weibo:2").analysis.brands == []  # stored, never alerting
    finally:
        services.close()


def test_without_a_store_the_pipeline_remembers_between_batches(tmp_path, make_post) -> None:
    settings = load_settings(data_dir=tmp_path, brands=[{"name": "星河电器", "keywords": ["星河热水器"]}])
    pipeline = Pipeline.from_settings(settings)
    [first] = pipeline([make_post("1", COMPLAINT)])
    [copy] = pipeline([make_post("2", COMPLAINT + "[怒]")])
    assert copy.analysis.duplicate_of == "weibo:1" and copy.analysis.event_id == first.analysis.event_id


def test_the_steps_can_be_switched_off(tmp_path, make_post) -> None:
    off = {f"yuqing.nlp.steps.{s}": None for s in ("Deduplicate", "GroupEvents", "AssessRisk")}
    settings = load_settings(data_dir=tmp_path, brands=[{"name": "星河电器", "keywords": ["星河热水器"]}])
    settings.pipeline = off
    [post] = Pipeline.from_settings(settings)([make_post("1", COMPLAINT)])
    a = post.analysis
    assert a.sentiment == "negative" and (a.simhash, a.event_id, a.severity) == (None, None, None)
