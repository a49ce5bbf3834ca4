"""Crawl each configured source on its own interval, inside the running process."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Callable

from scrapy.crawler import AsyncCrawlerRunner

from yuqing.errors import ConfigError
from yuqing.settings import Settings

from .settings import scrapy_settings
from .sources import SourceSpec, source_settings, spider_kwargs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlJob:
    spec: SourceSpec
    kwargs: dict[str, Any]
    interval_seconds: int


def crawl_jobs(settings: Settings, sources: dict[str, SourceSpec]) -> list[CrawlJob]:
    """The sources to crawl: those configured (all search sources when none are), enabled,
    with something to ask."""
    names = list(settings.sources) or [name for name, spec in sources.items() if spec.search]
    jobs = []
    for name in names:
        conf = source_settings(settings, name)
        if not conf.enabled:
            continue
        if name not in sources:
            raise ConfigError(f"unknown source {name!r} in sources (known: {', '.join(sorted(sources))})")
        try:
            kwargs = spider_kwargs(sources[name], settings)
        except ConfigError as exc:
            log.warning("not crawling %s: %s", name, exc)
            continue
        jobs.append(CrawlJob(sources[name], kwargs, conf.interval_seconds))
    return jobs


class CrawlScheduler:
    def __init__(self, settings: Settings, jobs: list[CrawlJob], sink: Callable[..., Any]) -> None:
        self.settings = settings
        self.jobs = jobs
        self.sink = sink

    async def run(self) -> None:
        await asyncio.gather(*(self._every(job) for job in self.jobs))

    async def _every(self, job: CrawlJob) -> None:
        while True:
            await self.crawl(job)
            await asyncio.sleep(job.interval_seconds)

    async def crawl(self, job: CrawlJob) -> dict[str, Any]:
        runner = AsyncCrawlerRunner(scrapy_settings(self.settings, sink=self.sink))
        crawler = runner.create_crawler(job.spec.spider)
        try:
            await runner.crawl(crawler, **job.kwargs)
        except Exception:
            log.exception("crawl of %s failed", job.spec.name)
        stats = crawler.stats.get_stats() if crawler.stats else {}
        log.info(
            "crawled %s: %s responses, %s posts, %s parse errors",
            job.spec.name,
            stats.get("downloader/response_count", 0),
            stats.get("item_scraped_count", 0),
            stats.get("yuqing/parse_error", 0),
        )
        return stats
