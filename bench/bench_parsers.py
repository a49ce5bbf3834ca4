"""Parse throughput per source, on the real saved pages in ../shared/fixtures.

Run: ``.venv/bin/python bench/bench_parsers.py [seconds per source]``.

For each source it prints pages/s and posts/s of ``parse_page`` and, as the
baseline measured in the same run on the same pages, pages/s of merely
decoding the document (``json.loads`` for JSON, ``parsel.Selector`` for
HTML): the ratio says what our extraction costs on top of the parse that no
parser can skip.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from parsel import Selector

from yuqing.crawlers.parsers.errors import ParseError
from yuqing.crawlers.parsers.markup import decode_html
from yuqing.crawlers.parsers.registry import PAGE_PARSERS, PageParser, page_parser
from yuqing.post import SHANGHAI

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
FOLDERS = {"weibo": "weibo", "weibo-cn": "weibo/weibocn_html", "baidu": "baidu", "tieba": "tieba", "discuz": "discuz"}


def pages(source: str) -> list[tuple[bytes, str]]:
    folder = FIXTURES / FOLDERS[source]
    found = []
    for path in sorted(folder.glob("*")):
        if path.suffix not in {".html", ".json"} or "expected" in path.name or path.name == "url_map.json":
            continue
        if source == "weibo" and path.suffix == ".html" and "weibo_com" not in path.name:
            continue
        found.append((path.read_bytes(), path.resolve().as_uri()))
    return found


def rate(work: Callable[[], int], seconds: float) -> tuple[float, float]:
    """(runs per second, items per second) of ``work`` over about ``seconds``."""
    runs = items = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        items += work()
        runs += 1
    return runs / elapsed, items / elapsed


def parse_all(parser: PageParser, usable: list[tuple[bytes, str]]) -> int:
    return sum(len(parser(body, url, NOW)) for body, url in usable)


def decode_all(usable: list[tuple[bytes, str]]) -> int:
    """The baseline: only decoding each document, as any parser must."""
    for body, _ in usable:
        if body.lstrip()[:1] in (b"{", b"["):
            json.loads(body)
        else:
            Selector(text=decode_html(body)).css("body")
    return 0


def main(seconds: float) -> None:
    if not FIXTURES.is_dir():
        print(f"skipped: {FIXTURES} is absent (the shared/ folder beside the repo)")
        return
    print(f"{'source':<10} {'pages':>5} {'pages/s':>9} {'posts/s':>9} {'decode pages/s':>15} {'cost vs decode':>15}")
    for source in FOLDERS:
        if source not in PAGE_PARSERS:
            continue
        parser = page_parser(source)
        saved = pages(source)
        usable = []
        for body, url in saved:
            try:
                parser(body, url, NOW)
            except ParseError:
                continue  # e.g. the synthetic "invalid" Baidu page: not a page to time
            usable.append((body, url))

        page_rate, post_rate = rate(partial(parse_all, parser, usable), seconds)
        base_rate, _ = rate(partial(decode_all, usable), seconds)
        n = len(usable)
        print(
            f"{source:<10} {n:>5} {page_rate * n:>9.1f} {post_rate:>9.1f} {base_rate * n:>15.1f} "
            f"{base_rate / page_rate:>14.2f}x"
        )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
