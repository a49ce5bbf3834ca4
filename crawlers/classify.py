"""Telling a blocked source from one with nothing new: pure functions.

``classify_response`` looks at one HTTP response before any parser does and
says whether the site refused us (blocked: 418, 432, 403, a captcha or
百度安全验证 page, a wappass/captcha redirect, Weibo's ``ok:-100``) or wants a
login (a passport redirect, HTML where JSON was asked for). ``crawl_outcome``
turns a finished crawl's counters into one verdict for the source's health
record: ok, empty (really nothing), blocked, login_required, layout_changed
(pages came back but the parsers found nothing they should have), or
unreachable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    OK = "ok"
    EMPTY = "empty"
    BLOCKED = "blocked"
    LOGIN_REQUIRED = "login_required"
    LAYOUT_CHANGED = "layout_changed"
    UNREACHABLE = "unreachable"

    @property
    def healthy(self) -> bool:
        return self in (Outcome.OK, Outcome.EMPTY)


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str


BLOCKING_STATUS = {
    403: "HTTP 403 Forbidden",
    418: "HTTP 418 (Weibo throttling)",
    429: "HTTP 429 Too Many Requests",
    432: "HTTP 432 (Weibo anti-crawl: cookie or Referer refused)",
}
_CAPTCHA_URL = re.compile(r"wappass\.baidu\.com|/captcha|verify\.baidu\.com|sec\.douban|antispider", re.I)
_LOGIN_URL = re.compile(r"passport\.weibo\.(cn|com)|login\.sina\.com\.cn|passport\.baidu\.com|/login", re.I)
_BODY_BLOCK_MARKERS: tuple[tuple[bytes, str], ...] = (
    ("百度安全验证".encode(), "Baidu security check page (百度安全验证)"),
    (b"wappass.baidu.com/static/captcha", "Baidu captcha page"),
    ("安全验证".encode() + b"</title>", "security check page (安全验证)"),
    ("请输入验证码".encode(), "captcha page (请输入验证码)"),
)
_WEIBO_CAPTCHA = re.compile(rb'"ok"\s*:\s*-100')


def classify_response(
    status: int, headers: Mapping[str, str], body: bytes, url: str, *, expect_json: bool = False
) -> Verdict | None:
    """A Verdict when the response is a refusal or a login wall; None when it may be parsed."""
    location = headers.get("location") or headers.get("Location") or ""
    if status in BLOCKING_STATUS:
        return Verdict(Outcome.BLOCKED, f"{BLOCKING_STATUS[status]} at {url}")
    if 300 <= status < 400 and location:
        if _CAPTCHA_URL.search(location):
            return Verdict(Outcome.BLOCKED, f"redirected to a captcha: {location}")
        if _LOGIN_URL.search(location):
            return Verdict(Outcome.LOGIN_REQUIRED, f"redirected to a login page: {location}")
        return None
    if _CAPTCHA_URL.search(url):
        return Verdict(Outcome.BLOCKED, f"landed on a captcha page: {url}")
    head = body[:20000]
    if _WEIBO_CAPTCHA.search(head):
        return Verdict(Outcome.BLOCKED, f'Weibo rate-limit captcha ("ok":-100) at {url}')
    for marker, reason in _BODY_BLOCK_MARKERS:
        if marker in head:
            return Verdict(Outcome.BLOCKED, f"{reason} at {url}")
    if expect_json and status == 200 and head.lstrip()[:1] == b"<":
        if _LOGIN_URL.search(url) or b"passport" in head or "登录".encode() in head:
            return Verdict(Outcome.LOGIN_REQUIRED, f"a login page where JSON was expected at {url}")
        return Verdict(Outcome.LOGIN_REQUIRED, f"HTML where JSON was expected at {url} (login wall?)")
    if _LOGIN_URL.search(url):
        return Verdict(Outcome.LOGIN_REQUIRED, f"landed on a login page: {url}")
    return None


def crawl_outcome(stats: Mapping[str, Any]) -> Verdict:
    """One verdict for a finished crawl, from Scrapy's stats and ours."""
    blocked = stats.get("yuqing/blocked_reason")
    if blocked:
        return Verdict(Outcome.BLOCKED, str(blocked))
    login = stats.get("yuqing/login_reason")
    if login:
        return Verdict(Outcome.LOGIN_REQUIRED, str(login))
    responses = int(stats.get("downloader/response_count", 0))
    items = int(stats.get("item_scraped_count", 0))
    if responses == 0:
        error = stats.get("yuqing/last_download_error") or "no response received"
        return Verdict(Outcome.UNREACHABLE, str(error))
    layout = int(stats.get("yuqing/layout_changed", 0))
    if layout and items == 0:
        return Verdict(Outcome.LAYOUT_CHANGED, f"{layout} pages of a known kind yielded nothing (markup changed?)")
    parse_errors = int(stats.get("yuqing/parse_error", 0))
    if items == 0 and parse_errors:
        return Verdict(Outcome.LAYOUT_CHANGED, f"{parse_errors} pages could not be parsed and nothing was found")
    if items == 0:
        return Verdict(Outcome.EMPTY, "no results")
    return Verdict(Outcome.OK, f"{items} posts")
