"""Downloader middleware: every response is classified before a parser sees it.

It sits at 650, after the downloader and before redirects and retries, so a
302 to a captcha page is seen as what it is. Once a source is blocked or
behind a login wall, the rest of its requests in this crawl are dropped: the
crawl ends early, its stats say why, and the source's health record and
backoff take it from there.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from .classify import Outcome, Verdict, classify_response

log = logging.getLogger(__name__)

STAT_FOR = {Outcome.BLOCKED: "yuqing/blocked_reason", Outcome.LOGIN_REQUIRED: "yuqing/login_reason"}


class ResponseClassifierMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stopped: Verdict | None = None
        self.proxy: str | None = crawler.settings.get("YUQING_PROXY")
        self.browser: bool = crawler.settings.getbool("YUQING_BROWSER")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseClassifierMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self.stopped is not None:
            raise IgnoreRequest(f"source stopped: {self.stopped.reason}")
        if self.proxy:
            request.meta.setdefault("proxy", self.proxy)
        if self.browser:
            request.meta.setdefault("playwright", True)

    def process_response(self, request: Request, response: Response) -> Response:
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        expect_json = b"json" in (request.headers.get(b"Accept") or b"") or bool(request.meta.get("expect_json"))
        verdict = classify_response(response.status, headers, response.body, response.url, expect_json=expect_json)
        if verdict is None:
            return response
        self._stop(verdict)
        raise IgnoreRequest(verdict.reason)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if self.crawler.stats is not None and not isinstance(exception, IgnoreRequest):
            self.crawler.stats.set_value("yuqing/last_download_error", f"{type(exception).__name__}: {exception}")

    def _stop(self, verdict: Verdict) -> None:
        stats = self.crawler.stats
        if self.stopped is None:
            self.stopped = verdict
            spider: Any = getattr(self.crawler, "spider", None)
            log.warning("%s %s: %s", getattr(spider, "name", "source"), verdict.outcome.value, verdict.reason)
            if stats is not None:
                stats.set_value(STAT_FOR[verdict.outcome], verdict.reason)
        if stats is not None:
            stats.inc_value(f"yuqing/{verdict.outcome.value}_responses")
