"""Rules the ticker checks every few minutes, not per post: a negative spike, a silent source."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from yuqing.storage.models import SourceHealth
from yuqing.storage.posts import PostQuery, PostStore

from .rules import Alert


@dataclass(frozen=True)
class Spike:
    current: int
    mean: float
    stdev: float
    threshold: float

    @property
    def firing(self) -> bool:
        return self.current >= self.threshold


def spike(current: int, baseline: Sequence[int], k: float, min_count: int) -> Spike:
    """The last window against the brand's own baseline windows: mean + k·σ, and never
    below ``min_count`` (three posts after a silent day is not a crisis)."""
    mean = statistics.fmean(baseline) if baseline else 0.0
    stdev = statistics.pstdev(baseline) if len(baseline) > 1 else 0.0
    return Spike(current, mean, stdev, max(float(min_count), mean + k * stdev))


class NegativeSpike:
    name = "negative_spike"

    def __init__(
        self, store: PostStore, brands: Sequence[str], *, window: timedelta, baseline: timedelta,
        k: float, min_count: int, severity: str,
    ) -> None:  # fmt: skip
        self.store, self.brands = store, list(brands)
        self.window, self.windows = window, max(2, int(baseline / window))
        self.k, self.min_count, self.severity = k, min_count, severity

    def _count(self, brand: str, since: datetime, until: datetime) -> int:
        q = PostQuery(brand=brand, sentiment="negative", since=since, until=until, limit=1)
        return self.store.search(q).total

    def check(self, now: datetime) -> list[Alert]:
        alerts = []
        for brand in self.brands:
            current = self._count(brand, now - self.window, now)
            if current < self.min_count:
                continue  # cannot fire: spare the baseline queries
            baseline = [
                self._count(brand, now - self.window * (i + 1), now - self.window * i)
                for i in range(1, self.windows + 1)
            ]
            found = spike(current, baseline, self.k, self.min_count)
            if not found.firing:
                continue
            minutes = int(self.window.total_seconds() // 60)
            alerts.append(
                Alert(
                    rule=self.name,
                    brand=brand,
                    group_key=f"brand:{brand}:spike",
                    title=(
                        f"{brand}负面声量激增：近 {minutes} 分钟 {current} 条"
                        f"（此前平均 {found.mean:.1f}，σ {found.stdev:.1f}）"
                    ),
                    severity=self.severity,
                    at=now,
                )
            )
        return alerts


class SilentSource:
    """A source whose crawls have brought no new post for ``after``: blocked in a way the
    crawler cannot see (an empty page that looks fine), or the query went stale."""

    name = "source_silent"

    def __init__(
        self, health: Callable[[], list[SourceHealth]], enabled: Callable[[str], bool], after: timedelta
    ) -> None:
        self.health, self.enabled, self.after = health, enabled, after

    def check(self, now: datetime) -> list[Alert]:
        alerts = []
        for row in self.health():
            last = row.last_item_at
            if last is None or not self.enabled(row.source) or now - last < self.after:
                continue
            hours = (now - last).total_seconds() / 3600
            alerts.append(
                Alert(
                    rule=self.name,
                    brand="",
                    group_key=f"source:{row.source}:silent",
                    title=f"信源沉默：{row.source} 已 {hours:.0f} 小时没有新内容",
                    severity="general",
                    at=now,
                    category="source",
                )
            )
        return alerts
