"""Measure LexiconModel on the Weibo 2018 set (label 1 = not negative, 0 = negative).

Run: ``.venv/bin/python bench/bench_sentiment.py [path/to/weibo2018_train.csv]``.
Prints negative-class precision, recall and F1 and texts per second (cleaning,
segmentation and scoring together, and scoring alone). It only measures: the
lexicon is general vocabulary and must not be tuned line by line on this file.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from yuqing.nlp.segment import Segmenter
from yuqing.nlp.sentiment import LexiconModel
from yuqing.nlp.text import clean

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "weibo2018_train.csv"


def load(path: Path) -> tuple[list[str], list[bool]]:
    """Texts and whether each is negative (label 0)."""
    texts: list[str] = []
    negative: list[bool] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            texts.append(row["text"])
            negative.append(row["label"].strip() == "0")
    return texts, negative


def prf(gold: list[bool], pred: list[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    if not path.is_file():
        print(f"no data at {path}; nothing to measure")
        return 0
    texts, gold = load(path)
    segmenter = Segmenter()
    model = LexiconModel(segmenter=segmenter)
    segmenter.cut("预热")  # build jieba's dictionary outside the timing

    start = time.perf_counter()
    cleaned = [clean(t) for t in texts]
    tokens = [segmenter.cut(t) for t in cleaned]
    mid = time.perf_counter()
    predictions = model.predict(cleaned, tokens)
    end = time.perf_counter()

    pred = [p.label == "negative" for p in predictions]
    precision, recall, f1 = prf(gold, pred)
    labels = {lab: sum(p.label == lab for p in predictions) for lab in ("negative", "neutral", "positive")}
    print(f"data: {path.name}, {len(texts)} texts, {sum(gold)} negative")
    print(f"model: {model.name}; predicted {labels}")
    print(f"negative class: precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    print(
        f"speed: {len(texts) / (end - start):,.0f} texts/s end to end (clean+segment+score), "
        f"{len(texts) / (end - mid):,.0f} texts/s scoring only"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
