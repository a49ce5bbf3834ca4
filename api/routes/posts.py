"""Posts: search with filters, trends, and one post by key."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from yuqing.post import Sentiment
from yuqing.storage.posts import Bucket, PostQuery

from ..deps import CurrentUser, ServicesDep
from ..schemas import Page, PostOut

router = APIRouter(prefix="/api/posts", tags=["posts"])


def post_query(
    q: Annotated[str | None, Query(max_length=200, description="full-text search on jieba words")] = None,
    brand: str | None = None,
    source: str | None = None,
    sentiment: Sentiment | None = None,
    since: Annotated[datetime | None, Query(description="ISO 8601 with offset; inclusive")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601 with offset; exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
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


PostFilters = Annotated[PostQuery, Depends(post_query)]


def _out(post: object) -> PostOut:
    return PostOut.model_validate(post, from_attributes=True)


@router.get("", response_model=Page[PostOut])
def search_posts(services: ServicesDep, _user: CurrentUser, query: PostFilters) -> Page[PostOut]:
    page = services.posts.search(query)
    return Page(items=[_out(p) for p in page.items], total=page.total)


@router.get("/trend")
def trend(
    services: ServicesDep, _user: CurrentUser, query: PostFilters, bucket: Bucket = "hour"
) -> dict[str, list[dict[str, object]]]:
    points = services.posts.trend(query, bucket)
    return {"items": [{"start": p.start.isoformat(), "sentiment": p.sentiment, "count": p.count} for p in points]}


@router.get("/{key}", response_model=PostOut)
def get_post(key: str, services: ServicesDep, _user: CurrentUser) -> PostOut:
    post = services.posts.get(key)
    if post is None:
        raise HTTPException(status_code=404, detail=f"no post {key!r}")
    return _out(post)
