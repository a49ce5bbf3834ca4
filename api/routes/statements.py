"""Statements: the legal queue, and each version's review and publication."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from yuqing.storage.models import Incident, Statement, User

from ..deps import CurrentUser, ServicesDep, SessionDep, require
from ..schemas import CommentIn, StatementOut, TextIn

router = APIRouter(prefix="/api/statements", tags=["statements"])

StatementState = Annotated[str | None, Query(pattern="^(draft|pending_legal|approved|rejected|published)$")]


@router.get("", response_model=list[StatementOut])
def queue(session: SessionDep, _user: CurrentUser, state: StatementState = None) -> list[StatementOut]:
    """Statements, oldest submission first (``?state=pending_legal`` is legal's queue)."""
    query = select(Statement).options(selectinload(Statement.incident).selectinload(Incident.timers))
    if state:
        query = query.where(Statement.state == state)
    found = session.scalars(query.order_by(Statement.submitted_at.nulls_last(), Statement.created_at, Statement.id))
    return [StatementOut.of(s) for s in found]


@router.get("/{statement_id}", response_model=StatementOut)
def one(statement_id: int, session: SessionDep, _user: CurrentUser) -> StatementOut:
    s = session.get(Statement, statement_id)
    if s is None:
        raise HTTPException(status_code=404, detail=f"no statement {statement_id}")
    return StatementOut.of(s)


@router.put("/{statement_id}", response_model=StatementOut)
def edit(
    statement_id: int, body: TextIn, services: ServicesDep, user: Annotated[User, require("statement.edit")]
) -> StatementOut:
    return StatementOut.of(services.statements.edit(statement_id, user.username, body.text))


@router.post("/{statement_id}/submit", response_model=StatementOut)
def submit(
    statement_id: int, services: ServicesDep, user: Annotated[User, require("statement.submit")]
) -> StatementOut:
    return StatementOut.of(services.statements.submit(statement_id, user.username))


@router.post("/{statement_id}/approve", response_model=StatementOut)
def approve(
    statement_id: int,
    services: ServicesDep,
    user: Annotated[User, require("statement.approve")],
    body: CommentIn | None = None,
) -> StatementOut:
    return StatementOut.of(services.statements.approve(statement_id, user.username, body.comment if body else None))


@router.post("/{statement_id}/reject", response_model=StatementOut)
def reject(
    statement_id: int,
    services: ServicesDep,
    user: Annotated[User, require("statement.reject")],
    body: CommentIn | None = None,
) -> StatementOut:
    return StatementOut.of(services.statements.reject(statement_id, user.username, body.comment if body else None))


@router.post("/{statement_id}/publish", response_model=StatementOut)
def publish(
    statement_id: int, services: ServicesDep, user: Annotated[User, require("statement.publish")]
) -> StatementOut:
    return StatementOut.of(services.statements.publish(statement_id, user.username))
