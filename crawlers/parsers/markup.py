"""Small HTML helpers shared by the parsers: charset sniffing and element → plain text."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import Any

from parsel import Selector

Element = Any  # an lxml element, as ``Selector.root`` gives it

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# GB2312 and GBK pages often contain characters only GB18030 (their superset) names.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}

_BLOCK = frozenset(
    "address article aside blockquote dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody thead tfoot tr td th ul".split()
)
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head"})


def sniff_charset(body: bytes, default: str = "utf-8") -> str:
    """The codec named by ``<meta charset>`` or the http-equiv Content-Type, else ``default``."""
    match = _META_CHARSET.search(body[:4096])
    return codec_name(match.group(1).decode("ascii") if match else None) or default


def codec_name(charset: str | None) -> str | None:
    """A Python codec for a declared charset (GBK family → GB18030); None when unknown."""
    if not charset:
        return None
    name = charset.strip().lower()
    try:
        return codecs.lookup(_SUPERSETS.get(name, name)).name
    except LookupError:
        return None


def decode_html(body: bytes, charset: str | None = None) -> str:
    """Decode an HTML body with ``charset`` (e.g. from a header), else its declared charset."""
    if body.startswith(codecs.BOM_UTF8):
        text = body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    else:
        text = body.decode(codec_name(charset) or sniff_charset(body), errors="replace")
    return _XML_DECL.sub("", text, count=1)  # lxml yields an empty tree for a str with one


def selector(body: bytes, url: str, charset: str | None = None) -> Selector:
    return Selector(text=decode_html(body, charset), base_url=url)


def fragment_root(html: str) -> Element:
    """The ``<body>`` element of an HTML fragment such as a Weibo ``text`` field."""
    return Selector(text=f"<html><body>{html}</body></html>").xpath("//body")[0].root


def has_class(element: Element, *names: str) -> bool:
    classes = (element.get("class") or "").split()
    return any(name in classes for name in names)


def node_text(element: Element, skip: Callable[[Element], bool] | None = None) -> str:
    """Visible text of ``element``: ``<br>`` and block ends become newlines, ``<img>`` its alt text.

    Runs of whitespace inside a line collapse to one space; blank lines are dropped.
    ``skip(el)`` returning true leaves out that element and its subtree (its tail is kept).
    """
    parts: list[str] = []

    def walk(el: Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if tag is not None and tag not in _INVISIBLE and not (skip and skip(el)):
            if tag == "br":
                parts.append("\n")
            elif tag == "img":
                parts.append(el.get("alt") or "")
            else:
                if tag in _BLOCK:
                    parts.append("\n")
                parts.append(_spaces(el.text))
                for child in el:
                    walk(child)
                    parts.append(_spaces(child.tail))
                if tag in _BLOCK:
                    parts.append("\n")
        # comments, processing instructions and skipped elements contribute nothing but their tail

    walk(element)
    return clean_text("".join(parts))


def _spaces(text: str | None) -> str:
    """Source newlines and indentation are plain whitespace in HTML."""
    return re.sub(r"\s+", " ", text) if text else ""


def clean_text(text: str) -> str:
    """Collapse whitespace per line, strip lines, drop empty ones."""
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
