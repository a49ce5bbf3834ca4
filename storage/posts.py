"""The PostStore protocol: what callers may ask of any post store.

Implementations: ``SqlitePostStore`` (embedded default, FTS5 over jieba
tokens). An Elasticsearch store implements the same methods; callers hold a
``PostStore`` and never know which one they have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, Sequence

from yuqing.post import Post, Sentiment

Bucket = Literal["hour", "day"]
BUCKET_SECONDS: dict[Bucket, int] = {"hour": 3600, "day": 86400}


class Tokenizer(Protocol):
    """Word segmentation, as the store needs it for full-text search."""

    def cut(self, text: str) -> list[str]: ...

    def cut_for_search(self, text: str) -> list[str]: ...

    def expand_for_search(self, tokens: list[str]) -> list[str]: ...


@dataclass(frozen=True)
class PostQuery:
    """Filters for search and trends; all optional, all combined with AND.

    ``since``/``until`` bound the post's time (its publish time, or when it
    was fetched where the source gives none): ``since <= t < until``.
    """

    text: str | None = None
    brand: str | None = None
    source: str | None = None
    sentiment: Sentiment | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class PostPage:
    items: list[Post]
    total: int


@dataclass(frozen=True)
class TrendPoint:
    """Posts counted in one time bucket (start, Asia/Shanghai) for one sentiment."""

    start: datetime
    sentiment: Sentiment | None
    count: int


@dataclass
class UpsertResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


class PostStore(Protocol):
    def upsert(self, posts: Sequence[Post]) -> UpsertResult:
        """Insert or update by ``Post.key``; the same batch twice changes nothing more."""
        ...

    def get(self, key: str) -> Post | None: ...

    def search(self, query: PostQuery) -> PostPage:
        """Matching posts, newest first, with the total count before paging."""
        ...

    def trend(self, query: PostQuery, bucket: Bucket) -> list[TrendPoint]:
        """Counts per time bucket and sentiment, oldest bucket first."""
        ...

    def close(self) -> None: ...
