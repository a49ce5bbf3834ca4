"""What the API answers: explicit output models, times ISO 8601 with offset."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, computed_field

from yuqing.post import Post
from yuqing.storage.models import Incident

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class UserOut(BaseModel):
    username: str
    role: str


class TimerOut(BaseModel):
    kind: str
    due_at: datetime
    met_at: datetime | None
    fired_at: datetime | None


class IncidentOut(BaseModel):
    id: int
    brand: str
    title: str
    severity: str
    state: str
    rule: str
    detected_at: datetime
    last_alert_at: datetime
    alert_count: int
    response_due: datetime | None
    post_keys: list[str]
    timers: list[TimerOut]

    @classmethod
    def of(cls, incident: Incident) -> IncidentOut:
        timers = [TimerOut(kind=t.kind, due_at=t.due_at, met_at=t.met_at, fired_at=t.fired_at) for t in incident.timers]
        return cls(
            id=incident.id,
            brand=incident.brand,
            title=incident.title,
            severity=incident.severity,
            state=incident.state,
            rule=incident.rule,
            detected_at=incident.detected_at,
            last_alert_at=incident.last_alert_at,
            alert_count=incident.alert_count,
            response_due=next((t.due_at for t in incident.timers if t.kind == "response"), None),
            post_keys=[p.post_key for p in incident.posts],
            timers=timers,
        )


class PostOut(Post):
    """A stored post as the API shows it, with its store key."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def key(self) -> str:
        return f"{self.source}:{self.post_id}"
