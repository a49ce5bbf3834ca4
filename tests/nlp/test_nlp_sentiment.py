from pathlib import Path

import pytest

from yuqing.nlp.lexicon import load_lexicon, parse_lexicon
from yuqing.nlp.segment import Segmenter
from yuqing.nlp.sentiment import LexiconModel, Prediction, SentimentModel, load_model
from yuqing.nlp.text import clean


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> LexiconModel:
    seg = Segmenter(["星河热水器"], cache_dir=tmp_path_factory.mktemp("jieba"))
    return LexiconModel(segmenter=seg)


def predict(model: LexiconModel, text: str) -> Prediction:
    return model.predict([clean(text)])[0]


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("星河热水器漏电了,售后一直推诿,太垃圾了!要求退款!", {"漏电", "推诿", "垃圾"}),
        ("买了星河热水器,质量问题很严重,我要去12315投诉", {"质量问题", "投诉"}),
        ("星河热水器虚假宣传,大家千万别买", {"虚假宣传"}),
        ("售后不处理,也不给退款", {"不处理"}),
        ("用了三天就死机,太卡了", {"死机"}),
        ("热水器差点爆炸,吓死我了[怒]", {"爆炸", "[怒]"}),
    ],
)
def test_complaints_are_negative_with_evidence(model: LexiconModel, text: str, evidence: set[str]) -> None:
    p = predict(model, text)
    assert p.label == "negative"
    assert p.negative_score >= 0.6
    assert evidence <= set(p.evidence)


@pytest.mark.parametrize(
    "text",
    ["这款热水器非常好用,安装师傅很专业,五星好评", "服务很贴心,满意!", "不错,推荐购买", "太棒了"],
)
def test_praise_is_positive(model: LexiconModel, text: str) -> None:
    p = predict(model, text)
    assert p.label == "positive"
    assert p.negative_score <= 0.35


@pytest.mark.parametrize(
    ("text", "label", "shown"),
    [
        ("不好", "negative", "不+好"),
        ("我对产品不满意", "negative", "不+满意"),
        ("不太满意", "negative", "不太+满意"),
        ("我不喜欢这个颜色", "negative", "不+喜欢"),
        ("没有售后,也不退款", "negative", "不+退款"),
        ("不错", "positive", "不错"),
        ("不差", "positive", "不+差"),
    ],
)
def test_negation(model: LexiconModel, text: str, label: str, shown: str) -> None:
    p = predict(model, text)
    assert p.label == label
    assert shown in p.evidence


def test_negated_problem_is_not_a_complaint(model: LexiconModel) -> None:
    p = predict(model, "检测结果显示没有质量问题")
    assert p.label == "neutral"
    assert p.evidence == []


def test_degree_and_exclamation_amplify(model: LexiconModel) -> None:
    scores = [predict(model, t).negative_score for t in ("服务差", "服务很差", "服务非常差", "服务非常差!!!")]
    assert scores == sorted(scores)
    assert len(set(scores)) == 4


@pytest.mark.parametrize(
    "text",
    [
        "星河公司今日发布新款热水器,售价2999元。",
        "星河集团发布2023年度财报,营收同比增长。",
        "明天上午十点在会展中心举行新品发布会",
        "垃圾分类从我做起",
    ],
)
def test_neutral_news(model: LexiconModel, text: str) -> None:
    assert predict(model, text).label == "neutral"


def test_emoticon_codes(model: LexiconModel) -> None:
    assert predict(model, "[怒][怒][抓狂]").label == "negative"
    assert predict(model, "[哈哈][赞][good]").label == "positive"
    assert predict(model, "[GOOD]").evidence == ["[good]"]


def test_sarcasm_dampens_praise(model: LexiconModel) -> None:
    plain = predict(model, "真是好服务啊")
    sarcastic = predict(model, "呵呵,真是好服务啊")
    assert plain.label == "positive"
    assert sarcastic.negative_score > 0.5
    assert "呵呵" in sarcastic.evidence


def test_evidence_strongest_first(model: LexiconModel) -> None:
    p = predict(model, "客服回复慢,热水器漏电")
    assert p.evidence[0] == "漏电"


def test_score_range_and_determinism(model: LexiconModel) -> None:
    texts = [clean(t) for t in ["漏电" * 50, "好评" * 50, "", "abc", "不不不好好好", "!!!!!!"]]
    first = model.predict(texts)
    again = LexiconModel(segmenter=model.segmenter).predict(texts)
    assert first == again
    for p in first:
        assert 0.0 < p.negative_score < 1.0
    assert first[2] == Prediction(label="neutral", negative_score=0.5, evidence=[])


def test_pre_segmented_tokens_are_used(model: LexiconModel) -> None:
    [p] = model.predict(["ignored"], tokens=[["质量", "问题", "很", "严重"]])
    assert p.label == "negative"
    assert p.evidence[0] in {"质量问题", "严重"}
    with pytest.raises(ValueError):
        model.predict(["a", "b"], tokens=[["a"]])


def test_load_model() -> None:
    m = load_model("lexicon")
    assert isinstance(m, LexiconModel) and isinstance(m, SentimentModel)
    assert m.name == "lexicon"
    with pytest.raises(ValueError, match="lexicon"):
        load_model("bert")


def test_lexicon_file_and_parser(tmp_path: Path) -> None:
    lex = load_lexicon()
    assert lex.terms["漏电"].weight < 0 and lex.terms["[赞]"].weight > 0
    assert lex.modifiers["不"].kind == "negator" and lex.modifiers["很"].kind == "degree"
    path = tmp_path / "mini.tsv"
    path.write_text("# comment\n\n棒\t2\n差\t-2\topinion\n不\t1\tnegator\n", encoding="utf-8")
    mini = load_lexicon(path)
    assert set(mini.terms) == {"棒", "差"}
    with pytest.raises(ValueError, match="duplicate"):
        parse_lexicon("好\t1\n好\t2\n")
    with pytest.raises(ValueError, match="kind"):
        parse_lexicon("好\t1\tweird\n")
    with pytest.raises(ValueError, match="expected"):
        parse_lexicon("好\n")
