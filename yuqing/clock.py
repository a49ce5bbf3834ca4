"""One injectable clock: every deadline and timestamp reads it."""

from __future__ import annotations

import time
from collections.abc import Callable
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


class ScaledClock:
    """A drill's clock (演练): ``scale`` simulated seconds pass per real second, from an origin.

    simulated now = ``origin_sim`` + (real now − ``origin_real``) × ``scale``, in epoch
    seconds. The origin is kept in the data (``storage.models.ClockState``), so a
    restarted drill continues its own timeline as if time had kept running.
    """

    def __init__(
        self, origin_real: float, origin_sim: float, scale: float, real: Callable[[], float] = time.time
    ) -> None:
        self.origin_real, self.origin_sim, self.scale = origin_real, origin_sim, scale
        self._real = real

    def sim_epoch(self) -> float:
        return self.origin_sim + (self._real() - self.origin_real) * self.scale

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.sim_epoch(), SHANGHAI)
