"""parse_time against every format of STRUCTURE.md §5, with the fixed clock of conftest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yuqing.crawlers.timeparse import parse_time
from yuqing.post import SHANGHAI


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


# now = 2026-11-28 10:00:00 Asia/Shanghai
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("刚刚", sh(2026, 11, 28, 10, 0)),
        ("30秒前", sh(2026, 11, 28, 9, 59, 30)),
        ("5分钟前", sh(2026, 11, 28, 9, 55)),
        ("1 分钟前", sh(2026, 11, 28, 9, 59)),
        ("3小时前", sh(2026, 11, 28, 7, 0)),
        ("半小时前", sh(2026, 11, 28, 9, 30)),
        ("2天前", sh(2026, 11, 26)),
        ("3 天前", sh(2026, 11, 25)),
        ("今天 08:15", sh(2026, 11, 28, 8, 15)),
        ("今天08:15", sh(2026, 11, 28, 8, 15)),
        ("昨天 23:59", sh(2026, 11, 27, 23, 59)),
        ("昨天15:20", sh(2026, 11, 27, 15, 20)),
        ("前天 10:00", sh(2026, 11, 26, 10, 0)),
        ("09:24", sh(2026, 11, 28, 9, 24)),
        ("11:24", sh(2026, 11, 27, 11, 24)),  # would be in the future: yesterday
        ("06-14", sh(2026, 6, 14)),
        ("7-6", sh(2026, 7, 6)),
        ("12-25", sh(2025, 12, 25)),  # would be in the future: last year
        ("06月17日 18:12", sh(2026, 6, 17, 18, 12)),
        ("12月01日 08:00", sh(2025, 12, 1, 8, 0)),
        ("2020年1月1日", sh(2020, 1, 1)),
        ("2023年05月01日 12:30", sh(2023, 5, 1, 12, 30)),
        ("24-5-13 17:07", sh(2024, 5, 13, 17, 7)),
        ("2019-06-14", sh(2019, 6, 14)),
        ("2024-8-6 22:11", sh(2024, 8, 6, 22, 11)),
        ("2024-4-5 23:20:45", sh(2024, 4, 5, 23, 20, 45)),
        ("2020-06-05 11:12:14", sh(2020, 6, 5, 11, 12, 14)),
        ("2020-05", sh(2020, 5, 1)),
        ("Wed Aug 24 22:03:13 +0800 2022", sh(2022, 8, 24, 22, 3, 13)),
        ("Sat Nov 28 10:00:00 +0800 2026", sh(2026, 11, 28, 10, 0)),
        ("1561121838", sh(2019, 6, 21, 20, 57, 18)),
        ("1561121838000", sh(2019, 6, 21, 20, 57, 18)),
        ("发表于 2024-4-5 23:20:45", sh(2024, 4, 5, 23, 20, 45)),
        ("发布于 2024-05-13", sh(2024, 5, 13)),
        ("06月17日 18:12 来自绿洲APP", sh(2026, 6, 17, 18, 12)),
        ("2020年1月1日\xa0-\xa0", sh(2020, 1, 1)),
        ("56分钟前 - ", sh(2026, 11, 28, 9, 4)),
        ("  今天 08:15  ", sh(2026, 11, 28, 8, 15)),
    ],
)
def test_formats(text: str, expected: datetime, now: datetime) -> None:
    result = parse_time(text, now)
    assert result == expected
    assert result.tzinfo is not None
    assert result.utcoffset() == timedelta(hours=8)


def test_rfc_keeps_offset(now: datetime) -> None:
    result = parse_time("Wed Aug 24 14:03:13 +0000 2022", now)
    assert result == datetime(2022, 8, 24, 14, 3, 13, tzinfo=UTC)
    assert result.hour == 22 and result.tzinfo == SHANGHAI


def test_now_in_another_zone_is_converted(now: datetime) -> None:
    utc_now = now.astimezone(UTC)  # 02:00 UTC, 10:00 in Shanghai
    assert parse_time("今天 08:15", utc_now) == sh(2026, 11, 28, 8, 15)
    assert parse_time("刚刚", now.replace(tzinfo=None)) == now


def test_month_day_on_new_year(now: datetime) -> None:
    new_year = sh(2027, 1, 1, 0, 30)
    assert parse_time("12-31", new_year) == sh(2026, 12, 31)
    assert parse_time("01-01", new_year) == sh(2027, 1, 1)


@pytest.mark.parametrize(
    "text", ["", "明天", "1天内", "hello", "13-45", "2024-13-01", "Foo Bar 24 22:03:13 +0800 2022", "12345"]
)
def test_unknown_raises(text: str, now: datetime) -> None:
    with pytest.raises(ValueError, match="unrecognised time"):
        parse_time(text, now)
