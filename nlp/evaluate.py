"""Scoring a sentiment model on labelled data: ``yuqing eval``.

Gold labels are binary (CSV ``label,text``: 1 = not negative, 0 = negative);
a prediction counts as negative when its label is "negative", so "neutral" and
"positive" both count as "not negative". The confusion matrix keeps the three
predicted labels apart.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from yuqing.nlp.sentiment import SentimentModel
from yuqing.post import SENTIMENTS

BATCH = 512


@dataclass
class Metrics:
    n: int
    tp: int  # gold negative, predicted negative
    fp: int  # gold not negative, predicted negative
    fn: int  # gold negative, predicted not negative
    tn: int
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)  # gold -> predicted label -> count
    seconds: float = 0.0

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.n if self.n else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Negative-class F1."""
        return _f1(self.tp, self.fp, self.fn)

    @property
    def not_negative_f1(self) -> float:
        return _f1(self.tn, self.fn, self.fp)

    @property
    def macro_f1(self) -> float:
        return (self.f1 + self.not_negative_f1) / 2

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "negative_precision": round(self.precision, 4),
            "negative_recall": round(self.recall, 4),
            "negative_f1": round(self.f1, 4),
        }


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def metrics(gold_negative: Sequence[bool], labels: Sequence[str], seconds: float = 0.0) -> Metrics:
    """Binary metrics (negative vs the rest) and the gold x predicted-label confusion matrix."""
    if len(gold_negative) != len(labels):
        raise ValueError("gold and predicted differ in length")
    confusion = {g: dict.fromkeys(SENTIMENTS, 0) for g in ("negative", "not negative")}
    tp = fp = fn = tn = 0
    for gold, label in zip(gold_negative, labels, strict=True):
        confusion["negative" if gold else "not negative"][label] += 1
        pred = label == "negative"
        if gold and pred:
            tp += 1
        elif pred:
            fp += 1
        elif gold:
            fn += 1
        else:
            tn += 1
    return Metrics(len(labels), tp, fp, fn, tn, confusion, seconds)


def evaluate(
    model: SentimentModel, texts: Sequence[str], gold_negative: Sequence[bool], progress: bool = False
) -> Metrics:
    """Predict every text (raw: each backend cleans what it reads) and score the labels."""
    from yuqing.nlp.classify_io import progress_bar

    labels: list[str] = []
    started = time.perf_counter()
    with progress_bar(len(texts), progress, "eval") as bar:
        for start in range(0, len(texts), BATCH):
            batch = texts[start : start + BATCH]
            labels.extend(p.label for p in model.predict(batch))
            bar.update(len(batch))
    return metrics(gold_negative, labels, time.perf_counter() - started)


def format_metrics(m: Metrics, title: str = "") -> str:
    """The report ``yuqing eval`` prints."""
    rate = f", {m.n / m.seconds:,.0f} texts/s" if m.seconds else ""
    lines = [title] if title else []
    lines += [
        f"texts: {m.n} ({m.tp + m.fn} negative){rate}",
        f"accuracy: {m.accuracy:.4f}",
        f"macro-F1: {m.macro_f1:.4f}",
        f"negative class: precision {m.precision:.4f}  recall {m.recall:.4f}  F1 {m.f1:.4f}",
        "confusion matrix (rows: gold, columns: predicted):",
    ]
    width = max(len(s) for s in ("not negative", *SENTIMENTS)) + 2
    lines.append(" " * width + "".join(s.rjust(width) for s in SENTIMENTS))
    for gold, row in m.confusion.items():
        lines.append(gold.ljust(width) + "".join(str(row[s]).rjust(width) for s in SENTIMENTS))
    return "\n".join(lines)
