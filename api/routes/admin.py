"""Administration: brands and their queries, users and roles, notification channels."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from yuqing.accounts import AccountError, add_user
from yuqing.alerting.notify.base import DeliveryError, Message
from yuqing.nlp.brands import BrandMatcher
from yuqing.nlp.text import clean
from yuqing.settings import Role
from yuqing.storage.models import User

from ..deps import CurrentUser, ServicesDep, SessionDep, require_roles

router = APIRouter(prefix="/api/admin", tags=["admin"])
public = APIRouter(tags=["brands"])
Admin = Annotated[User, require_roles("admin")]
AdminOrLead = Annotated[User, require_roles("admin", "brand_lead")]


class BrandOut(BaseModel):
    name: str
    query: str | None
    aliases: list[str]
    keywords: list[str]
    exclude: list[str]


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)


@public.get("/api/brands", response_model=list[str])
def brand_names(services: ServicesDep, _user: CurrentUser) -> list[str]:
    """The watched brands' names, for every role's filters."""
    return [b.name for b in services.settings.brands]


@router.get("/brands", response_model=list[BrandOut])
def brands(services: ServicesDep, _user: AdminOrLead) -> list[BrandOut]:
    """The watched brands as configured (``[[brands]]`` in the settings file)."""
    return [BrandOut.model_validate(b, from_attributes=True) for b in services.settings.brands]


@router.post("/brands/match")
def match(body: MatchIn, services: ServicesDep, _user: AdminOrLead) -> dict[str, list[str]]:
    """Which brands' rules a text matches: try a query against a real post before deploying it."""
    matcher = BrandMatcher([b.rule() for b in services.settings.brands])
    return {"brands": matcher.match(clean(body.text))}


class UserOut(BaseModel):
    username: str
    role: str
    email: str | None
    created_at: datetime


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=8, max_length=200)
    email: str | None = Field(default=None, max_length=255)


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    email: str | None = Field(default=None, max_length=255)


@router.get("/users", response_model=list[UserOut])
def users(session: SessionDep, _user: Admin) -> list[UserOut]:
    return [
        UserOut.model_validate(u, from_attributes=True) for u in session.scalars(select(User).order_by(User.username))
    ]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, services: ServicesDep, _user: Admin) -> UserOut:
    try:
        with services.sessions.begin() as session:
            user = add_user(session, services.clock, body.username, body.role, body.password, email=body.email)
            return UserOut.model_validate(user, from_attributes=True)
    except AccountError as exc:
        code = status.HTTP_409_CONFLICT if "exists" in str(exc) else status.HTTP_422_UNPROCESSABLE_ENTITY
        raise HTTPException(status_code=code, detail=str(exc)) from None


@router.patch("/users/{username}", response_model=UserOut)
def change_user(username: str, body: UserPatch, services: ServicesDep, admin: Admin) -> UserOut:
    with services.sessions.begin() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise HTTPException(status_code=404, detail=f"no user {username!r}")
        if body.role is not None:
            if user.username == admin.username and body.role != "admin":
                raise HTTPException(status_code=409, detail="an admin cannot take away their own admin role")
            user.role = body.role
        if "email" in body.model_fields_set:
            user.email = body.email or None
        return UserOut.model_validate(user, from_attributes=True)


class ChannelOut(BaseModel):
    name: str
    kind: str
    target: str
    roles: list[str]
    severities: list[str]


def _target(channel: object) -> str:
    """Where a channel sends, without its secrets (a bot's key is in its URL)."""
    url = getattr(channel, "url", None)
    if url:
        return urlsplit(url).netloc
    return f"{getattr(channel, 'smtp_host', '')}:{getattr(channel, 'smtp_port', '')}"


@router.get("/channels", response_model=list[ChannelOut])
def channels(services: ServicesDep, _user: AdminOrLead) -> list[ChannelOut]:
    """The console (always) and the configured channels (``[notify.channels.NAME]``)."""
    found = [ChannelOut(name="console", kind="console", target="控制台", roles=["all"], severities=["all"])]
    for name, c in services.settings.notify.channels.items():
        found.append(ChannelOut(name=name, kind=c.kind, target=_target(c), roles=c.roles, severities=c.severities))
    return found


@router.post("/channels/{name}/test")
def test_channel(name: str, services: ServicesDep, admin: Admin, to: str | None = None) -> dict[str, str]:
    """Send a test notice now (not logged against any incident); 502 with the reason when it fails."""
    notifier = services.dispatcher.notifiers.get(name)
    if notifier is None or name == "console":
        raise HTTPException(status_code=404, detail=f"no channel {name!r}")
    message = Message(
        title="【测试】yuqing 通知测试", text=f"这是一条测试通知，由 {admin.username} 发送。", severity="general"
    )
    try:
        notifier.send(message, [to] if to else [])
    except DeliveryError as exc:
        raise HTTPException(status_code=502, detail=str(exc)) from None
    return {"status": "sent"}
