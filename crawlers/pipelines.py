"""The Scrapy item pipeline that hands crawled posts to yuqing in batches."""

from __future__ import annotations

import logging
from pathlib import Path
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
    plain ``scrapy crawl -o out.jsonl`` still works. A batch the sink fails on
    is appended to ``YUQING_DEAD_LETTER`` (JSON lines), so nothing crawled is
    lost: feed it back with ``yuqing ingest`` once the cause is fixed.
    """

    def __init__(self, crawler: Crawler, sink: Sink, batch_size: int, dead_letter: Path | None) -> None:
        self.crawler = crawler
        self.sink = sink
        self.batch_size = batch_size
        self.dead_letter = dead_letter
        self.batch: list[Post] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SinkPipeline:
        shared = crawler.settings.get("YUQING_SINK")
        if shared is None:
            raise NotConfigured("no YUQING_SINK")
        dead_letter = crawler.settings.get("YUQING_DEAD_LETTER")
        return cls(
            crawler,
            shared.value,
            crawler.settings.getint("YUQING_BATCH_SIZE", 100),
            Path(dead_letter) if dead_letter else None,
        )

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
            # Logged, counted and kept; the crawl goes on.
            kept = f", kept in {self.dead_letter}" if self._keep(batch) else ""
            log.exception("sink failed on %d posts from %s%s", len(batch), batch[0].source, kept)
            self.crawler.stats.inc_value("yuqing/sink_error", count=len(batch))
        else:
            self.crawler.stats.inc_value("yuqing/posts_sunk", count=len(batch))

    def _keep(self, batch: list[Post]) -> bool:
        if self.dead_letter is None:
            return False
        try:
            self.dead_letter.parent.mkdir(parents=True, exist_ok=True)
            with self.dead_letter.open("a", encoding="utf-8") as out:
                out.writelines(post.model_dump_json() + "\n" for post in batch)
        except OSError:
            log.exception("cannot keep %d posts in %s", len(batch), self.dead_letter)
            return False
        return True
