"""Feedback: a person marks a post as wrongly classified; the corrections feed retraining."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from yuqing.storage.models import Feedback, User

from ..deps import CurrentUser, ServicesDep, SessionDep, require_roles

router = APIRouter(tags=["feedback"])

Label = Literal["negative", "neutral", "positive"]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label = Field(description="what the post really is")
    note: str | None = Field(default=None, max_length=500)


class FeedbackOut(BaseModel):
    id: int
    post_key: str
    username: str
    predicted: str
    label: str
    negative_score: float | None
    text: str
    note: str | None
    created_at: datetime


@router.post("/api/posts/{key}/feedback", response_model=FeedbackOut, status_code=status.HTTP_201_CREATED)
def give_feedback(key: str, body: FeedbackIn, services: ServicesDep, user: CurrentUser) -> FeedbackOut:
    """Record (or replace) this user's correction of the post's sentiment."""
    post = services.posts.get(key)
    if post is None:
        raise HTTPException(status_code=404, detail=f"no post {key!r}")
    with services.sessions.begin() as session:
        row = session.scalar(select(Feedback).where(Feedback.post_key == key, Feedback.username == user.username))
        if row is None:
            row = Feedback(post_key=key, username=user.username, text="", predicted="")
            session.add(row)
        row.predicted = post.analysis.sentiment or "neutral"
        row.negative_score = post.analysis.negative_score
        row.label, row.note = body.label, body.note
        row.text = "\n".join(t for t in (post.title, post.text) if t)
        row.created_at = services.clock.now()
        session.flush()
        return FeedbackOut.model_validate(row, from_attributes=True)


@router.get("/api/feedback", response_model=list[FeedbackOut])
def feedback(session: SessionDep, _user: Annotated[User, require_roles("admin", "brand_lead")]) -> list[FeedbackOut]:
    rows = session.scalars(select(Feedback).order_by(Feedback.created_at.desc()).limit(1000))
    return [FeedbackOut.model_validate(r, from_attributes=True) for r in rows]
