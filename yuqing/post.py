"""The Post record: one crawled item, normalised across sources.

Parsers produce ``Post`` objects with the crawl fields filled; the ingest
pipeline fills ``analysis``. The store keys a post by ``source:post_id``
(``Post.key``), so crawling the same item twice updates it instead of
duplicating it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

SHANGHAI = ZoneInfo("Asia/Shanghai")

Sentiment = Literal["negative", "neutral", "positive"]
SENTIMENTS: tuple[Sentiment, ...] = ("negative", "neutral", "positive")

Severity = Literal["general", "serious", "major"]


def to_shanghai(value: datetime) -> datetime:
    """Return ``value`` as an aware datetime in Asia/Shanghai; naive means Shanghai time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


class Analysis(BaseModel):
    """What the NLP pipeline found out about a post."""

    model_config = ConfigDict(extra="forbid")

    brands: list[str] = Field(default_factory=list)
    sentiment: Sentiment | None = None
    negative_score: float | None = Field(default=None, ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)
    # Near-duplicates: the 64-bit SimHash of the words (16 hex digits), and the
    # key of the first post this one copies (a repost, a pasted text), if any.
    simhash: str | None = Field(default=None, pattern="^[0-9a-f]{16}$")
    duplicate_of: str | None = None
    # The event (a cluster of negative posts about one brand and one story) the
    # post belongs to; incidents group by it.
    event_id: str | None = None
    # The risk step's suggestion: a 0-100 score, a severity (general 一般,
    # serious 较大, major 重大) and the reasons, in words.
    risk_score: float | None = Field(default=None, ge=0.0, le=100.0)
    severity: Severity | None = None
    risk_reasons: list[str] = Field(default_factory=list)
    # Working state of the pipeline, never stored: the text as the models read it
    # (cleaned, simplified, normalised), and its jieba words.
    normalized: str = Field(default="", exclude=True)
    tokens: list[str] = Field(default_factory=list, exclude=True)
    # Posts of the post's event in the hour up to it, duplicates included (for risk).
    event_velocity: int = Field(default=0, exclude=True)


class Post(BaseModel):
    """One item seen on a source: a Weibo status, a search result, a forum floor."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1)
    post_id: str = Field(min_length=1)
    url: str
    title: str = ""
    text: str = ""
    author: str = ""
    author_followers: int | None = Field(default=None, ge=0)
    published_at: datetime | None = None
    reposts: int = Field(default=0, ge=0)
    comments: int = Field(default=0, ge=0)
    likes: int = Field(default=0, ge=0)
    parent_id: str | None = None
    fetched_at: datetime
    raw: dict[str, Any] = Field(default_factory=dict)
    analysis: Analysis = Field(default_factory=Analysis)

    @field_validator("published_at", "fetched_at")
    @classmethod
    def _shanghai(cls, value: datetime | None) -> datetime | None:
        return None if value is None else to_shanghai(value)

    @property
    def key(self) -> str:
        """The deterministic id of this post in every store."""
        return f"{self.source}:{self.post_id}"

    @property
    def when(self) -> datetime:
        """The post's time: when it was published, else when it was fetched."""
        return self.published_at or self.fetched_at

    @property
    def content(self) -> str:
        """Title and text together, as the NLP steps read them."""
        if self.title and self.title not in self.text:
            return f"{self.title}\n{self.text}" if self.text else self.title
        return self.text
