"""A fine-tuned transformer (BERT, RoBERTa, ...) as a sentiment backend.

``TransformersModel`` reads a model directory that is already on disk (what
``save_pretrained`` writes: ``config.json``, the weights, the tokenizer files)
and never asks a model hub for anything: everything is loaded with
``local_files_only=True``, and ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` are
set for this process unless the operator set them. ``fine_tune`` turns a base
checkpoint (say a Chinese RoBERTa the operator copied onto the server) into
such a directory, from CSV files of ``label,text`` rows (1 = not negative,
0 = negative). See docs/transformers.md.

torch and transformers are imported on first use only, so the default
(lexicon) path never needs them: ``pip install 'yuqing[transformers]'``.

Labels. The model's ``config.id2label`` names are read case-insensitively:
"negative"/"neg"/"负面"/"消极", "neutral"/"neu"/"中性", "positive"/"pos"/
"正面"/"积极". A 2-label model whose names are none of these (``LABEL_0``,
``LABEL_1``, "0", "1") is read as index 0 = negative, index 1 = not negative.
``negative_score`` is P(negative); the label then follows the rule all
backends share (``sentiment.label_for``); a 3-label model counts as having
positive evidence when P(positive) > P(neutral), a 2-label one always does.

Evidence is gradient x input on the input (word-piece) embeddings: the
gradient of log-odds(negative) with respect to each token's embedding, dotted
with that embedding. One extra forward and backward pass per batch, with the
weights frozen (roughly three times the cost of scoring alone; pass
``evidence_top_k=0`` to skip it). Token scores are summed into the
segmenter's words when ``predict`` gets them, else into the model's tokens
(single characters for Chinese BERTs). A negative post's evidence is the
words pushing hardest towards negative, a positive post's those pushing
hardest away from it, a neutral post's the strongest either way. It is a
local, first-order explanation of this model's score, not proof of cause.
"""

from __future__ import annotations

import csv
import logging
import math
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yuqing.errors import YuqingError
from yuqing.nlp.sentiment import Prediction, label_for
from yuqing.nlp.text import clean

if TYPE_CHECKING:
    import torch

    from yuqing.nlp.train import TrainRequest

log = logging.getLogger(__name__)

_NAMES = {
    "negative": {"negative", "neg", "负面", "消极"},
    "neutral": {"neutral", "neu", "中性"},
    "positive": {"positive", "pos", "正面", "积极"},
}
_ROLE_OF = {name: role for role, names in _NAMES.items() for name in names}


class TransformersError(YuqingError):
    """A transformers model directory, its labels or its training data cannot be used."""


def _require() -> tuple[Any, Any]:
    """torch and transformers, imported now; offline unless the operator said otherwise."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise TransformersError(
            f"the transformers sentiment backend needs torch and transformers ({exc.name} is missing): "
            "pip install 'yuqing[transformers]'"
        ) from None
    transformers.logging.set_verbosity_error()  # no "weights newly initialized" chatter on every load
    transformers.logging.disable_progress_bar()  # nor "Loading weights" bars on stderr
    return torch, transformers


@dataclass(frozen=True)
class LabelMap:
    """Which output index of the model is negative, neutral and positive (None: absent)."""

    negative: int
    positive: int | None
    neutral: int | None = None


def label_map(id2label: dict[Any, str], where: str = "the model") -> LabelMap:
    """Our labels in a model's ``id2label`` (see the module docstring for the names read)."""
    labels = {int(i): str(name) for i, name in id2label.items()}
    roles: dict[str, int] = {}
    for index, name in sorted(labels.items()):
        role = _ROLE_OF.get(name.strip().lower())
        if role is not None:
            if role in roles:
                raise TransformersError(f"{where}: two labels mean {role}: {labels}")
            roles[role] = index
    if "negative" not in roles and len(labels) == 2 and not roles:
        return LabelMap(negative=0, positive=1)  # LABEL_0 / LABEL_1: 0 = negative
    if "negative" not in roles:
        raise TransformersError(
            f"{where}: cannot tell which label is negative in {labels}; "
            'name them "negative"/"neutral"/"positive" (or NEG/POS) in config.json id2label'
        )
    if len(roles) != len(labels):
        unknown = {i: n for i, n in labels.items() if i not in roles.values()}
        if len(labels) == 2:  # e.g. {0: "NEG", 1: "OK"}: the other one is "not negative"
            return LabelMap(negative=roles["negative"], positive=1 - roles["negative"])
        raise TransformersError(f"{where}: labels {unknown} are none of negative, neutral, positive")
    return LabelMap(negative=roles["negative"], positive=roles.get("positive"), neutral=roles.get("neutral"))


def _pick_device(torch: Any, device: str | None) -> torch.device:
    name = device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(name)
    except RuntimeError as exc:
        raise TransformersError(f"bad device {name!r}: {exc}") from None


def _check_model_dir(model_dir: Path) -> Path:
    model_dir = Path(model_dir).expanduser()
    if not model_dir.is_dir():
        raise TransformersError(f"transformers model directory not found: {model_dir}")
    if not (model_dir / "config.json").is_file():
        raise TransformersError(
            f"not a transformers model directory (no config.json): {model_dir}; "
            "it should hold what save_pretrained writes (config.json, weights, tokenizer files)"
        )
    return model_dir


def _load(transformers: Any, model_dir: Path, **model_kwargs: Any) -> tuple[Any, Any]:
    """Tokenizer and sequence-classification model from a local directory, nothing fetched."""
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            str(model_dir), local_files_only=True, **model_kwargs
        )
    except (OSError, ValueError, KeyError, TypeError, ImportError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TransformersError(f"cannot load the transformers model in {model_dir}: {first}") from None
    return tokenizer, model


def _max_length(requested: int, tokenizer: Any, config: Any) -> int:
    """``requested``, capped at what the model's position embeddings allow."""
    limits = [requested]
    model_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(model_max, int) and 0 < model_max < 100_000:
        limits.append(model_max)
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        limits.append(positions)
    return min(limits)


class TransformersModel:
    """A sequence-classification transformer read from ``model_dir`` (see the module docstring)."""

    name = "transformers"

    def __init__(
        self,
        model_dir: Path,
        *,
        batch_size: int = 32,
        max_length: int = 256,
        device: str | None = None,
        evidence_top_k: int = 5,
    ) -> None:
        if batch_size < 1 or max_length < 2:
            raise ValueError(f"batch_size must be >= 1 and max_length >= 2, got {batch_size}, {max_length}")
        self.model_dir = _check_model_dir(model_dir)
        torch, transformers = _require()
        self._torch = torch
        self.tokenizer, self.model = _load(transformers, self.model_dir)
        self.labels = label_map(self.model.config.id2label, where=str(self.model_dir))
        self.device = _pick_device(torch, device)
        self.model.to(self.device)
        self.model.eval()
        self.model.requires_grad_(False)  # attributions need input gradients only
        self.batch_size = batch_size
        self.max_length = _max_length(max_length, self.tokenizer, self.model.config)
        self.evidence_top_k = evidence_top_k

    def predict(self, texts: Sequence[str], tokens: Sequence[list[str]] | None = None) -> list[Prediction]:
        if tokens is not None and len(tokens) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(tokens)} token lists")
        out: list[Prediction] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [str(t) for t in texts[start : start + self.batch_size]]
            words = tokens[start : start + self.batch_size] if tokens is not None else None
            out.extend(self._predict_batch(batch, words))
        return out

    def _encode(self, texts: list[str]) -> tuple[dict[str, torch.Tensor], list[list[tuple[int, int]]] | None]:
        fast = bool(getattr(self.tokenizer, "is_fast", False))
        enc = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
            return_offsets_mapping=fast,
        )
        offsets = enc.pop("offset_mapping").tolist() if fast else None
        return {k: v.to(self.device) for k, v in enc.items()}, offsets

    def _predict_batch(self, texts: list[str], words: Sequence[list[str]] | None) -> list[Prediction]:
        torch = self._torch
        inputs, offsets = self._encode(texts)
        with torch.inference_mode():
            logits = self.model(**inputs).logits
            probs = torch.softmax(logits.float(), dim=-1).cpu().tolist()
        attributions = self._attribute(inputs) if self.evidence_top_k > 0 else None
        out = []
        for i, p in enumerate(probs):
            negative = min(1.0, max(0.0, p[self.labels.negative]))
            if self.labels.neutral is not None and self.labels.positive is not None:
                has_positive = p[self.labels.positive] > p[self.labels.neutral]
            else:
                has_positive = self.labels.positive is not None
            label = label_for(negative, has_positive)
            evidence: list[str] = []
            if attributions is not None:
                units = self._units(texts[i], inputs, i, offsets, attributions[i], words[i] if words else None)
                evidence = _top(units, label, self.evidence_top_k)
            out.append(Prediction(label=label, negative_score=negative, evidence=evidence))
        return out

    def _attribute(self, inputs: dict[str, torch.Tensor]) -> list[list[float]]:
        """Gradient x input of log-odds(negative) on the word-piece embeddings, per token."""
        torch = self._torch
        captured: list[torch.Tensor] = []

        def keep(module: Any, args: Any, output: torch.Tensor) -> torch.Tensor:
            output = output.detach().requires_grad_(True)
            captured.append(output)
            return output

        handle = self.model.get_input_embeddings().register_forward_hook(keep)
        try:
            with torch.enable_grad():
                logits = self.model(**inputs).logits.float()
                log_probs = torch.log_softmax(logits, dim=-1)
                neg = log_probs[:, self.labels.negative]
                rest = torch.logsumexp(
                    torch.cat([log_probs[:, : self.labels.negative], log_probs[:, self.labels.negative + 1 :]], dim=1),
                    dim=1,
                )
                (grad,) = torch.autograd.grad((neg - rest).sum(), captured[0])
        finally:
            handle.remove()
        scores = (grad * captured[0]).sum(dim=-1).detach()
        return scores.cpu().tolist()

    def _units(
        self,
        text: str,
        inputs: dict[str, torch.Tensor],
        row: int,
        offsets: list[list[tuple[int, int]]] | None,
        scores: list[float],
        words: list[str] | None,
    ) -> list[tuple[str, float]]:
        """(display, score) for each word (segmenter words if given, else model tokens), in text order."""
        ids = inputs["input_ids"][row].tolist()
        mask = inputs["attention_mask"][row].tolist() if "attention_mask" in inputs else [1] * len(ids)
        special = set(self.tokenizer.all_special_ids)
        keep = [j for j, t in enumerate(ids) if mask[j] and t not in special]
        if offsets is None:  # a slow tokenizer: its own token strings
            pieces = self.tokenizer.convert_ids_to_tokens([ids[j] for j in keep])
            return [(p, scores[j]) for p, j in zip(pieces, keep, strict=True)]
        spans = [(*offsets[row][j], scores[j]) for j in keep]
        spans = [(a, b, score) for a, b, score in spans if b > a]
        if not words:
            return [(text[a:b], score) for a, b, score in spans]
        at_char = [0.0] * (len(text) + 1)  # each token's score on the character it starts at
        for a, _, score in spans:
            at_char[a] += score
        units = []
        pos = 0
        for word in words:
            start = text.find(word, pos)
            if start < 0:
                continue
            pos = start + len(word)
            units.append((word, sum(at_char[start:pos])))
        return units


def _top(units: list[tuple[str, float]], label: str, k: int) -> list[str]:
    """The k words that pushed the score most towards ``label`` (distinct, strongest first)."""
    total: dict[str, float] = {}
    for word, score in units:
        if any(ch.isalnum() for ch in word):  # no bare punctuation
            total[word] = total.get(word, 0.0) + score
    if label == "negative":
        ranked = sorted((w for w in total if total[w] > 0), key=lambda w: -total[w])
    elif label == "positive":
        ranked = sorted((w for w in total if total[w] < 0), key=lambda w: total[w])
    else:
        ranked = sorted((w for w in total if total[w]), key=lambda w: -abs(total[w]))
    return ranked[:k]


# --- fine-tuning -----------------------------------------------------------


def read_labeled_csv(paths: Sequence[Path]) -> list[tuple[str, int]]:
    """(text, label) rows of ``label,text`` CSV files with a header; label 1 = not negative, 0 = negative.

    Texts go through ``clean`` (as the Classify step's input does)."""
    rows: list[tuple[str, int]] = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise TransformersError(f"training file not found: {path}")
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or not {"label", "text"} <= set(reader.fieldnames):
                raise TransformersError(f"{path}: needs the columns label,text (got {reader.fieldnames})")
            for line, row in enumerate(reader, start=2):
                value = (row["label"] or "").strip()
                if value not in ("0", "1"):
                    raise TransformersError(f"{path}:{line}: label must be 0 (negative) or 1 (not negative)")
                text = clean(row["text"] or "")
                if text:
                    rows.append((text, int(value)))
    return rows


def _batches(n: int, size: int, rng: random.Random) -> Iterator[list[int]]:
    order = list(range(n))
    rng.shuffle(order)
    for start in range(0, n, size):
        yield order[start : start + size]


def fine_tune(
    base_dir: Path,
    train_csv: list[Path],
    out_dir: Path,
    *,
    epochs: int = 1,
    batch_size: int = 16,
    lr: float = 2e-5,
    max_length: int = 256,
    seed: int = 0,
    device: str | None = None,
    progress: bool = False,
) -> Path:
    """Fine-tune the checkpoint in ``base_dir`` on ``label,text`` CSV files; save to ``out_dir``."""
    return fine_tune_rows(
        base_dir,
        read_labeled_csv(train_csv),
        out_dir,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        max_length=max_length,
        seed=seed,
        device=device,
        progress=progress,
    )


def fine_tune_rows(
    base_dir: Path,
    rows: Sequence[tuple[str, int]],
    out_dir: Path,
    *,
    epochs: int = 1,
    batch_size: int = 16,
    lr: float = 2e-5,
    max_length: int = 256,
    seed: int = 0,
    device: str | None = None,
    progress: bool = False,
) -> Path:
    """Fine-tune the checkpoint in ``base_dir`` on (text, label) rows (1 = not negative, 0 = negative);
    save model and tokenizer to ``out_dir`` with ``save_pretrained``.

    A base whose labels already name negative and positive keeps its head
    (0 -> its negative, 1 -> its positive); any other base gets a fresh
    2-label head, ``{0: "negative", 1: "positive"}``. Plain AdamW with linear
    warm-up (the first 10% of steps) and decay; seeded, so a rerun on the same
    machine gives the same model.
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs}, {batch_size}")
    base_dir = _check_model_dir(base_dir)
    rows = list(rows)
    if not rows:
        raise TransformersError("no training rows")
    if len({label for _, label in rows}) < 2:
        raise TransformersError("the training data needs both negative (0) and not-negative (1) examples")
    torch, transformers = _require()
    torch.manual_seed(seed)
    rng = random.Random(seed)

    config = transformers.AutoConfig.from_pretrained(str(base_dir), local_files_only=True)
    try:
        labels = label_map(config.id2label, where=str(base_dir))
    except TransformersError:
        labels = None
    if labels is not None and labels.positive is not None and labels != LabelMap(negative=0, positive=1):
        tokenizer, model = _load(transformers, base_dir)
    else:  # LABEL_0/LABEL_1, no head, or labels we cannot use: a 2-label head of our own
        labels = LabelMap(negative=0, positive=1)
        tokenizer, model = _load(
            transformers,
            base_dir,
            num_labels=2,
            id2label={0: "negative", 1: "positive"},
            label2id={"negative": 0, "positive": 1},
            ignore_mismatched_sizes=True,
        )
    target_of = {0: labels.negative, 1: labels.positive}
    dev = _pick_device(torch, device)
    model.to(dev)
    model.train()
    length = _max_length(max_length, tokenizer, model.config)

    per_epoch = math.ceil(len(rows) / batch_size)
    steps = epochs * per_epoch
    warmup = max(1, steps // 10)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup)))
    )
    say = log.info if not progress else lambda msg, *a: print(msg % a, file=sys.stderr, flush=True)
    say("fine-tuning %s on %d rows: %d epochs of %d steps, on %s", base_dir, len(rows), epochs, per_epoch, dev)
    every = max(1, per_epoch // 20)
    started = time.monotonic()
    for epoch in range(epochs):
        total, seen = 0.0, 0
        for step, idx in enumerate(_batches(len(rows), batch_size, rng), start=1):
            enc = tokenizer(
                [rows[i][0] for i in idx], padding=True, truncation=True, max_length=length, return_tensors="pt"
            )
            enc = {k: v.to(dev) for k, v in enc.items()}
            target = torch.tensor([target_of[rows[i][1]] for i in idx], device=dev)
            loss = torch.nn.functional.cross_entropy(model(**enc).logits.float(), target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item() * len(idx)
            seen += len(idx)
            if progress and step % every == 0:
                say(
                    "epoch %d step %d/%d: mean loss %.4f (%.0f s)",
                    epoch + 1,
                    step,
                    per_epoch,
                    total / seen,
                    time.monotonic() - started,
                )
        say("epoch %d/%d: mean loss %.4f over %d rows", epoch + 1, epochs, total / seen, seen)

    out_dir = Path(out_dir).expanduser()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    return out_dir


_OPTIONS = ("base", "epochs", "batch_size", "lr", "max_length", "seed", "device")


def train_transformers(request: TrainRequest) -> Path:
    """``yuqing train --backend transformers --base DIR --out DIR [--data CSV ...]``, for ``nlp.train.TRAINERS``.

    ``request.options`` holds ``base`` (required: the local checkpoint
    directory) and, optionally, ``epochs``, ``batch_size``, ``lr``,
    ``max_length``, ``seed``, ``device`` (None = ``fine_tune``'s default);
    other keys are other backends' and are ignored.
    Without ``request.data``, the linear backend's shipped recipe is used:
    its files, duplicates merged, held-out texts removed (its per-source
    weights are not: every row counts once).
    """
    from yuqing.nlp import train

    # other backends' options (the linear C, folds) are not this one's: only ``_OPTIONS`` are read
    options = {k: v for k, v in request.options.items() if v is not None and k in _OPTIONS}
    base = options.pop("base", None)
    if base is None:
        raise TransformersError("--backend transformers needs --base DIR (a local checkpoint directory)")
    if request.data:
        train._check_allowed(request.data)
        examples: list[train.Example] = []
        for path in request.data:
            examples.extend(train.read_csv(Path(path)))
        examples, _ = train.dedupe(examples)
    else:
        if not request.data_dir.is_dir():
            raise TransformersError(f"no training data at {request.data_dir}; give --data CSV")
        examples, _ = train.shipped_examples(request.data_dir)
    rows = [(ex.text, 0 if ex.negative else 1) for ex in examples]
    return fine_tune_rows(Path(base), rows, Path(request.out), progress=request.progress, **options)
