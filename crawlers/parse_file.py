"""``yuqing parse``: one saved page through its source's parser, as plain data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from yuqing.errors import YuqingError
from yuqing.post import SHANGHAI, to_shanghai

from .classify import classify_response
from .parsers.errors import ParseError
from .parsers.registry import page_parser
from .urls import canonical_urls

FIELDS = (
    "source", "post_id", "url", "title", "text", "author", "author_followers", "published_at",
    "reposts", "comments", "likes", "parent_id", "raw",
)  # fmt: skip


def parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(SHANGHAI)
    try:
        return to_shanghai(datetime.fromisoformat(value))
    except ValueError:
        raise YuqingError(f"--now is not an ISO 8601 time: {value!r}") from None


def parse_file(source: str, path: Path, *, url: str | None = None, now: str | None = None) -> list[dict[str, Any]]:
    """The posts on the page, each as a JSON-ready dict; a refusal or an
    unreadable page is a YuqingError naming the reason."""
    parser = page_parser(source)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise YuqingError(f"cannot read {path}: {exc.strerror or exc}") from None
    page_url = url or path.resolve().as_uri()
    refusal = classify_response(200, {}, body, page_url, expect_json=body.lstrip()[:1] in (b"{", b"["))
    if refusal is not None:
        raise YuqingError(f"{path} is not content: {refusal.outcome.value}: {refusal.reason}")
    try:
        posts = parser(body, page_url, parse_now(now))
    except ParseError as exc:
        raise YuqingError(f"{path}: {exc}") from None
    return [post.model_dump(mode="json", include=set(FIELDS)) for post in canonical_urls(posts)]
