"""Incidents: the list, one incident, and what people do to it (the workflow's HTTP face)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from yuqing.alerting import timeline
from yuqing.alerting.incidents import get_incident, list_incidents
from yuqing.alerting.statements import statements_of
from yuqing.settings import Severity
from yuqing.storage.models import Incident, Notification, User

from ..deps import CurrentUser, ServicesDep, SessionDep, require
from ..schemas import (
    IncidentIn,
    IncidentOut,
    NoteIn,
    NotificationOut,
    OptionalNoteIn,
    Page,
    SeverityIn,
    StatementOut,
    TextIn,
    TimelineEntryOut,
    TimelineOut,
)

router = APIRouter(prefix="/api/incidents", tags=["incidents"])


def _found(session: SessionDep, incident_id: int) -> Incident:
    found = get_incident(session, incident_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no incident {incident_id}")
    return found


def _out(services: ServicesDep, incident_id: int) -> IncidentOut:
    with services.sessions() as session:
        return IncidentOut.of(_found(session, incident_id), services.clock.now())


@router.get("", response_model=Page[IncidentOut])
def incidents(
    services: ServicesDep,
    session: SessionDep,
    _user: CurrentUser,
    open_only: Annotated[bool, Query(alias="open")] = False,
    brand: str | None = None,
    severity: Severity | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[IncidentOut]:
    found, total = list_incidents(
        session, open_only=open_only, brand=brand, severity=severity, limit=limit, offset=offset
    )
    now = services.clock.now()
    return Page(items=[IncidentOut.of(i, now) for i in found], total=total)


@router.post("", response_model=IncidentOut, status_code=status.HTTP_201_CREATED)
def create(body: IncidentIn, services: ServicesDep, user: Annotated[User, require("incident.create")]) -> IncidentOut:
    unknown = [key for key in body.post_ids if services.posts.get(key) is None]
    if unknown:
        raise HTTPException(status_code=422, detail=f"unknown post ids: {', '.join(unknown[:10])}")
    brands = [b.name for b in services.settings.brands]
    brand = body.brand if body.brand is not None else (brands[0] if len(brands) == 1 else "")
    incident_id = services.workflow.create(
        user.username, title=body.title, severity=body.severity, brand=brand,
        summary=body.summary, post_keys=body.post_ids,
    )  # fmt: skip
    return _out(services, incident_id)


@router.get("/{incident_id}", response_model=IncidentOut)
def incident(incident_id: int, services: ServicesDep, session: SessionDep, _user: CurrentUser) -> IncidentOut:
    return IncidentOut.of(_found(session, incident_id), services.clock.now())


@router.post("/{incident_id}/ack", response_model=IncidentOut)
def ack(incident_id: int, services: ServicesDep, user: Annotated[User, require("incident.ack")]) -> IncidentOut:
    services.workflow.ack(incident_id, user.username)
    return _out(services, incident_id)


@router.post("/{incident_id}/respond", response_model=IncidentOut)
def respond(
    incident_id: int, body: NoteIn, services: ServicesDep, user: Annotated[User, require("incident.respond")]
) -> IncidentOut:
    services.workflow.respond(incident_id, user.username, body.note)
    return _out(services, incident_id)


@router.post("/{incident_id}/director-ack", response_model=IncidentOut)
def director_ack(
    incident_id: int, services: ServicesDep, user: Annotated[User, require("incident.director_ack")]
) -> IncidentOut:
    services.workflow.director_ack(incident_id, user.username)
    return _out(services, incident_id)


@router.post("/{incident_id}/resolve", response_model=IncidentOut)
def resolve(
    incident_id: int,
    services: ServicesDep,
    user: Annotated[User, require("incident.resolve")],
    body: OptionalNoteIn | None = None,
) -> IncidentOut:
    services.workflow.resolve(incident_id, user.username, body.note if body else None)
    return _out(services, incident_id)


@router.post("/{incident_id}/severity", response_model=IncidentOut)
def severity(
    incident_id: int, body: SeverityIn, services: ServicesDep, user: Annotated[User, require("incident.severity")]
) -> IncidentOut:
    services.workflow.set_severity(incident_id, user.username, body.severity, body.reason)
    return _out(services, incident_id)


@router.get("/{incident_id}/timeline", response_model=TimelineOut)
def incident_timeline(incident_id: int, session: SessionDep, _user: CurrentUser) -> TimelineOut:
    _found(session, incident_id)
    items = timeline.entries(session, incident_id)
    return TimelineOut(
        incident_id=incident_id,
        items=[TimelineEntryOut.model_validate(e, from_attributes=True) for e in items],
        intact=timeline.verify(items) is None,
    )


@router.get("/{incident_id}/statements", response_model=list[StatementOut])
def statements(incident_id: int, session: SessionDep, _user: CurrentUser) -> list[StatementOut]:
    _found(session, incident_id)
    return [StatementOut.of(s) for s in statements_of(session, incident_id)]


@router.post("/{incident_id}/statements", response_model=StatementOut, status_code=status.HTTP_201_CREATED)
def draft_statement(
    incident_id: int, body: TextIn, services: ServicesDep, user: Annotated[User, require("statement.draft")]
) -> StatementOut:
    return StatementOut.of(services.statements.draft(incident_id, user.username, body.text))


@router.get("/{incident_id}/notifications", response_model=list[NotificationOut])
def notifications(incident_id: int, session: SessionDep, _user: CurrentUser) -> list[NotificationOut]:
    _found(session, incident_id)
    rows = session.scalars(
        select(Notification).where(Notification.incident_id == incident_id).order_by(Notification.id)
    )
    return [NotificationOut.model_validate(r, from_attributes=True) for r in rows]
