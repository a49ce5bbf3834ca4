"""Silences: mute matching alerts for a while (a known story, a planned campaign)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from yuqing.alerting.silences import LABELS
from yuqing.storage.models import Notification, Silence, User

from ..deps import CurrentUser, ServicesDep, SessionDep, require, require_roles
from ..schemas import NotificationOut, SilenceIn, SilenceOut

router = APIRouter(tags=["silences"])


def _out(s: Silence, services: ServicesDep) -> SilenceOut:
    now = services.clock.now()
    return SilenceOut.model_validate(
        {
            **{k: getattr(s, k) for k in SilenceOut.model_fields if k != "active"},
            "active": s.starts_at <= now < s.ends_at,
        }
    )


@router.get("/api/silences", response_model=list[SilenceOut])
def silences(services: ServicesDep, session: SessionDep, _user: CurrentUser) -> list[SilenceOut]:
    return [_out(s, services) for s in session.scalars(select(Silence).order_by(Silence.ends_at.desc()))]


@router.post("/api/silences", response_model=SilenceOut, status_code=status.HTTP_201_CREATED)
def create(body: SilenceIn, services: ServicesDep, user: Annotated[User, require("silence.create")]) -> SilenceOut:
    unknown = sorted(set(body.matchers) - set(LABELS))
    if unknown:
        raise HTTPException(status_code=422, detail=f"unknown labels {unknown}; use {', '.join(LABELS)}")
    now = services.clock.now()
    with services.sessions.begin() as session:
        silence = Silence(
            matchers=body.matchers, starts_at=now, ends_at=now + timedelta(minutes=body.minutes),
            comment=body.comment, created_by=user.username, created_at=now, hits=0,
        )  # fmt: skip
        session.add(silence)
    return _out(silence, services)


@router.post("/api/silences/{silence_id}/expire", response_model=SilenceOut)
def expire(silence_id: int, services: ServicesDep, _user: Annotated[User, require("silence.expire")]) -> SilenceOut:
    now = services.clock.now()
    with services.sessions.begin() as session:
        silence = session.get(Silence, silence_id)
        if silence is None:
            raise HTTPException(status_code=404, detail=f"no silence {silence_id}")
        if silence.ends_at <= now:
            raise HTTPException(status_code=409, detail="the silence has ended already")
        silence.ends_at = max(now, silence.starts_at)
    return _out(silence, services)


@router.get("/api/notifications", response_model=list[NotificationOut])
def notifications(
    session: SessionDep,
    _user: Annotated[User, require_roles("admin", "brand_lead", "director")],
    state: Annotated[Literal["pending", "sending", "sent", "failed", "gave_up"] | None, Query(alias="status")] = None,
) -> list[NotificationOut]:
    """The notification log: what was sent to whom, what failed and why."""
    query = select(Notification).order_by(Notification.id.desc()).limit(500)
    if state:
        query = query.where(Notification.status == state)
    return [NotificationOut.model_validate(r, from_attributes=True) for r in session.scalars(query)]
