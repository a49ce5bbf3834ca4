"""Scrapy settings of the yuqing crawlers (also used by ``scrapy crawl``).

``scrapy_settings`` layers the ``[crawl]`` section of the yuqing settings and
the sink on top of these defaults.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import Settings as ScrapySettings

from yuqing.settings import Settings, SourceSettings

from .browser import browser_settings

BOT_NAME = "yuqing"
SPIDER_MODULES = ["yuqing.crawlers.spiders"]
NEWSPIDER_MODULE = "yuqing.crawlers.spiders"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
TELNETCONSOLE_ENABLED = False
COOKIES_ENABLED = True
RETRY_TIMES = 2
ITEM_PIPELINES = {"yuqing.crawlers.pipelines.SinkPipeline": 300}
DOWNLOADER_MIDDLEWARES = {"yuqing.crawlers.middlewares.ResponseClassifierMiddleware": 650}
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"


class Shared:
    """A settings value passed by reference: Scrapy deep-copies its settings,
    and the sink (with its database connections) must be shared, not copied."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict[int, Any]) -> Shared:
        return self


def scrapy_settings(
    settings: Settings,
    source: SourceSettings | None = None,
    *,
    sink: Any = None,
    seen: Any = None,
    base_url: str | None = None,
) -> ScrapySettings:
    """Scrapy settings for one crawl: these defaults, then ``[crawl]``, then the
    source's own politeness keys, and the objects shared with yuqing."""
    crawl = settings.crawl
    source = source or SourceSettings()
    delay = crawl.download_delay if source.download_delay is None else source.download_delay
    result = ScrapySettings()
    result.setmodule(__name__, priority="project")
    result.setdict(
        {
            "USER_AGENT": crawl.user_agent,
            "ROBOTSTXT_OBEY": crawl.obey_robots if source.obey_robots is None else source.obey_robots,
            "CONCURRENT_REQUESTS_PER_DOMAIN": source.concurrency or crawl.concurrent_per_domain,
            "DOWNLOAD_DELAY": delay,
            "AUTOTHROTTLE_START_DELAY": max(delay, 0.1),
            "LOG_LEVEL": crawl.log_level,
            "YUQING_PROXY": source.proxy,
            "YUQING_SINK": Shared(sink) if sink is not None else None,
            "YUQING_SEEN": Shared(seen) if seen is not None else None,
            "YUQING_DEAD_LETTER": str(settings.data_dir / "dead-letter.jsonl"),
        },
        priority="cmdline",
    )
    if source.browser:
        result.setdict(browser_settings(settings, base_url), priority="cmdline")
    return result
