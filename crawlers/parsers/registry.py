"""The page parsers by source name, as ``yuqing parse --source`` knows them.

Each is a pure ``parse_page(body, url, now) -> list[Post]`` that tells the
page's kind (search results, a thread, comments…) from its content.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime

from yuqing.errors import YuqingError
from yuqing.post import Post

PageParser = Callable[[bytes, str, datetime], list[Post]]

PAGE_PARSERS: dict[str, str] = {
    "weibo": "yuqing.crawlers.parsers.weibo:parse_page",
    "weibo-cn": "yuqing.crawlers.parsers.weibocn:parse_page",
    "baidu": "yuqing.crawlers.parsers.baidu:parse_page",
    "baidu-news": "yuqing.crawlers.parsers.baidu:parse_page",
    "tieba": "yuqing.crawlers.parsers.tieba:parse_page",
    "discuz": "yuqing.crawlers.parsers.discuz:parse_page",
}


def page_parser(source: str) -> PageParser:
    try:
        module, name = PAGE_PARSERS[source].split(":")
    except KeyError:
        raise YuqingError(f"no parser for source {source!r} (known: {', '.join(PAGE_PARSERS)})") from None
    parser: PageParser = getattr(importlib.import_module(module), name)
    return parser
