"""Text normalisation applied before segmentation, brand matching and sentiment.

``clean`` is idempotent and keeps what carries meaning on Chinese social media:
Weibo emoticon codes (``[怒]``), topics (``#话题#``) and mentions (``@用户``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import Any

# Real tags only (a letter or "/" or "!" after "<"), so "价格<100元" survives.
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<(script|style)\b[^<>]*>.*?</\1\s*>", re.S | re.I)
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^<>]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
# Zero-width and other format characters that only get in the way of matching.
_INVISIBLE = re.compile("[\u200b-\u200f\u2028\u2029\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def clean(text: str, *, simplify: bool = True) -> str:
    """Return ``text`` as plain, normalised, single-spaced text.

    Steps: unescape HTML entities (twice, for double-escaped feeds), drop
    leftover tags, comments and script/style blocks, NFKC-normalise (full-width letters, digits and
    punctuation become ASCII), remove invisible characters, optionally convert
    traditional to simplified Chinese, and collapse whitespace: runs of spaces
    become one space, any run containing a line break becomes one ``\\n``.
    """
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if "<" in text:
        text = _COMMENT.sub(" ", text)
        text = _SCRIPT.sub(" ", text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if simplify:
        text = to_simplified(text)
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    return text.strip()


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters and phrases to simplified ones.

    Text that no t2s rule would change (most Weibo posts) is returned as it is,
    without the slow pure-Python phrase matcher.
    """
    triggers = _t2s_triggers()
    if triggers is not None:
        chars, phrases = triggers
        if chars.isdisjoint(text) and not phrases.search(text):
            return text
    return _t2s().convert(text)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    # opencc-python-reimplemented: pure Python, ships its own dictionaries.
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_triggers() -> tuple[frozenset[str], re.Pattern[str]] | None:
    """What a text must contain for t2s to change it: one of the characters a
    character rule rewrites, or one of the phrases that a phrase rule rewrites
    without any such character (回覆 -> 回复). Any other text comes out of the
    converter unchanged. None where the converter's tables cannot be read: then
    every text is converted.
    """
    converter = _t2s()
    converter.convert("")  # loads the dictionaries
    chars: set[str] = set()
    phrases: dict[str, str] = {}
    try:
        for group in converter._dict_chain_data:
            for _max_len, _min_len, table in group:
                for key, value in table.items():
                    if value.split(" ")[0] == key:
                        continue
                    if len(key) == 1:
                        chars.add(key)
                    else:
                        phrases[key] = value
    except (AttributeError, TypeError, ValueError):
        return None
    if not chars:
        return None
    lone = sorted((k for k in phrases if chars.isdisjoint(k)), key=lambda k: (-len(k), k))
    return frozenset(chars), re.compile("|".join(map(re.escape, lone)) or "(?!)")
