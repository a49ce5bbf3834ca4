"""The trained linear sentiment model: package data, behaviour, training round trip, CLI I/O.

Behaviour, not accuracy: the scores are in nlp/models/MODEL_CARD.md and
bench/bench_sentiment.py measures speed.
"""

from __future__ import annotations

import csv
import json
import subprocess
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from support import yuqing_command
from yuqing.errors import YuqingError
from yuqing.nlp.classify_io import classify_lines, parse_line
from yuqing.nlp.linear import JSON_NAME, NPZ_NAME, SPECIAL, Featurizer, LinearModel
from yuqing.nlp.sentiment import SentimentModel, load_model
from yuqing.nlp.text import _t2s, clean, to_simplified
from yuqing.nlp.train import TrainRequest, dedupe, read_csv, train

COMPLAINT = "星河热水器漏电了,售后一直推诿,太垃圾了!要求退款!"
PRAISE = "这款热水器非常好用,安装师傅很专业,五星好评"


@pytest.fixture(scope="module")
def shipped() -> LinearModel:
    return LinearModel.load()


def score(model: LinearModel, text: str) -> float:
    return model.predict([text])[0].negative_score


# -- the shipped model ---------------------------------------------------------------------------


def test_shipped_model_is_safe_package_data() -> None:
    root = resources.files("yuqing.nlp").joinpath("models")
    meta = json.loads(root.joinpath(JSON_NAME).read_text(encoding="utf-8"))
    assert meta["format"] == "yuqing-linear" and meta["name"] == "linear"
    with root.joinpath(NPZ_NAME).open("rb") as f, np.load(f, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["features", "weights"]
        assert npz["features"].dtype == np.uint8 and npz["weights"].dtype == np.float16
        n = len(npz["weights"])
    assert 1000 < n and root.joinpath(NPZ_NAME).stat().st_size < 3_500_000  # type: ignore[attr-defined]
    assert root.joinpath("MODEL_CARD.md").is_file()


def test_default_model_is_linear() -> None:
    model = load_model()
    assert isinstance(model, LinearModel) and isinstance(model, SentimentModel)
    assert model.name == "linear"
    assert load_model("linear") is model  # loaded once per process
    with pytest.raises(ValueError, match="linear"):
        load_model("bert")


def test_clear_cases(shipped: LinearModel) -> None:
    complaint, praise = shipped.predict([COMPLAINT, PRAISE])
    assert complaint.label == "negative" and complaint.negative_score > 0.7
    assert praise.label == "positive" and praise.negative_score < 0.3


def test_deterministic(shipped: LinearModel) -> None:
    texts = [COMPLAINT, PRAISE, "", "星河集团发布2023年度财报,营收同比增长。"]
    root = resources.files("yuqing.nlp").joinpath("models")
    fresh = LinearModel._read(root.joinpath(JSON_NAME), root.joinpath(NPZ_NAME))
    assert fresh is not shipped
    assert shipped.predict(texts) == shipped.predict(texts) == fresh.predict(texts)


@pytest.mark.parametrize("text", ["", " ", "!!!!!!", "漏电" * 500, "好评" * 500, "abc", "[怒]", "@某人", "#话题#"])
def test_score_range(shipped: LinearModel, text: str) -> None:
    p = shipped.predict([text])[0]
    assert 0.0 <= p.negative_score <= 1.0
    assert p.label in ("negative", "neutral", "positive")


def test_evidence_is_readable(shipped: LinearModel) -> None:
    p = shipped.predict([COMPLAINT + " [怒] http://t.cn/abc @星河客服 "])[0]
    assert p.evidence, "a complaint comes with evidence"
    assert len(p.evidence) <= 8 and len(set(p.evidence)) == len(p.evidence)
    for item in p.evidence:
        assert item == item.strip() and 0 < len(item) <= 20
        assert SPECIAL not in item and not any("\ue000" <= ch <= "\uf8ff" for ch in item)
    assert {"漏电", "垃圾", "推诿"} & set(p.evidence)


def test_negation_moves_the_score(shipped: LinearModel) -> None:
    assert score(shipped, "我对这个产品不满意") > score(shipped, "我对这个产品满意") + 0.2
    assert score(shipped, "这个不好用") > score(shipped, "这个好用") + 0.2
    assert score(shipped, "质量不差") < score(shipped, "质量差")
    shown = shipped.predict(["服务态度不好,我很不满意"])[0].evidence
    assert any("+" in e for e in shown), shown  # negations are shown as 不+X


def test_traditional_reads_as_simplified(shipped: LinearModel) -> None:
    pairs = [
        ("熱水器漏電，售後服務太差，要求退款", "热水器漏电,售后服务太差,要求退款"),
        ("這款產品很好用，推薦購買", "这款产品很好用,推荐购买"),
    ]
    for traditional, simplified in pairs:
        assert shipped.predict([traditional]) == shipped.predict([simplified])


def test_repost_chain_weights_the_posters_own_words(shipped: LinearModel) -> None:
    own_negative = "垃圾产品,气死了,再也不买了//@路人甲: 太好用了,强烈推荐"
    own_positive = "太好用了,强烈推荐//@路人甲: 垃圾产品,气死了,再也不买了"
    assert score(shipped, own_negative) > 0.5 > score(shipped, own_positive)
    # a bare repost speaks with the reposted voice
    assert score(shipped, "转发微博//@路人甲: 垃圾产品,气死了,再也不买了") > 0.5


def test_batch_path_agrees_with_one_by_one(shipped: LinearModel) -> None:
    texts = [
        COMPLAINT,
        PRAISE,
        "",
        "   ",
        "#a# a#a# [怒][怒] http://t.cn/x @某人: 呵呵!!! ??",
        "太好用了//@路人甲: 垃圾",
        "转发微博//@路人甲: 垃圾产品,气死了",
        "熱水器漏電，售後服務太差",
        "𠀀𠀁 emoji 😀😀 ABC 123",
        "我对这个产品不满意,没有售后,再也不买了",
        "星河集团发布2023年度财报,营收同比增长。",
        "不错不错不错不错,推荐推荐",
        "[哈哈][赞][good]",
        "呵呵,真是好服务啊",
        "的的的的的的的的的的",
        "质量不差" * 30,
    ] * 2
    batch = shipped.predict(texts)
    assert len(texts) >= 16  # the numpy batch path
    assert batch == [shipped.predict_one(t) for t in texts]


def test_tokens_are_accepted_and_checked(shipped: LinearModel) -> None:
    [with_tokens] = shipped.predict([COMPLAINT], tokens=[["whatever"]])
    assert with_tokens == shipped.predict([COMPLAINT])[0]
    with pytest.raises(ValueError):
        shipped.predict(["a", "b"], tokens=[["a"]])


# -- features --------------------------------------------------------------------------------------


def test_featurizer_weibo_markup() -> None:
    f = Featurizer()
    feats = f.extract(clean("#星河热水器# @星河客服 漏电了[怒][抓狂] 看 http://t.cn/A6x 呵呵"))
    assert {"#星河热水器#", "[怒]", "[抓狂]", SPECIAL + "sarcasm"} <= set(feats.sparse)
    assert not any("客服" in k and "@" in k for k in feats.sparse)  # mentions become one placeholder
    assert not any("t.cn" in k for k in feats.sparse)
    neg = f.extract("我对产品不满意,非常好,特别棒")
    assert neg.display[SPECIAL + "neg:满意"] == "不+满意"
    assert not any(k.startswith(SPECIAL + "neg:常") or k.startswith(SPECIAL + "neg:棒") for k in neg.sparse)


def test_repost_split() -> None:
    assert Featurizer.split_repost("好//@甲: 差//@乙: 一般") == ("好", "//@甲: 差//@乙: 一般")
    assert Featurizer.split_repost("转发微博//@甲: 差") == ("//@甲: 差", "")
    assert Featurizer.split_repost("//@甲: 差") == ("//@甲: 差", "")
    assert Featurizer.split_repost("没有转发") == ("没有转发", "")


def test_batch_lexicon_starts_match_one_by_one(shipped: LinearModel) -> None:
    tokens = shipped.featurizer._lex_tokens
    texts = [
        "",
        "x",
        "不满意",
        "不太好用,要求退款!",
        "[怒]呵呵",
        "[abc",
        "星河集团发布财报",
        "好好好",
        "𠀀😀不好",
        "很",
    ]
    batch = tokens.starts_of(texts)
    for text, starts in zip(texts, batch, strict=True):
        if any(term in text for term in tokens.terms):
            assert starts == tokens.starts(text), text
        else:  # [] when no term's first characters occur either
            assert starts in ([], tokens.starts(text)), text
        assert tokens.cut(text, tokens.starts(text)) == tokens.cut(text)
    assert batch[2] and batch[4] and not batch[6]  # 星河集团发布财报: no term, nothing to score
    assert tokens.starts_of([]) == []


def test_stable_argsort_is_lexsort_by_text_then_key() -> None:
    from yuqing.nlp.linear import _stable_argsort

    rng = np.random.default_rng(7)
    key = rng.integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64)
    key[::3] = key[1::3][: len(key[::3])]  # repeats
    key[:100] = rng.integers(0, 50, 100).astype(np.uint64)  # small keys
    tid = np.sort(rng.integers(0, 40, len(key)))
    assert (_stable_argsort(key) == np.lexsort((tid, key))).all()


def test_evidence_shows_only_readable_features(shipped: LinearModel) -> None:
    long_post = "这个热水器真是垃圾,漏电了,售后推诿,客服态度恶劣,要求退款,再也不买了,千万别买,气死了!!! " * 3
    for p in shipped.predict([long_post] * 20) + [shipped.predict_one(long_post)]:
        assert len(p.evidence) == 8  # single characters and punctuation no longer take the slots
        assert all(len(e.replace("+", "")) > 1 or e in shipped._singles for e in p.evidence), p.evidence


def test_fast_simplified_path_matches_opencc() -> None:
    for text in ["回覆一下", "沈默是金", "熱水器", "热水器", "乾隆", "什么", "一目瞭然", "abc", ""]:
        assert to_simplified(text) == _t2s().convert(text)


# -- training --------------------------------------------------------------------------------------

NEG = [
    "质量太差了,不满意",
    "客服态度恶劣,要求退款",
    "垃圾产品,千万别买",
    "用了两天就坏了,很失望",
    "虚假宣传,气死了[怒]",
]
POS = ["非常好用,很满意", "物流很快,推荐购买", "质量不错,五星好评", "服务很贴心,喜欢", "性价比高,值得入手"]


def write_csv(path: Path, repeat: int = 3) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["label", "text"])
        for i in range(repeat):
            out.writerows([0, f"{t}{'!' * i}"] for t in NEG)
            out.writerows([1, f"{t}{'~' * i}"] for t in POS)
    return path


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("linear")
    out = train("linear", TrainRequest(data=[write_csv(root / "train.csv")], out=root / "model"))
    return out


def test_train_save_load_round_trip(tiny_model: Path) -> None:
    assert sorted(p.name for p in tiny_model.iterdir()) == [JSON_NAME, NPZ_NAME]
    model = load_model("linear", tiny_model)
    assert isinstance(model, LinearModel)
    assert model.params.report["trained_on"] == 30
    assert model.predict(["质量太差了,不满意"])[0].negative_score > 0.5
    assert model.predict(["非常好用,很满意"])[0].negative_score < 0.5
    # saved again, it reads back the same
    model.save(tiny_model.parent / "again")
    assert LinearModel.load(tiny_model.parent / "again").predict(NEG + POS) == model.predict(NEG + POS)
    with np.load(tiny_model / NPZ_NAME, allow_pickle=False) as npz:
        assert npz["features"].dtype == np.uint8


def test_train_refuses_research_only_data_and_bad_labels(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "osm2022_weibo_train.csv")
    with pytest.raises(YuqingError, match="academic"):
        train("linear", TrainRequest(data=[bad], out=tmp_path / "m"))
    with pytest.raises(YuqingError, match="unknown backend"):
        train("nope", TrainRequest(data=[bad], out=tmp_path / "m"))
    labels = tmp_path / "labels.csv"
    labels.write_text("label,text\n2,不好\n", encoding="utf-8")
    with pytest.raises(YuqingError, match="label must be 0"):
        read_csv(labels)


def test_dedupe_merges_copies_and_drops_conflicts(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("label,text\n0,太差了\n0,太差了 \n1,還行\n0,还行\n1,很好\n", encoding="utf-8")
    kept, stats = dedupe(read_csv(path), exclude=["很好"])
    assert [e.text for e in kept] == ["太差了"]
    assert stats == {"read": 5, "duplicates": 2, "conflicting": 1, "held_out": 1, "kept": 1}


# -- the commands ----------------------------------------------------------------------------------


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(yuqing_command(*args), input=stdin, capture_output=True, timeout=120, check=False)


def test_classify_command_lines(tiny_model: Path) -> None:
    lines = [
        json.dumps({"id": 1, "text": "质量太差了,不满意", "source": "weibo"}, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"id": 3}),
        json.dumps(["text"]),
        json.dumps({"text": 5}),
        json.dumps({"text": "非常好用,很满意"}, ensure_ascii=False),
    ]
    stdin = ("\n".join(lines) + "\n").encode("utf-8") + b"\xff\xfe\n"
    proc = run("classify", "--backend", "linear", "--model", str(tiny_model), stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    model = LinearModel.load(tiny_model)

    def expected(obj: dict) -> str:
        p = model.predict([obj["text"]])[0]
        out = {**obj, "label": p.label, "negative_score": p.negative_score, "evidence": p.evidence}
        return json.dumps(out, ensure_ascii=False)

    assert proc.stdout.decode("utf-8").splitlines() == [
        expected({"id": 1, "text": "质量太差了,不满意", "source": "weibo"}),
        '{"error": "empty line", "line": 2}',
        '{"error": "invalid JSON: Expecting property name enclosed in double quotes", "line": 3}',
        '{"error": "no string \\"text\\"", "line": 4}',
        '{"error": "expected a JSON object", "line": 5}',
        '{"error": "no string \\"text\\"", "line": 6}',
        expected({"text": "非常好用,很满意"}),
        '{"error": "line is not UTF-8", "line": 8}',
    ]
    assert b"2 lines" in proc.stderr and b"6 could not be read" in proc.stderr


def test_classify_empty_input(tiny_model: Path) -> None:
    proc = run("classify", "--backend", "linear", "--model", str(tiny_model))
    assert proc.returncode == 0 and proc.stdout == b""


def test_classify_lines_in_process(shipped: LinearModel) -> None:
    import io

    out = io.StringIO()
    done, errors = classify_lines(shipped, [b'{"text": "\xe5\xa4\xaa\xe5\xb7\xae"}', b"   "], out)
    assert (done, errors) == (1, 1)
    first, second = out.getvalue().splitlines()
    assert json.loads(first)["text"] == "太差" and "negative_score" in json.loads(first)
    assert json.loads(second) == {"error": "empty line", "line": 2}
    assert parse_line('{"text": "x"}', 1) == ({"text": "x"}, None)


def test_eval_command(tiny_model: Path, tmp_path: Path) -> None:
    data = tmp_path / "eval.csv"
    data.write_text(
        'label,text\n0,"质量太差了,不满意"\n0,垃圾产品\n1,"非常好用,很满意"\n1,物流很快\n', encoding="utf-8"
    )
    proc = run("eval", "--data", str(data), "--backend", "linear", "--model", str(tiny_model))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8")
    for needle in (
        "texts: 4 (2 negative)",
        "accuracy: ",
        "macro-F1: ",
        "negative class: precision ",
        "confusion matrix",
    ):
        assert needle in out
    rows = {
        line.split()[0] if not line.startswith("not negative") else "not negative": line for line in out.splitlines()
    }
    header = [line for line in out.splitlines() if line.split() == ["negative", "neutral", "positive"]]
    assert len(header) == 1
    neg_row = [int(x) for x in rows["negative"].split()[1:]]
    not_row = [int(x) for x in rows["not negative"].split()[2:]]
    assert sum(neg_row) == 2 and sum(not_row) == 2


def test_eval_command_errors(tmp_path: Path) -> None:
    proc = run("eval", "--data", str(tmp_path / "missing.csv"))
    assert proc.returncode == 2 and b"cannot read" in proc.stderr
    proc = run("eval", "--data", str(write_csv(tmp_path / "x.csv")), "--backend", "nope")
    assert proc.returncode == 2 and b"unknown sentiment model" in proc.stderr
