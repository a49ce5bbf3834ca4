"""Numbers for the trends screen: top negative terms, volume by source, SLA met vs breached."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from yuqing.alerting.sla import sla_status
from yuqing.storage.models import Incident, Timer
from yuqing.storage.posts import PostQuery

from ..deps import CurrentUser, ServicesDep, SessionDep

router = APIRouter(prefix="/api/stats", tags=["stats"])

Days = Annotated[int, Query(ge=1, le=365)]


@router.get("/terms")
def negative_terms(
    services: ServicesDep, _user: CurrentUser, brand: str | None = None, days: Days = 7,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, object]:  # fmt: skip
    """The words that made recent negative posts negative, in how many posts each, most first."""
    since = services.clock.now() - timedelta(days=days)
    page = services.posts.search(PostQuery(brand=brand, sentiment="negative", since=since, limit=500))
    brand_words = {w.lower() for w in services.settings.brand_words()}
    counts: Counter[str] = Counter()
    for post in page.items:
        counts.update(evidence_words(services.segmenter.cut(post.content), post.analysis.evidence, brand_words))
    return {"posts": len(page.items), "items": [{"term": t, "count": c} for t, c in counts.most_common(limit)]}


def evidence_words(words: list[str], evidence: list[str], skip: set[str]) -> set[str]:
    """The post's words that its evidence points at: the model's evidence is character n-grams
    (音太 of 噪音太大), people read words (噪音). Negation evidence (不+满意) gives its parts."""
    marks = {part for e in evidence for part in e.split("+") if len(part) >= 2 and not part.startswith("[")}
    found = set()
    for word in words:
        if len(word) < 2 or word.lower() in skip or not any(c.isalpha() for c in word):
            continue
        if any(m in word or (word in m) for m in marks):
            found.add(word)
    return found


@router.get("/sources")
def by_source(services: ServicesDep, _user: CurrentUser, brand: str | None = None, days: Days = 7) -> dict[str, object]:
    """Posts per source and sentiment over the last ``days``."""
    since = services.clock.now() - timedelta(days=days)
    items = []
    for source in dict.fromkeys([*services.settings.sources, *(h.source for h in services.health.all())]):
        counts = {
            sentiment: services.posts.search(
                PostQuery(source=source, brand=brand, sentiment=sentiment, since=since, limit=1)
            ).total
            for sentiment in ("negative", "neutral", "positive")
        }
        items.append({"source": source, **counts})
    return {"items": items}


@router.get("/sla")
def sla(services: ServicesDep, session: SessionDep, _user: CurrentUser, days: Days = 30) -> dict[str, object]:
    """For each clock: how many were met in time, breached, or are still running, for incidents of the last ``days``."""
    now = services.clock.now()
    timers = session.scalars(
        select(Timer)
        .join(Incident)
        .where(Incident.detected_at >= now - timedelta(days=days))
        .options(selectinload(Timer.incident))
    )
    counts: dict[str, Counter[str]] = {}
    for t in timers:
        state = sla_status(t.due_at, t.met_at, t.cancelled_at, now)
        if state is not None:
            counts.setdefault(t.kind, Counter())[state] += 1
    return {
        "items": [
            {"clock": k, "met": c["met"], "breached": c["breached"], "pending": c["pending"]} for k, c in counts.items()
        ]
    }
