"""The Scrapy item pipeline that hands crawled posts to yuqing in batches."""

from __future__ import annotations

import logging
from typing import Any, Callable

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from yuqing.post import Post

log = logging.getLogger(__name__)

Sink = Callable[[list[Post]], Any]


class SinkPipeline:
    """Collects posts and passes each full batch to the sink in a worker thread.

    The sink is the ``YUQING_SINK`` setting: the ingest (NLP, store, alerts)
    or a JSON-lines writer. Without it the pipeline switches itself off, so a
    plain ``scrapy crawl -o out.jsonl`` still works.
    """

    def __init__(self, crawler: Crawler, sink: Sink, batch_size: int) -> None:
        self.crawler = crawler
        self.sink = sink
        self.batch_size = batch_size
        self.batch: list[Post] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SinkPipeline:
        shared = crawler.settings.get("YUQING_SINK")
        if shared is None:
            raise NotConfigured("no YUQING_SINK")
        return cls(crawler, shared.value, crawler.settings.getint("YUQING_BATCH_SIZE", 100))

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, Post):
            self.batch.append(item)
            if len(self.batch) >= self.batch_size:
                await self._flush()
        return item

    async def close_spider(self) -> None:
        await self._flush()

    async def _flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        try:
            await maybe_deferred_to_future(deferToThread(self.sink, batch))
        except Exception:
            # Lose nothing silently: the batch is logged and counted; the crawl goes on.
            log.exception("sink failed on %d posts from %s", len(batch), batch[0].source)
            self.crawler.stats.inc_value("yuqing/sink_error", count=len(batch))
        else:
            self.crawler.stats.inc_value("yuqing/posts_sunk", count=len(batch))
