"""Sentiment models: the common interface, the label rule and the registry.

Every backend answers ``predict(texts, tokens=None)`` with one ``Prediction``
per text. ``LexiconModel`` is the transparent default; trained backends are
added to ``load_model`` later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


_MODELS: dict[str, Callable[[], SentimentModel]] = {
    "lexicon": LexiconModel,
}


def load_model(name: str = "lexicon") -> SentimentModel:
    """The sentiment backend called ``name``."""
    try:
        factory = _MODELS[name]
    except KeyError:
        raise ValueError(f"unknown sentiment model {name!r}; known: {', '.join(sorted(_MODELS))}") from None
    return factory()
