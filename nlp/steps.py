"""The built-in ingest steps (see ``pipeline.DEFAULT_STEPS`` for their order)."""

from __future__ import annotations

from yuqing.post import Post

from .brands import BrandMatcher, BrandRule
from .pipeline import StepContext
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
        self.matcher = BrandMatcher(
            [BrandRule(name=b.name, keywords=b.terms(), exclude=b.exclude) for b in ctx.settings.brands]
        )

    def __call__(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            post.analysis.brands = self.matcher.match(_text(post))
        return posts


class Classify:
    """Sentiment label, negative score and the evidence behind it."""

    def __init__(self, ctx: StepContext) -> None:
        self.model = load_model(ctx.settings.sentiment_model)

    def __call__(self, posts: list[Post]) -> list[Post]:
        predictions = self.model.predict(
            [_text(post) for post in posts], tokens=[post.analysis.tokens for post in posts]
        )
        for post, prediction in zip(posts, predictions, strict=True):
            post.analysis.sentiment = prediction.label
            post.analysis.negative_score = prediction.negative_score
            post.analysis.evidence = list(prediction.evidence)
        return posts
