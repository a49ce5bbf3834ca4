"""Alert rules: pure functions of an analysed post (and the time) to alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from yuqing.nlp.query import Query, compile_query
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
    """A negative post that names a watched brand opens (or joins) an incident.

    Incidents group by brand and event (``brand:星河电器:event:ev-20261128-3fa2b9c1``),
    so two stories about one brand are two incidents; a post the pipeline put
    in no event (the event step switched off) groups by brand alone. A
    near-duplicate (a repost, a copied text) raises no alert: its original did.
    The severity is the risk step's suggestion (一般 where there is none).
    """

    name = "negative_brand_post"

    def evaluate(self, post: Post, now: datetime) -> list[Alert]:
        a = post.analysis
        if a.sentiment != "negative" or a.duplicate_of:
            return []
        return per_brand(post, self.name, a.severity or "general", "负面舆情", now)


def per_brand(post: Post, rule: str, severity: str, what: str, now: datetime) -> list[Alert]:
    """One alert per brand the post names, grouped with the post's event."""
    a = post.analysis
    return [
        Alert(
            rule=rule,
            brand=brand,
            group_key=group_key(brand, a.event_id),
            title=f"{brand}{what}：{summarise(post)}",
            post_key=post.key,
            severity=severity,
            at=now,
        )
        for brand in a.brands
    ]


def group_key(brand: str, event_id: str | None = None) -> str:
    return f"brand:{brand}:event:{event_id}" if event_id else f"brand:{brand}"


class KeywordTrigger:
    """Any post about a watched brand that matches the trigger's query (爆炸 OR 起火 OR 召回),
    whatever its sentiment: some words need eyes even in a neutral news item.
    Groups with the brand's event, like a negative post; a duplicate does not fire."""

    def __init__(self, name: str, query: str, severity: str) -> None:
        self.name = f"keyword:{name}"
        self.query: Query = compile_query(query)
        self.severity = severity

    def evaluate(self, post: Post, now: datetime) -> list[Alert]:
        a = post.analysis
        if not a.brands or a.duplicate_of or not self.query.search(f"{post.title or ''} {post.text}"):
            return []
        return per_brand(post, self.name, self.severity, f"关键词预警（{self.query.source}）", now)
