"""Incidents: the list and one incident."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from yuqing.alerting.incidents import get_incident, list_incidents

from ..deps import CurrentUser, SessionDep
from ..schemas import IncidentOut, Page

router = APIRouter(prefix="/api/incidents", tags=["incidents"])


@router.get("", response_model=Page[IncidentOut])
def incidents(
    session: SessionDep,
    _user: CurrentUser,
    open_only: Annotated[bool, Query(alias="open")] = False,
    brand: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[IncidentOut]:
    found, total = list_incidents(session, open_only=open_only, brand=brand, limit=limit, offset=offset)
    return Page(items=[IncidentOut.of(i) for i in found], total=total)


@router.get("/{incident_id}", response_model=IncidentOut)
def incident(incident_id: int, session: SessionDep, _user: CurrentUser) -> IncidentOut:
    found = get_incident(session, incident_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no incident {incident_id}")
    return IncidentOut.of(found)
