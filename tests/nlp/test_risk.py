"""Risk: score, suggested severity and reasons on hand-built posts."""

from __future__ import annotations

import pytest

from yuqing.nlp.pipeline import StepContext
from yuqing.nlp.risk import RiskConfig, RiskInput, RiskScorer, assess, count
from yuqing.nlp.segment import Segmenter
from yuqing.nlp.steps import AssessRisk
from yuqing.nlp.text import clean
from yuqing.settings import RiskSettings, load_settings


def reason(result, start: str) -> str:
    [found] = [r for r in result.reasons if r.startswith(start)]
    return found


def test_a_small_complaint_is_general() -> None:
    result = assess(RiskInput(negative_score=0.8, source="discuz", comments=3))
    assert result.severity == "general" and result.label == "一般"
    assert result.score < 45
    assert reason(result, "负面程度") == "负面程度 0.80（+17）"
    assert reason(result, "传播力") == "传播力：评论 3（+4）"
    assert reason(result, "来源") == "来源 discuz 权重 ×0.7"
    assert result.reasons[-1].startswith("建议级别：一般（")
    assert not any(r.startswith(("危机词", "扩散速度")) for r in result.reasons)


def test_reach_and_crisis_words_make_it_serious() -> None:
    result = assess(
        RiskInput(
            negative_score=0.9,
            source="weibo",
            followers=1_200_000,
            reposts=128,
            comments=240,
            likes=530,
            crisis_words=["维权", "投诉"],
        )
    )
    assert result.severity == "serious" and result.label == "较大"
    assert 45 <= result.score < 70
    assert reason(result, "传播力").startswith("传播力：粉丝 120万、转发 128、评论 240、点赞 530（+")
    assert reason(result, "危机词").startswith("危机词：维权、投诉（+")
    assert not any(r.startswith("来源") for r in result.reasons)  # weibo weighs 1


def test_a_grave_word_is_serious_even_from_a_tiny_account() -> None:
    result = assess(RiskInput(negative_score=0.7, source="tieba", crisis_words=["爆炸"]))
    assert result.score < 45
    assert result.severity == "serious"
    assert result.reasons[-1] == "建议级别：较大（含高危词「爆炸」，至少较大）"


def test_a_viral_explosion_is_major() -> None:
    result = assess(
        RiskInput(
            negative_score=0.95,
            source="weibo",
            followers=3_000_000,
            reposts=5000,
            comments=8000,
            likes=20000,
            event_velocity=31,
            crisis_words=["爆炸", "召回", "受伤"],
        )
    )
    assert result.severity == "major" and result.label == "重大"
    assert result.score >= 90
    assert reason(result, "扩散速度").startswith("扩散速度：同一事件 1 小时内 31 条（+20）")


def test_every_part_adds_and_the_source_weighs() -> None:
    base = RiskInput(negative_score=0.9, source="weibo", followers=5000, crisis_words=["投诉"])
    score = assess(base).score
    assert assess(RiskInput(**{**base.__dict__, "event_velocity": 10})).score > score
    assert assess(RiskInput(**{**base.__dict__, "reposts": 500})).score > score
    assert assess(RiskInput(**{**base.__dict__, "crisis_words": ["投诉", "曝光"]})).score > score
    assert assess(RiskInput(**{**base.__dict__, "negative_score": 0.6})).score < score
    news = assess(RiskInput(**{**base.__dict__, "source": "baidu-news"}))
    assert news.score == pytest.approx(score * 1.2, abs=0.1)
    unknown = assess(RiskInput(**{**base.__dict__, "source": "somewhere"}))
    assert unknown.score == pytest.approx(score * 0.8, abs=0.1)
    everything = RiskInput(
        negative_score=1.0,
        source="baidu-news",
        followers=10**9,
        reposts=10**9,
        event_velocity=10**6,
        crisis_words=["爆炸", "死亡"],
    )
    assert assess(everything).score == 100  # 120 before the cap


def test_configurable_lexicon_weights_and_thresholds() -> None:
    config = RiskConfig.from_settings(
        RiskSettings(crisis_terms={"断货": 0.9}, source_weights={"weibo": 1.0}, serious_at=20, major_at=30)
    )
    result = assess(RiskInput(negative_score=0.9, source="weibo", crisis_words=["断货", "爆炸"]), config)
    assert reason(result, "危机词").startswith("危机词：断货（")  # 爆炸 is not in this lexicon
    assert result.severity == "major"
    with pytest.raises(ValueError, match="major_at"):
        RiskSettings(serious_at=50, major_at=40)
    with pytest.raises(ValueError, match="0..1"):
        RiskSettings(crisis_terms={"维权": 2})


def test_crisis_words_are_found_once_and_with_word_edges() -> None:
    scorer = RiskScorer()
    words = scorer.crisis_words(clean("已经在黑猫投诉了，还要去12315维权，3150 不算，315 晚会曝光"))
    assert sorted(words) == sorted(["黑猫投诉", "12315", "维权", "315", "曝光"])  # 投诉 inside 黑猫投诉: once


def test_counts_read_like_weibo() -> None:
    assert [count(n) for n in (980, 12000, 1_354_000, 230_000_000)] == ["980", "1.2万", "135.4万", "2.3亿"]


def test_the_step_scores_negative_brand_posts_only(tmp_path, make_post) -> None:
    settings = load_settings(data_dir=tmp_path)
    step = AssessRisk(StepContext(settings=settings, segmenter=Segmenter()))
    complaint = make_post("1", "星河热水器爆炸了，有人受伤", author_followers=800)
    complaint.analysis.brands, complaint.analysis.sentiment, complaint.analysis.negative_score = (
        ["星河电器"],
        "negative",
        0.97,
    )
    praise = make_post("2", "星河空调真好")
    praise.analysis.brands, praise.analysis.sentiment = ["星河电器"], "positive"
    praise.analysis.severity = "major"  # stale: cleared
    step([complaint, praise])
    assert complaint.analysis.severity == "serious" and complaint.analysis.risk_score is not None
    assert any("爆炸" in r for r in complaint.analysis.risk_reasons)
    assert (praise.analysis.severity, praise.analysis.risk_score, praise.analysis.risk_reasons) == (None, None, [])
