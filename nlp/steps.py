"""The built-in ingest steps (see ``pipeline.DEFAULT_STEPS`` for their order)."""

from __future__ import annotations

from collections.abc import Callable

from yuqing.post import Post

from .brands import BrandMatcher
from .dedup import Deduplicator
from .events import GENERIC_KINDS, GENERIC_WORDS, PROBLEM_KINDS, EventGrouper, Vectorizer, jieba_idf
from .lexicon import load_lexicon
from .pipeline import StepContext
from .risk import RiskConfig, RiskScorer
from .sentiment import load_model
from .text import clean


class Clean:
    """The text the models read: entities, stray tags, traditional to simplified,
    full-width forms, whitespace. The post's own text is kept as crawled."""

    def __init__(self, ctx: StepContext) -> None:
        pass

    def __call__(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            post.analysis.normalized = clean(post.content)
        return posts


def _text(post: Post) -> str:
    return post.analysis.normalized or post.content


class Segment:
    """jieba words, with the brand dictionary so brand names stay whole."""

    def __init__(self, ctx: StepContext) -> None:
        self.segmenter = ctx.segmenter

    def __call__(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            post.analysis.tokens = self.segmenter.cut(_text(post))
        return posts


class MatchBrands:
    """Which watched brands a post is about; a post about none is stored but never alerts."""

    def __init__(self, ctx: StepContext) -> None:
        self.matcher = BrandMatcher([b.rule() for b in ctx.settings.brands])

    def __call__(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            post.analysis.brands = self.matcher.match(_text(post))
        return posts


class Classify:
    """Sentiment label, negative score and the evidence behind it."""

    def __init__(self, ctx: StepContext) -> None:
        self.model = load_model(ctx.settings.sentiment_model, ctx.settings.sentiment_model_path)

    def __call__(self, posts: list[Post]) -> list[Post]:
        predictions = self.model.predict(
            [_text(post) for post in posts], tokens=[post.analysis.tokens for post in posts]
        )
        for post, prediction in zip(posts, predictions, strict=True):
            post.analysis.sentiment = prediction.label
            post.analysis.negative_score = prediction.negative_score
            post.analysis.evidence = list(prediction.evidence)
        return posts


class Deduplicate:
    """SimHash fingerprints; a near-copy of an earlier post (a repost, a pasted text)
    is linked to it (``duplicate_of``) and never alerts again."""

    def __init__(self, ctx: StepContext) -> None:
        conf = ctx.settings.dedup
        segmenter = ctx.segmenter
        self.dedup = Deduplicator(
            ctx.state, segmenter.cut, max_distance=conf.max_distance, window_hours=conf.window_hours
        )

    def __call__(self, posts: list[Post]) -> list[Post]:
        self.dedup(posts)
        return posts


class GroupEvents:
    """Negative brand posts into events (online, time-windowed); incidents group by event."""

    def __init__(self, ctx: StepContext) -> None:
        settings = ctx.settings
        lexicon = load_lexicon()
        generic = [e.term for e in lexicon.terms.values() if e.kind in GENERIC_KINDS]
        generic += [*lexicon.modifiers, *GENERIC_WORDS]
        names = [w for b in settings.brands for w in (b.name, *b.aliases)]
        products = [w for b in settings.brands for w in b.keywords]
        self.vectorizer = Vectorizer(
            self._idf,
            brand_names=[clean(w) for w in names],
            products=[clean(w) for w in products],
            generic=generic,
            problems=[e.term for e in lexicon.terms.values() if e.kind in PROBLEM_KINDS],
        )
        self.grouper = EventGrouper(
            ctx.state,
            self.vectorizer,
            window_hours=settings.events.window_hours,
            similarity=settings.events.similarity,
        )
        self._jieba_idf: Callable[[str], float] | None = None

    def _idf(self, word: str) -> float:
        if self._jieba_idf is None:
            self._jieba_idf = jieba_idf()  # read on the first negative brand post, not at start-up
        return self._jieba_idf(word)

    def __call__(self, posts: list[Post]) -> list[Post]:
        self.grouper(posts)
        return posts


class AssessRisk:
    """Risk score, suggested severity (一般 / 较大 / 重大) and the reasons, for negative brand posts."""

    def __init__(self, ctx: StepContext) -> None:
        self.scorer = RiskScorer(RiskConfig.from_settings(ctx.settings.risk))

    def __call__(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            a = post.analysis
            if a.brands and a.sentiment == "negative":
                result = self.scorer(post)
                a.risk_score, a.severity, a.risk_reasons = result.score, result.severity, result.reasons
            else:
                a.risk_score, a.severity, a.risk_reasons = None, None, []
        return posts
