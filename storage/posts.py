"""The PostStore protocol: what callers may ask of any post store.

Implementations: ``SqlitePostStore`` (embedded default, FTS5 over jieba
tokens). An Elasticsearch store implements the same methods; callers hold a
``PostStore`` and never know which one they have.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Collection, Literal, Protocol, Sequence, runtime_checkable

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


# -- what the ingest steps keep between batches (near-duplicates, events) --------------


@dataclass(frozen=True)
class KnownPost:
    """A stored post as the dedup and event steps see it. ``ts``: epoch seconds of its time."""

    key: str
    ts: int
    simhash: int | None = None  # unsigned 64-bit
    duplicate_of: str | None = None
    event_id: str | None = None
    parent_key: str | None = None  # ``source:parent_id``: what it reposts or replies to


@dataclass
class EventRecord:
    """An event: negative posts about one brand and one story, clustered online.

    ``centroid`` holds the heaviest words of the sum of its posts' TF-IDF
    vectors; ``recent`` the times (epoch seconds) of its latest posts,
    duplicates included, for its velocity.
    """

    id: str
    brand: str
    first_ts: int
    last_ts: int
    size: int
    first_key: str
    title: str
    centroid: dict[str, float] = field(default_factory=dict)
    recent: list[int] = field(default_factory=list)


@runtime_checkable
class PipelineState(Protocol):
    """What the dedup and event steps read from a store (and write, for events).

    Fingerprints, duplicate links and event ids are written with the posts
    (``upsert``); events, which span posts, are saved by the event step.
    """

    def known(self, keys: Collection[str]) -> dict[str, KnownPost]:
        """The stored posts among ``keys``."""
        ...

    def fingerprints_after(self, cursor: int, since: int) -> tuple[list[KnownPost], int]:
        """Fingerprinted originals (posts that copy none) with time at or after ``since``
        stored after ``cursor`` (0: from the start), oldest first, and the cursor to
        pass next time: the dedup step's index catches up with what any process stored."""
        ...

    def events_between(self, brands: Collection[str] | None, since: int, until: int) -> list[EventRecord]:
        """Events (of these brands; None: all) that overlap [since, until]: last post at
        or after ``since``, first post at or before ``until``."""
        ...

    def events_after(self, cursor: int, since: int) -> tuple[list[EventRecord], int]:
        """Events saved after ``cursor`` (0: from the start) whose last post is at or after
        ``since``, and the cursor to pass next time: the event step's cache catches up
        with what any process saved."""
        ...

    def events_by_id(self, ids: Collection[str]) -> list[EventRecord]: ...

    def save_events(self, events: Sequence[EventRecord]) -> None:
        """Insert or replace by id."""
        ...


class MemoryPipelineState:
    """A ``PipelineState`` in memory, for a pipeline that has no store (tests, tools):
    it learns the posts from ``remember``, as a store learns them from ``upsert``."""

    def __init__(self) -> None:
        self.posts: dict[str, KnownPost] = {}
        self.events: dict[str, EventRecord] = {}
        self._event_seq: dict[str, int] = {}  # event id -> when it was last saved
        self._seq = 0

    def remember(self, posts: Sequence[Post]) -> None:
        for post in posts:
            a = post.analysis
            self.posts[post.key] = KnownPost(
                key=post.key,
                ts=int(post.when.timestamp()),
                simhash=int(a.simhash, 16) if a.simhash else None,
                duplicate_of=a.duplicate_of,
                event_id=a.event_id,
                parent_key=f"{post.source}:{post.parent_id}" if post.parent_id else None,
            )

    def known(self, keys: Collection[str]) -> dict[str, KnownPost]:
        return {k: self.posts[k] for k in keys if k in self.posts}

    def fingerprints_after(self, cursor: int, since: int) -> tuple[list[KnownPost], int]:
        rows = [
            post
            for post in list(self.posts.values())[cursor:]
            if post.simhash is not None and not post.duplicate_of and post.ts >= since
        ]
        return sorted(rows, key=lambda p: (p.ts, p.key)), len(self.posts)

    def events_between(self, brands: Collection[str] | None, since: int, until: int) -> list[EventRecord]:
        return [
            copy.deepcopy(e)
            for e in self.events.values()
            if (brands is None or e.brand in brands) and e.last_ts >= since and e.first_ts <= until
        ]

    def events_after(self, cursor: int, since: int) -> tuple[list[EventRecord], int]:
        fresh = [self.events[i] for i, seq in self._event_seq.items() if seq > cursor]
        return [copy.deepcopy(e) for e in fresh if e.last_ts >= since], self._seq

    def events_by_id(self, ids: Collection[str]) -> list[EventRecord]:
        return [copy.deepcopy(self.events[i]) for i in ids if i in self.events]

    def save_events(self, events: Sequence[EventRecord]) -> None:
        for event in events:
            self._seq += 1
            self.events[event.id] = copy.deepcopy(event)
            self._event_seq[event.id] = self._seq
