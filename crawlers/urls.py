"""Canonical item URLs: one address per item, whatever link it was reached by."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from yuqing.post import Post

# Query parameters that say how a visitor came, not what they see.
TRACKING = frozenset(
    {"spm", "from", "refer_flag", "wfr", "fromvsogou", "share_token", "share_from", "sharer", "isappinstalled",
     "fr", "tn_from", "_t", "timestamp", "sudaref"}
)  # fmt: skip


def canonical_url(url: str) -> str:
    """Sorted query, no tracking parameters (``utm_*``, ``spm`` …), lower-case host,
    fragments kept (they name a comment or a floor). Non-HTTP URLs pass unchanged."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    cleaned = urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, urlencode(query), parts.fragment))
    return canonicalize_url(cleaned, keep_fragments=True)


def _tracking(key: str) -> bool:
    key = key.lower()
    return key.startswith("utm_") or key in TRACKING


def canonical_urls(posts: list[Post]) -> list[Post]:
    """Every post's URL in canonical form, in place; returns the same list."""
    for post in posts:
        post.url = canonical_url(post.url)
    return posts
