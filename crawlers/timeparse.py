"""Normalise the time strings that Chinese sites print into aware datetimes.

Every result is in Asia/Shanghai. Relative forms ("3分钟前", "昨天 10:00") are
resolved against an injected ``now`` so that parsing is deterministic.
See STRUCTURE.md §5 for where each format comes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

from yuqing.post import SHANGHAI, to_shanghai

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}

_PREFIX = re.compile(r"^(?:发表于|发布于|发布时间[:：]?|更新于)\s*")
_SUFFIX = re.compile(r"\s*(?:来自.*|[-–—]\s*)$")
_UNITS = {"秒": "seconds", "分钟": "minutes", "分": "minutes", "小时": "hours", "个小时": "hours"}

_HM = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_RELATIVE = re.compile(r"(\d+)\s*(秒|分钟|分|个小时|小时)前")
_DAYS_AGO = re.compile(r"(\d+)\s*天前")
_NAMED_DAY = re.compile(rf"(今天|昨天|前天)\s*{_HM}")
_CLOCK = re.compile(rf"{_HM}")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")
_CN_MONTH_DAY = re.compile(rf"(\d{{1,2}})月(\d{{1,2}})日(?:\s*{_HM})?")
_CN_FULL = re.compile(rf"(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日(?:\s*{_HM})?")
_SHORT_YEAR = re.compile(rf"(\d{{2}})-(\d{{1,2}})-(\d{{1,2}})(?:\s+{_HM})?")
_FULL = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}})(?:[\sT]+{_HM})?")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_RFC = re.compile(
    r"[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+([+-])(\d{2}):?(\d{2})\s+(\d{4})"
)
_EPOCH = re.compile(r"\d{9,10}|\d{12,13}")


def parse_time(text: str, now: datetime) -> datetime:
    """Parse a site's time string; raise ``ValueError`` when the format is unknown."""
    now = to_shanghai(now)
    cleaned = _clean(text)
    for handler in _HANDLERS:
        try:
            result = handler(cleaned, now)
        except (ValueError, OverflowError, OSError) as exc:  # e.g. month 13, Feb 30
            raise ValueError(f"unrecognised time: {text!r}") from exc
        if result is not None:
            return result.astimezone(SHANGHAI)
    raise ValueError(f"unrecognised time: {text!r}")


def _clean(text: str) -> str:
    value = re.sub(r"[\s\u00a0\u3000]+", " ", text or "").strip()
    value = _PREFIX.sub("", value)
    value = _SUFFIX.sub("", value)
    return value.strip()


def _at(day: date, hour: str | None = "0", minute: str | None = "0", second: str | None = None) -> datetime:
    return datetime.combine(day, time(int(hour or 0), int(minute or 0), int(second or 0)), SHANGHAI)


def _not_future(day_in_year: Callable[[int], date], now: datetime) -> date:
    """This year's date, or last year's when this year's would lie in the future."""
    candidate = day_in_year(now.year)
    return day_in_year(now.year - 1) if candidate > now.date() else candidate


def _just_now(s: str, now: datetime) -> datetime | None:
    return now if s in ("刚刚", "刚才") else None


def _relative(s: str, now: datetime) -> datetime | None:
    if s == "半小时前":
        return now - timedelta(minutes=30)
    if m := _RELATIVE.fullmatch(s):
        return now - timedelta(**{_UNITS[m[2]]: int(m[1])})
    if m := _DAYS_AGO.fullmatch(s):
        return _at(now.date() - timedelta(days=int(m[1])))
    return None


def _named_day(s: str, now: datetime) -> datetime | None:
    if m := _NAMED_DAY.fullmatch(s):
        offset = {"今天": 0, "昨天": 1, "前天": 2}[m[1]]
        return _at(now.date() - timedelta(days=offset), m[2], m[3], m[4])
    return None


def _clock(s: str, now: datetime) -> datetime | None:
    """A bare HH:MM is today, or yesterday when today's would lie in the future."""
    if m := _CLOCK.fullmatch(s):
        today = _at(now.date(), m[1], m[2], m[3])
        return today - timedelta(days=1) if today > now else today
    return None


def _month_day(s: str, now: datetime) -> datetime | None:
    if m := _MONTH_DAY.fullmatch(s):
        return _at(_not_future(lambda y: date(y, int(m[1]), int(m[2])), now))
    if m := _CN_MONTH_DAY.fullmatch(s):
        return _at(_not_future(lambda y: date(y, int(m[1]), int(m[2])), now), m[3], m[4], m[5])
    return None


def _absolute(s: str, now: datetime) -> datetime | None:
    if m := (_CN_FULL.fullmatch(s) or _FULL.fullmatch(s)):
        return _at(date(int(m[1]), int(m[2]), int(m[3])), m[4], m[5], m[6])
    if m := _SHORT_YEAR.fullmatch(s):
        return _at(date(2000 + int(m[1]), int(m[2]), int(m[3])), m[4], m[5], m[6])
    if m := _YEAR_MONTH.fullmatch(s):
        return _at(date(int(m[1]), int(m[2]), 1))
    return None


def _rfc(s: str, now: datetime) -> datetime | None:
    m = _RFC.fullmatch(s)
    if not m or m[1].lower() not in _MONTHS:
        return None
    offset = timedelta(hours=int(m[7]), minutes=int(m[8])) * (-1 if m[6] == "-" else 1)
    return datetime(
        int(m[9]), _MONTHS[m[1].lower()], int(m[2]), int(m[3]), int(m[4]), int(m[5]), tzinfo=timezone(offset)
    )


def _epoch(s: str, now: datetime) -> datetime | None:
    if not _EPOCH.fullmatch(s):
        return None
    seconds = int(s) / 1000 if len(s) > 10 else int(s)
    return datetime.fromtimestamp(seconds, SHANGHAI)


def _iso(s: str, now: datetime) -> datetime | None:
    try:
        return to_shanghai(datetime.fromisoformat(s))
    except ValueError:
        return None


_HANDLERS: tuple[Callable[[str, datetime], datetime | None], ...] = (
    _just_now,
    _relative,
    _named_day,
    _clock,
    _month_day,
    _absolute,
    _rfc,
    _epoch,
    _iso,
)


def time_or_none(value: object, now: datetime) -> datetime | None:
    """``parse_time`` for fields that may be missing or odd ("1天内"): None instead of an error."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return parse_time(text, now)
    except ValueError:
        return None
