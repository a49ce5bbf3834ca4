"""Scrapy settings of the yuqing crawlers (also used by ``scrapy crawl``).

``scrapy_settings`` layers the ``[crawl]`` section of the yuqing settings and
the sink on top of these defaults.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import Settings as ScrapySettings

from yuqing.settings import Settings

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
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"


class Shared:
    """A settings value passed by reference: Scrapy deep-copies its settings,
    and the sink (with its database connections) must be shared, not copied."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict[int, Any]) -> Shared:
        return self


def scrapy_settings(settings: Settings, sink: Any = None) -> ScrapySettings:
    crawl = settings.crawl
    result = ScrapySettings()
    result.setmodule(__name__, priority="project")
    result.setdict(
        {
            "USER_AGENT": crawl.user_agent,
            "ROBOTSTXT_OBEY": crawl.obey_robots,
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_domain,
            "DOWNLOAD_DELAY": crawl.download_delay,
            "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 0.1),
            "LOG_LEVEL": crawl.log_level,
            "YUQING_SINK": Shared(sink) if sink is not None else None,
            "YUQING_DEAD_LETTER": str(settings.data_dir / "dead-letter.jsonl"),
        },
        priority="cmdline",
    )
    return result
