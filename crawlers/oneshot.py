"""``yuqing crawl SOURCE``: one source, once, in this process."""

from __future__ import annotations

import sys
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from yuqing.post import Post
from yuqing.settings import Settings

from .classify import Verdict, crawl_outcome
from .seen import MemorySeen
from .settings import scrapy_settings
from .sources import configured_source, registered_sources, spider_kwargs


class JsonLinesSink:
    """Writes each post as one JSON line (UTF-8, Chinese kept readable)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, posts: list[Post]) -> None:
        with self._lock:
            for post in posts:
                self.stream.write(post.model_dump_json() + "\n")
            self.stream.flush()
            self.count += len(posts)


@dataclass
class CrawlReport:
    source: str
    stats: dict[str, Any] = field(default_factory=dict)
    written: int = 0
    created: int = 0
    updated: int = 0
    alerts: int = 0
    incidents: set[int] = field(default_factory=set)
    output: str | None = None

    @property
    def verdict(self) -> Verdict:
        return crawl_outcome(self.stats)

    @property
    def ok(self) -> bool:
        return self.verdict.outcome.healthy and not self.stats.get("yuqing/sink_error")

    def summary(self) -> str:
        verdict = self.verdict
        responses = int(self.stats.get("downloader/response_count", 0))
        items = int(self.stats.get("item_scraped_count", 0))
        parts = [f"{self.source}: {verdict.outcome.value} ({verdict.reason}); {responses} responses, {items} posts"]
        if self.output is not None:
            parts.append(f"{self.written} written to {self.output}")
        else:
            parts.append(
                f"{self.created} new, {self.updated} updated, {self.alerts} alerts, "
                f"incidents {sorted(self.incidents) or 'none'}"
            )
        for key, label in (
            ("yuqing/parse_error", "parse errors"),
            ("yuqing/sink_error", "posts not stored (kept in the dead-letter file)"),
            ("log_count/ERROR", "errors logged"),
            ("playwright/request_count/aborted", "in-page requests aborted (other hosts, media)"),
        ):
            if self.stats.get(key):
                parts.append(f"{self.stats[key]} {label}")
        return "; ".join(parts)


def crawl_once(
    settings: Settings,
    source: str,
    *,
    queries: list[str] | None = None,
    base_url: str | None = None,
    max_pages: int | None = None,
    output: str | None = None,
) -> CrawlReport:
    """Crawl ``source`` once: into the store (with health record and alerts), or
    as JSON lines to ``output`` ('-' for stdout) with nothing remembered."""
    from scrapy.crawler import AsyncCrawlerProcess

    from yuqing.pluginmanager import get_plugin_manager
    from yuqing.services import Services

    configured = configured_source(settings, registered_sources(get_plugin_manager()), source)
    kwargs = spider_kwargs(configured, settings, queries=queries, base_url=base_url, max_pages=max_pages)
    report = CrawlReport(source=source, output=output)
    with ExitStack() as stack:
        services: Services | None = None
        sink: Any
        seen: Any
        if output is None:
            services = Services(settings)
            stack.callback(services.close)
            seen = services.seen

            def sink(posts: list[Post]) -> None:
                result = services.ingest(posts)
                report.created += result.created
                report.updated += result.updated
                report.alerts += result.alerts
                report.incidents.update(result.incidents)
        else:
            stream = sys.stdout if output == "-" else stack.enter_context(Path(output).open("w", encoding="utf-8"))
            sink = JsonLinesSink(stream)
            seen = MemorySeen()

        scrapy = scrapy_settings(settings, configured.conf, sink=sink, seen=seen, base_url=kwargs.get("base_url"))
        process = AsyncCrawlerProcess(scrapy)
        crawler = process.create_crawler(configured.spec.spider)
        process.crawl(crawler, **kwargs)
        process.start()
        report.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
        if isinstance(sink, JsonLinesSink):
            report.written = sink.count
        if services is not None:
            _, incidents = services.record_crawl(configured, report.stats)
            report.incidents.update(incidents)
    return report
