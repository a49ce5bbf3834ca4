"""Demo mode: sample pages served locally, crawled by the real spiders.

The sample pages in ``site/`` are written by the project (same structure as
the real sites, invented content about the invented brand 星河电器).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from yuqing.crawlers.replay import ReplayServer
from yuqing.settings import Settings, SourceSettings

SITE = Path(str(resources.files("yuqing.demo") / "site"))
CONFIG = Path(str(resources.files("yuqing.demo") / "demo.toml"))


def start_site(host: str = "127.0.0.1") -> ReplayServer:
    return ReplayServer(SITE, host=host, port=0).start()


def point_sources_at(settings: Settings, base_url: str) -> None:
    """Send every configured source to the replay server."""
    for name, conf in list(settings.sources.items()):
        settings.sources[name] = SourceSettings(**{**conf.model_dump(), "base_url": base_url})
