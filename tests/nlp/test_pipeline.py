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
    assert order == ["yuqing.nlp.steps.MatchBrands", "yuqing.nlp.steps.Segment", "yuqing.nlp.steps.Classify"]


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
