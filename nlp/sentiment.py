"""Sentiment models: the common interface, the label rule and the registry.

Every backend answers ``predict(texts, tokens=None)`` with one ``Prediction``
per text. The default is the trained ``linear`` model (``yuqing.nlp.linear``,
shipped in ``nlp/models``); ``LexiconModel`` is the transparent hand-written
one. Backends are looked up by name in a registry that others add to with
``register_model``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from yuqing.nlp.lexicon import Lexicon, evidence, load_lexicon, logistic_negative, score_tokens
from yuqing.nlp.segment import Segmenter
from yuqing.post import Sentiment

NEGATIVE_AT = 0.6  # negative_score at or above this is "negative"
POSITIVE_AT = 0.35  # at or below this (with positive evidence) is "positive"


class Prediction(BaseModel):
    """A model's verdict on one text."""

    model_config = ConfigDict(frozen=True)

    label: Sentiment
    negative_score: float = Field(ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)


@runtime_checkable
class SentimentModel(Protocol):
    name: str

    def predict(self, texts: Sequence[str], tokens: Sequence[list[str]] | None = None) -> list[Prediction]:
        """One prediction per text; ``tokens`` is the Segmenter's output for them, if known."""
        ...


def label_for(negative_score: float, has_positive: bool = True) -> Sentiment:
    """The label rule all backends share."""
    if negative_score >= NEGATIVE_AT:
        return "negative"
    if negative_score <= POSITIVE_AT and has_positive:
        return "positive"
    return "neutral"


class LexiconModel:
    """Sums weighted lexicon terms (with negation, degree adverbs, "!" and 呵呵)."""

    name = "lexicon"

    def __init__(self, lexicon: Lexicon | None = None, segmenter: Segmenter | None = None) -> None:
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self._segmenter = segmenter

    @property
    def segmenter(self) -> Segmenter:
        """Used only when ``predict`` gets no tokens; built on first need."""
        if self._segmenter is None:
            self._segmenter = Segmenter()
        return self._segmenter

    def predict(self, texts: Sequence[str], tokens: Sequence[list[str]] | None = None) -> list[Prediction]:
        if tokens is not None and len(tokens) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(tokens)} token lists")
        out: list[Prediction] = []
        for i, text in enumerate(texts):
            toks = tokens[i] if tokens is not None else self.segmenter.cut(text)
            out.append(self.predict_one(text, toks))
        return out

    def predict_one(self, text: str, tokens: list[str]) -> Prediction:
        bangs = text.count("!") + text.count("！")
        score, hits = score_tokens(tokens, self.lexicon, exclamations=bangs)
        negative_score = logistic_negative(score)
        has_positive = any(h.contribution > 0 for h in hits)
        return Prediction(
            label=label_for(negative_score, has_positive),
            negative_score=negative_score,
            evidence=evidence(hits),
        )


def _transformers(path: Path | None) -> SentimentModel:
    from yuqing.nlp.transformers_backend import TransformersError, TransformersModel  # torch only if chosen

    if path is None:
        raise TransformersError('sentiment_model = "transformers" needs sentiment_model_path (a model directory)')
    return TransformersModel(path)


# Each factory gets the model directory (``sentiment_model_path``), None when unset.
ModelFactory = Callable[[Path | None], SentimentModel]


def _lexicon_model(path: Path | None) -> SentimentModel:
    """The lexicon model; ``path``, if given, is a lexicon TSV to use instead of the shipped one."""
    return LexiconModel(load_lexicon(Path(path)) if path is not None else None)


def _linear_model(path: Path | None) -> SentimentModel:
    """The trained linear model: the shipped one, or the directory ``yuqing train`` wrote."""
    from yuqing.nlp.linear import LinearModel

    return LinearModel.load(Path(path) if path is not None else None)


_MODELS: dict[str, ModelFactory] = {
    "lexicon": _lexicon_model,
    "linear": _linear_model,
    "transformers": _transformers,
}
DEFAULT_MODEL = "linear"


def register_model(name: str, factory: ModelFactory) -> None:
    """Make ``load_model(name, path)`` call ``factory(path)``."""
    _MODELS[name] = factory


def model_names() -> list[str]:
    return sorted(_MODELS)


def load_model(name: str = DEFAULT_MODEL, path: Path | None = None) -> SentimentModel:
    """The sentiment backend called ``name``; ``path`` is its model directory (or file), if any."""
    try:
        factory = _MODELS[name]
    except KeyError:
        raise ValueError(f"unknown sentiment model {name!r}; known: {', '.join(sorted(_MODELS))}") from None
    return factory(path)
