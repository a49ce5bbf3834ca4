"""Posts: search with filters, and one post by key."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from yuqing.post import Sentiment
from yuqing.storage.posts import Bucket, PostQuery

from ..deps import CurrentUser, ServicesDep
from ..schemas import Page, PostOut

router = APIRouter(prefix="/api/posts", tags=["posts"])


def _query(
    q: str | None = None,
    brand: str | None = None,
    source: str | None = None,
    sentiment: Sentiment | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> PostQuery:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise HTTPException(status_code=422, detail=f"{name} needs a UTC offset, e.g. 2026-11-28T10:00:00+08:00")
    return PostQuery(
        text=q or None,
        brand=brand,
        source=source,
        sentiment=sentiment,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )


@router.get("", response_model=Page[PostOut])
def search_posts(
    services: ServicesDep,
    _user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200, description="full-text search (jieba words)")] = None,
    brand: str | None = None,
    source: str | None = None,
    sentiment: Sentiment | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[PostOut]:
    page = services.posts.search(_query(q, brand, source, sentiment, since, until, limit, offset))
    return Page(items=[PostOut.model_validate(p.model_dump()) for p in page.items], total=page.total)


@router.get("/trend")
def trend(
    services: ServicesDep,
    _user: CurrentUser,
    bucket: Bucket = "hour",
    q: Annotated[str | None, Query(max_length=200)] = None,
    brand: str | None = None,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, list[dict[str, object]]]:
    points = services.posts.trend(_query(q, brand, source, None, since, until), bucket)
    return {"items": [{"start": p.start.isoformat(), "sentiment": p.sentiment, "count": p.count} for p in points]}


@router.get("/{key}", response_model=PostOut)
def get_post(key: str, services: ServicesDep, _user: CurrentUser) -> PostOut:
    post = services.posts.get(key)
    if post is None:
        raise HTTPException(status_code=404, detail=f"no post {key!r}")
    return PostOut.model_validate(post.model_dump())
