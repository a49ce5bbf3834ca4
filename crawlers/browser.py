"""Rendering pages in Chromium (scrapy-playwright), for sources that need JavaScript.

Only a source configured with ``browser = true`` goes through the browser;
every other source keeps Scrapy's plain HTTP download. Chromium comes from the
system (``[crawl] chromium``, default /usr/bin/chromium), never from a
download at run time. Inside the page, requests to hosts other than the
source's own are aborted (and images, media and fonts are never fetched), so
a rendered page cannot reach out to trackers or ad servers.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from yuqing.errors import ConfigError
from yuqing.settings import Settings

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})


class OnlyHosts:
    """PLAYWRIGHT_ABORT_REQUEST: abort what the page asks of any other host."""

    def __init__(self, hosts: set[str]) -> None:
        self.hosts = frozenset(h.lower() for h in hosts)

    def __call__(self, request: Any) -> bool:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            return False  # data: and blob: stay inside the page
        return (parts.hostname or "").lower() not in self.hosts or request.resource_type in SKIPPED_RESOURCES


def browser_settings(settings: Settings, base_url: str | None) -> dict[str, Any]:
    if importlib.util.find_spec("scrapy_playwright") is None:
        raise ConfigError(
            "a source has browser = true, but scrapy-playwright is missing: pip install 'yuqing[browser]'"
        )
    chromium = Path(settings.crawl.chromium)
    if not chromium.is_file():
        raise ConfigError(f"a source has browser = true, but there is no Chromium at {chromium} ([crawl] chromium)")
    hosts = {urlsplit(base_url).hostname or ""} if base_url else set()
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": str(chromium), "headless": True, "args": CHROMIUM_ARGS},
        "PLAYWRIGHT_ABORT_REQUEST": OnlyHosts(hosts | set(settings.crawl.browser_hosts)),
        "YUQING_BROWSER": True,
    }
