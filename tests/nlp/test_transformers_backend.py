"""The transformers backend, on a tiny BERT the tests build and save themselves.

Nothing here may reach the network: every test runs with HF_HUB_OFFLINE=1, an
empty HF_HOME, and sockets that refuse to connect.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed: pip install -e '.[transformers]'")
transformers = pytest.importorskip(
    "transformers", reason="transformers is not installed: pip install -e '.[transformers]'"
)

from support import yuqing_command  # noqa: E402
from yuqing.errors import YuqingError  # noqa: E402
from yuqing.nlp.pipeline import StepContext  # noqa: E402
from yuqing.nlp.segment import Segmenter  # noqa: E402
from yuqing.nlp.sentiment import SentimentModel, load_model  # noqa: E402
from yuqing.nlp.steps import Classify  # noqa: E402
from yuqing.nlp.train import TrainRequest, train  # noqa: E402
from yuqing.nlp.transformers_backend import (  # noqa: E402
    LabelMap,
    TransformersError,
    TransformersModel,
    fine_tune,
    label_map,
)
from yuqing.settings import load_settings  # noqa: E402

SENTENCES = [
    "星河热水器漏电了，售后一直推诿，太差了！",
    "星河电器的售后上门很快，师傅很专业，点赞",
    "质量很好，服务满意，推荐购买",
    "用了三天就坏，差评，要求退款",
    "今天天气不错，我们去公园散步吧",
]
GOOD = ["服务很好", "质量好", "好评", "师傅很好", "很好用", "售后好", "电器好", "好的热水器"]
BAD = ["服务很差", "质量差", "差评", "师傅很差", "很差用", "售后差", "电器差", "差的热水器"]


def _vocab() -> list[str]:
    chars = sorted({c for s in SENTENCES + GOOD + BAD for c in s})
    return ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]


def build_tiny(path: Path, id2label: dict[int, str] | None = None, seed: int = 0) -> Path:
    """A 2-layer, 32-wide BERT with a classification head and a character vocab, saved to ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    vocab = _vocab()
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast.from_pretrained(str(path), local_files_only=True)
    id2label = id2label or {0: "negative", 1: "positive"}
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    torch.manual_seed(seed)
    model = transformers.BertForSequenceClassification(config)
    model.save_pretrained(str(path))
    tokenizer.save_pretrained(str(path))
    return path


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No hub, no cache, no network: a fetch attempt fails the test."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[1:] or kwargs}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="module")
def model(tiny_dir: Path) -> TransformersModel:
    return TransformersModel(tiny_dir, batch_size=2, device="cpu")


def _probs(model_dir: Path, text: str) -> list[float]:
    """The model's own softmax, computed here without the backend."""
    tok = transformers.AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    m = transformers.AutoModelForSequenceClassification.from_pretrained(str(model_dir), local_files_only=True)
    m.eval()
    with torch.inference_mode():
        return torch.softmax(m(**tok([text], return_tensors="pt")).logits, dim=-1)[0].tolist()


def test_loads_from_a_local_directory_and_predicts(model: TransformersModel, tiny_dir: Path) -> None:
    assert isinstance(model, SentimentModel) and model.name == "transformers"
    [p] = model.predict([SENTENCES[0]])
    assert p.negative_score == pytest.approx(_probs(tiny_dir, SENTENCES[0])[0], abs=1e-5)
    assert p.label in ("negative", "neutral", "positive")


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(YuqingError, match=f"not found: {missing}"):
        TransformersModel(missing)


def test_a_directory_that_is_no_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TransformersError, match=f"no config.json.*{tmp_path}"):
        TransformersModel(tmp_path)
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')  # no weights, no tokenizer
    with pytest.raises(TransformersError, match=f"cannot load the transformers model in {tmp_path}"):
        TransformersModel(tmp_path)


def test_a_hub_id_is_not_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # "bert-base-chinese" is no directory here
    with pytest.raises(TransformersError, match="not found: bert-base-chinese"):
        TransformersModel(Path("bert-base-chinese"))


def test_batches_keep_order_and_match_one_by_one(model: TransformersModel) -> None:
    texts = SENTENCES + GOOD[:3]  # 8 texts, batch size 2, different lengths so padding differs
    together = model.predict(texts)
    alone = [model.predict([t])[0] for t in texts]
    assert len(together) == len(texts)
    for a, b in zip(together, alone, strict=True):
        assert a.negative_score == pytest.approx(b.negative_score, abs=1e-5)
        assert a.label == b.label
    assert model.predict(list(reversed(texts))) == list(reversed(together))
    assert model.predict([]) == []


def test_a_long_text_is_truncated_to_max_length(tiny_dir: Path) -> None:
    short = TransformersModel(tiny_dir, max_length=16, device="cpu")
    text = "".join(SENTENCES) * 50  # ~1000 characters, far past the 128 positions
    [long] = short.predict([text])
    [head] = short.predict([text[:14]])  # 14 characters + [CLS] + [SEP]
    assert long.negative_score == pytest.approx(head.negative_score, abs=1e-6)
    assert TransformersModel(tiny_dir, max_length=10_000, device="cpu").max_length == 128  # capped at positions
    TransformersModel(tiny_dir, max_length=10_000, device="cpu").predict([text])  # no position overflow


def test_device_is_cpu_here_and_can_be_chosen(tiny_dir: Path) -> None:
    auto = TransformersModel(tiny_dir)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert auto.device.type == expected
    assert next(auto.model.parameters()).device.type == expected
    assert TransformersModel(tiny_dir, device="cpu").device.type == "cpu"
    with pytest.raises(TransformersError, match="bad device"):
        TransformersModel(tiny_dir, device="abacus")


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        ({0: "negative", 1: "positive"}, LabelMap(negative=0, positive=1)),
        ({"0": "POS", "1": "NEG"}, LabelMap(negative=1, positive=0)),
        ({0: "LABEL_0", 1: "LABEL_1"}, LabelMap(negative=0, positive=1)),
        ({0: "0", 1: "1"}, LabelMap(negative=0, positive=1)),
        ({0: "positive", 1: "Neutral", 2: "Negative"}, LabelMap(negative=2, positive=0, neutral=1)),
        ({0: "负面", 1: "中性", 2: "正面"}, LabelMap(negative=0, positive=2, neutral=1)),
        ({0: "neg", 1: "other"}, LabelMap(negative=0, positive=1)),
    ],
)
def test_label_names_map_to_ours(id2label: dict, expected: LabelMap) -> None:
    assert label_map(id2label) == expected


@pytest.mark.parametrize(
    "id2label",
    [{0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, {0: "positive", 1: "LABEL_1"}, {0: "neg", 1: "negative"}],
)
def test_labels_that_cannot_be_read_are_a_clear_error(id2label: dict) -> None:
    with pytest.raises(TransformersError, match="my-model"):
        label_map(id2label, where="my-model")


def test_a_three_label_model_scores_p_negative(tmp_path: Path) -> None:
    d = build_tiny(tmp_path / "three", {0: "positive", 1: "neutral", 2: "negative"}, seed=3)
    [p] = TransformersModel(d, device="cpu").predict([SENTENCES[3]])
    probs = _probs(d, SENTENCES[3])
    assert p.negative_score == pytest.approx(probs[2], abs=1e-5)
    with pytest.raises(TransformersError, match="cannot tell which label is negative"):
        TransformersModel(build_tiny(tmp_path / "bad", {0: "a", 1: "b", 2: "c"}), device="cpu")


def test_evidence_comes_from_the_text(model: TransformersModel) -> None:
    for text, p in zip(SENTENCES, model.predict(SENTENCES), strict=True):
        assert 0 < len(p.evidence) <= 5
        assert all(e in text for e in p.evidence)
    words = [["星河", "热水器", "漏电", "了", "，", "售后", "一直", "推诿", "，", "太", "差", "了", "！"]]
    [p] = model.predict([SENTENCES[0]], tokens=words)
    assert p.evidence and set(p.evidence) <= set(words[0])  # segmenter words, not characters
    assert TransformersModel(model.model_dir, evidence_top_k=0).predict([SENTENCES[0]])[0].evidence == []


def test_predictions_are_deterministic(tiny_dir: Path, model: TransformersModel) -> None:
    again = TransformersModel(tiny_dir, batch_size=2, device="cpu")
    assert again.predict(SENTENCES) == model.predict(SENTENCES) == model.predict(SENTENCES)


def test_token_count_mismatch_is_an_error(model: TransformersModel) -> None:
    with pytest.raises(ValueError, match="2 texts but 1 token lists"):
        model.predict(["好", "差"], tokens=[["好"]])


@pytest.fixture(scope="module")
def train_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "train.csv"
    rows = ([f"1,{t}" for t in GOOD] + [f'0,"{t}"' for t in BAD]) * 3
    path.write_text("\n".join(["label,text", *rows]) + "\n", encoding="utf-8")
    return path


def test_fine_tune_round_trip(tmp_path: Path, train_csv: Path) -> None:
    base = build_tiny(tmp_path / "base", {0: "LABEL_0", 1: "LABEL_1"}, seed=1)
    out = fine_tune(base, [train_csv], tmp_path / "tuned", epochs=8, batch_size=8, lr=5e-3, seed=0, device="cpu")
    assert (out / "config.json").is_file()
    tuned = TransformersModel(out, device="cpu")
    assert tuned.model.config.id2label == {0: "negative", 1: "positive"}
    held_out = {"很好": 1, "好用": 1, "服务好": 1, "很差": 0, "差用": 0, "服务差": 0}
    predictions = tuned.predict(list(held_out))
    right = sum(
        (p.negative_score < 0.5) == bool(label) for p, label in zip(predictions, held_out.values(), strict=True)
    )
    assert right >= 5, [(t, p.negative_score) for t, p in zip(held_out, predictions, strict=True)]
    again = fine_tune(base, [train_csv], tmp_path / "again", epochs=8, batch_size=8, lr=5e-3, seed=0, device="cpu")
    assert TransformersModel(again, device="cpu").predict(list(held_out)) == predictions  # seeded


def test_fine_tune_keeps_a_head_whose_labels_it_can_read(tmp_path: Path, train_csv: Path) -> None:
    base = build_tiny(tmp_path / "base", {0: "positive", 1: "neutral", 2: "negative"})
    out = fine_tune(base, [train_csv], tmp_path / "tuned", epochs=8, batch_size=8, lr=5e-3, device="cpu")
    tuned = TransformersModel(out, device="cpu")
    assert tuned.labels == LabelMap(negative=2, positive=0, neutral=1)
    bad, good = tuned.predict(["很差", "很好"])
    assert bad.negative_score > good.negative_score


def test_fine_tune_rejects_bad_csv(tmp_path: Path, tiny_dir: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("text,sentiment\n好,1\n", encoding="utf-8")
    with pytest.raises(TransformersError, match="needs the columns label,text"):
        fine_tune(tiny_dir, [wrong], tmp_path / "out")
    bad_label = tmp_path / "bad.csv"
    bad_label.write_text("label,text\n2,好\n", encoding="utf-8")
    with pytest.raises(TransformersError, match=r"bad.csv:2: label must be 0"):
        fine_tune(tiny_dir, [bad_label], tmp_path / "out")
    with pytest.raises(TransformersError, match="training file not found"):
        fine_tune(tiny_dir, [tmp_path / "nope.csv"], tmp_path / "out")


def test_yuqing_train_backend_transformers(tmp_path: Path, tiny_dir: Path, train_csv: Path) -> None:
    request = TrainRequest(
        data=[train_csv], out=tmp_path / "m", options={"base": tiny_dir, "epochs": 1, "lr": 1e-3, "C": None, "folds": 5}
    )
    assert train("transformers", request) == tmp_path / "m"
    assert TransformersModel(tmp_path / "m", device="cpu").predict(["好"])
    with pytest.raises(TransformersError, match="--base"):
        train("transformers", TrainRequest(data=[train_csv], out=tmp_path / "x"))
    with pytest.raises(TransformersError, match="no training data at"):
        train(
            "transformers",
            TrainRequest(data=[], out=tmp_path / "x", data_dir=tmp_path / "none", options={"base": tiny_dir}),
        )


def test_load_model_by_name_and_path(tiny_dir: Path, model: TransformersModel) -> None:
    loaded = load_model("transformers", tiny_dir)
    assert isinstance(loaded, TransformersModel)
    assert loaded.predict(SENTENCES) == model.predict(SENTENCES)
    with pytest.raises(YuqingError, match="needs sentiment_model_path"):
        load_model("transformers")


def test_classify_step_uses_the_configured_model(tmp_path: Path, tiny_dir: Path, make_post) -> None:
    settings = load_settings(data_dir=tmp_path, sentiment_model="transformers", sentiment_model_path=tiny_dir)
    step = Classify(StepContext(settings=settings, segmenter=Segmenter(cache_dir=tmp_path / "jieba")))
    assert isinstance(step.model, TransformersModel)
    posts = [make_post(str(i), text) for i, text in enumerate(SENTENCES)]
    for post in posts:
        post.analysis.tokens = list(post.content)
    step(posts)
    expected = step.model.predict(SENTENCES)
    assert [p.analysis.negative_score for p in posts] == [e.negative_score for e in expected]
    assert all(p.analysis.sentiment in ("negative", "neutral", "positive") and p.analysis.evidence for p in posts)


def test_the_cli_trains_and_classifies_with_it(tmp_path: Path, tiny_dir: Path, train_csv: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    out = tmp_path / "tuned"
    train_cmd = ["train", "--backend", "transformers", "--base", str(tiny_dir), "--data", str(train_csv)]
    done = subprocess.run(yuqing_command(*train_cmd, "--out", str(out)), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (out / "config.json").is_file()
    lines = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(SENTENCES))
    classify = yuqing_command("classify", "--backend", "transformers", "--model", str(out))
    done = subprocess.run(classify, input=lines, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    expected = TransformersModel(out, device="cpu").predict(SENTENCES)
    assert [r["id"] for r in rows] == list(range(len(SENTENCES)))
    assert [r["negative_score"] for r in rows] == pytest.approx([e.negative_score for e in expected], abs=1e-5)

    missing = tmp_path / "nowhere"
    done = subprocess.run(
        yuqing_command("classify", "--backend", "transformers", "--model", str(missing)),
        input="",
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"yuqing: error: transformers model directory not found: {missing}"]
