"""Alert rules: pure functions of an analysed post (and the time) to alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from yuqing.post import Post


@dataclass(frozen=True)
class Alert:
    """One rule firing. Alerts with the same ``group_key`` join one incident.

    ``category`` tells brand alerts (a crisis: the SLA clocks run) from source
    alerts (a crawler is blocked or silent: the operators' business).
    """

    rule: str
    brand: str
    group_key: str
    title: str
    severity: str
    at: datetime
    post_key: str | None = None
    category: str = "brand"


class AlertRule(Protocol):
    name: str

    def evaluate(self, post: Post, now: datetime) -> list[Alert]: ...


def summarise(post: Post, limit: int = 40) -> str:
    text = (post.title or post.text).strip().replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class NegativeBrandPost:
    """A negative post that names a watched brand opens (or joins) the brand's incident."""

    name = "negative_brand_post"

    def evaluate(self, post: Post, now: datetime) -> list[Alert]:
        if post.analysis.sentiment != "negative":
            return []
        return [
            Alert(
                rule=self.name,
                brand=brand,
                group_key=f"brand:{brand}",
                title=f"{brand}负面舆情：{summarise(post)}",
                post_key=post.key,
                severity="general",
                at=now,
            )
            for brand in post.analysis.brands
        ]
