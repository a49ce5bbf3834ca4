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
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import ImportString, TypeAdapter, ValidationError

from yuqing.errors import ConfigError
from yuqing.post import Post
from yuqing.settings import Settings
from yuqing.storage.posts import MemoryPipelineState, PipelineState

from .segment import Segmenter

DEFAULT_STEPS: dict[str, int] = {
    "yuqing.nlp.steps.Clean": 100,  # normalise
    "yuqing.nlp.steps.Segment": 200,  # jieba, brand words kept whole
    "yuqing.nlp.steps.MatchBrands": 300,  # brand queries
    "yuqing.nlp.steps.Classify": 400,  # sentiment
    "yuqing.nlp.steps.Deduplicate": 500,  # SimHash near-duplicates
    "yuqing.nlp.steps.GroupEvents": 600,  # online clustering of negative brand posts
    "yuqing.nlp.steps.AssessRisk": 700,  # risk score and suggested severity
}


@dataclass(frozen=True)
class StepContext:
    """What steps may build themselves from: the settings and shared resources.

    ``state`` is where steps find what earlier batches left (fingerprints,
    events): the post store, or memory when the pipeline has none.
    """

    settings: Settings
    segmenter: Segmenter
    state: PipelineState = field(default_factory=MemoryPipelineState)


class Step(Protocol):
    def __call__(self, posts: list[Post]) -> list[Post]:
        """Change the posts in place or return fewer of them (a filter)."""
        ...


def build_segmenter(settings: Settings) -> Segmenter:
    return Segmenter(
        user_words=settings.brand_words(),
        cache_dir=settings.data_dir / "cache",
        new_words=settings.segment_new_words,
    )


def step_order(overrides: Mapping[str, int | bool | None]) -> list[str]:
    """Step paths in run order; ``False`` (TOML) or ``None`` (Python) switches a step off."""
    merged: dict[str, int | bool | None] = {**DEFAULT_STEPS, **overrides}
    enabled = [(order, path) for path, order in merged.items() if order is not None and order is not False]
    return [path for _, path in sorted(enabled)]


_step_class = TypeAdapter(ImportString)


class Pipeline:
    def __init__(self, steps: Sequence[Step], memory: MemoryPipelineState | None = None) -> None:
        self.steps = list(steps)
        self.memory = memory  # without a store, what the steps keep between batches

    @classmethod
    def from_settings(
        cls, settings: Settings, segmenter: Segmenter | None = None, store: object | None = None
    ) -> Pipeline:
        """The steps of ``settings.pipeline``; ``store`` (a PostStore that is also a
        PipelineState) keeps near-duplicates and events across batches and restarts."""
        memory = None if isinstance(store, PipelineState) else MemoryPipelineState()
        state: PipelineState = memory if memory is not None else store  # type: ignore[assignment]
        ctx = StepContext(settings=settings, segmenter=segmenter or build_segmenter(settings), state=state)
        steps = []
        for path in step_order(settings.pipeline):
            try:
                step_cls = _step_class.validate_python(path)
            except ValidationError:
                raise ConfigError(f"pipeline step {path!r} cannot be imported") from None
            steps.append(step_cls(ctx))
        return cls(steps, memory)

    def __call__(self, posts: list[Post]) -> list[Post]:
        for step in self.steps:
            posts = step(posts)
            if not posts:
                break
        if self.memory is not None:
            self.memory.remember(posts)
        return posts
