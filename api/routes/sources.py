"""Source health: is each source delivering, or blocked, or silent?"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from yuqing.crawlers.classify import Outcome
from yuqing.crawlers.health import OUTCOME_LABELS

from ..deps import CurrentUser, ServicesDep
from ..schemas import Page

router = APIRouter(prefix="/api/sources", tags=["sources"])


class SourceHealthOut(BaseModel):
    source: str
    status: str | None
    label: str
    reason: str
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_items: int
    failures: int
    failing_since: datetime | None
    next_run_at: datetime | None


@router.get("", response_model=Page[SourceHealthOut])
def sources(services: ServicesDep, _user: CurrentUser) -> Page[SourceHealthOut]:
    """Every configured source, with its last crawl's verdict (none yet: not run)."""
    records = {h.source: h for h in services.health.all()}
    names = list(dict.fromkeys([*services.settings.sources, *records]))
    items = []
    for name in names:
        h = records.get(name)
        items.append(
            SourceHealthOut(
                source=name,
                status=h.status if h else None,
                label=OUTCOME_LABELS[Outcome(h.status)] if h else "未运行",
                reason=h.reason if h else "",
                last_run_at=h.last_run_at if h else None,
                last_success_at=h.last_success_at if h else None,
                last_items=h.last_items if h else 0,
                failures=h.failures if h else 0,
                failing_since=h.failing_since if h else None,
                next_run_at=h.next_run_at if h else None,
            )
        )
    return Page(items=items, total=len(items))
