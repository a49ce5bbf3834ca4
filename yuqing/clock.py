"""One injectable clock: every deadline and timestamp reads it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from yuqing.post import SHANGHAI, to_shanghai


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in Asia/Shanghai."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(SHANGHAI)


class FixedClock:
    """A clock that moves only when told to; for tests and replays."""

    def __init__(self, start: datetime) -> None:
        self._now = to_shanghai(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta
