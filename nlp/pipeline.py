"""The ingest pipeline: small steps run in order on each batch of posts.

Steps are declared in one place, Scrapy-settings style: a dotted path to a
step class and its order. The ``pipeline`` setting adds a step, moves it (a
new number) or switches it off (``false``):

    [pipeline]
    "yuqing.nlp.steps.Classify" = 450
    "yuqing.nlp.steps.Clean" = false
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import ImportString, TypeAdapter, ValidationError

from yuqing.errors import ConfigError
from yuqing.post import Post
from yuqing.settings import Settings

from .segment import Segmenter

DEFAULT_STEPS: dict[str, int] = {
    "yuqing.nlp.steps.Clean": 100,
    "yuqing.nlp.steps.Segment": 200,
    "yuqing.nlp.steps.MatchBrands": 300,
    "yuqing.nlp.steps.Classify": 400,
}


@dataclass(frozen=True)
class StepContext:
    """What steps may build themselves from: the settings and shared resources."""

    settings: Settings
    segmenter: Segmenter


class Step(Protocol):
    def __call__(self, posts: list[Post]) -> list[Post]:
        """Change the posts in place or return fewer of them (a filter)."""
        ...


def build_segmenter(settings: Settings) -> Segmenter:
    return Segmenter(user_words=settings.brand_terms(), cache_dir=settings.data_dir / "cache")


def step_order(overrides: Mapping[str, int | bool | None]) -> list[str]:
    """Step paths in run order; ``False`` (TOML) or ``None`` (Python) switches a step off."""
    merged: dict[str, int | bool | None] = {**DEFAULT_STEPS, **overrides}
    enabled = [(order, path) for path, order in merged.items() if order is not None and order is not False]
    return [path for _, path in sorted(enabled)]


_step_class = TypeAdapter(ImportString)


class Pipeline:
    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = list(steps)

    @classmethod
    def from_settings(cls, settings: Settings, segmenter: Segmenter | None = None) -> Pipeline:
        ctx = StepContext(settings=settings, segmenter=segmenter or build_segmenter(settings))
        steps = []
        for path in step_order(settings.pipeline):
            try:
                step_cls = _step_class.validate_python(path)
            except ValidationError:
                raise ConfigError(f"pipeline step {path!r} cannot be imported") from None
            steps.append(step_cls(ctx))
        return cls(steps)

    def __call__(self, posts: list[Post]) -> list[Post]:
        for step in self.steps:
            posts = step(posts)
            if not posts:
                break
        return posts
