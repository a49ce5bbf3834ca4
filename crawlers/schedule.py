"""Crawl each configured source on its own interval, inside the running process.

After every crawl the source's health record says when it runs next: its
interval when the crawl went well, exponentially later while it keeps
failing. The record is in the database, so a restart keeps the backoff.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.crawler import AsyncCrawlerRunner

from yuqing.errors import ConfigError
from yuqing.services import Services

from .settings import scrapy_settings
from .sources import ConfiguredSource, spider_kwargs

log = logging.getLogger(__name__)


def scheduled_sources(services: Services) -> list[tuple[ConfiguredSource, dict[str, Any]]]:
    """The sources to crawl: those configured (all search sources when none are),
    enabled, with something to ask."""
    settings = services.settings
    names = list(settings.sources) or [name for name, spec in services.sources.items() if spec.search]
    jobs = []
    for name in names:
        source = services.source(name)
        if not source.conf.enabled:
            continue
        try:
            jobs.append((source, spider_kwargs(source, settings)))
        except ConfigError as exc:
            log.warning("not crawling %s: %s", name, exc)
    return jobs


class CrawlScheduler:
    def __init__(self, services: Services, jobs: list[tuple[ConfiguredSource, dict[str, Any]]]) -> None:
        self.services = services
        self.jobs = jobs

    async def run(self) -> None:
        await asyncio.gather(*(self._every(source, kwargs) for source, kwargs in self.jobs))

    async def _every(self, source: ConfiguredSource, kwargs: dict[str, Any]) -> None:
        health = self.services.health.get(source.name)
        while True:
            if health is not None and health.next_run_at is not None:
                wait = (health.next_run_at - self.services.clock.now()).total_seconds()
                if wait > 0:
                    await asyncio.sleep(wait)
            stats = await self.crawl(source, kwargs)
            health, _ = await asyncio.to_thread(self.services.record_crawl, source, stats)
            log.info(
                "crawled %s: %s (%s); next run at %s",
                source.name,
                health.status,
                health.reason,
                health.next_run_at.isoformat() if health.next_run_at else "-",
            )

    async def crawl(self, source: ConfiguredSource, kwargs: dict[str, Any]) -> dict[str, Any]:
        scrapy = scrapy_settings(
            self.services.settings,
            source.conf,
            sink=self.services.ingest,
            seen=self.services.seen,
            base_url=kwargs.get("base_url"),
        )
        runner = AsyncCrawlerRunner(scrapy)
        crawler = runner.create_crawler(source.spec.spider)
        try:
            await runner.crawl(crawler, **kwargs)
        except Exception:
            log.exception("crawl of %s failed", source.name)
        return dict(crawler.stats.get_stats()) if crawler.stats else {}
