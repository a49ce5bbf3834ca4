"""What the API answers: explicit output models, times ISO 8601 with offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field

from yuqing.alerting.sla import sla_status
from yuqing.post import Post
from yuqing.settings import Severity
from yuqing.storage.models import Incident, Statement

SlaStatus = Literal["pending", "met", "breached"]

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
    actions: list[str] = Field(default_factory=list)
    now: datetime | None = None


CLOCKS = ("response", "statement", "director_report")


class TimerOut(BaseModel):
    kind: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    met_by: str | None
    breached_at: datetime | None
    cancelled_at: datetime | None
    status: SlaStatus | None


class Deadlines(BaseModel):
    response_due: datetime | None = None
    statement_due: datetime | None = None
    director_report_due: datetime | None = None


class SlaOut(BaseModel):
    response: SlaStatus | None = None
    statement: SlaStatus | None = None
    director_report: SlaStatus | None = None


class IncidentOut(BaseModel):
    id: int
    group_key: str
    brand: str
    title: str
    summary: str | None
    category: str
    severity: str
    state: str
    rule: str
    detected_at: datetime
    last_alert_at: datetime
    alert_count: int
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    responded_at: datetime | None
    resolved_at: datetime | None
    deadlines: Deadlines
    sla: SlaOut
    response_due: datetime | None = Field(description="deadlines.response_due, kept for older clients")
    post_keys: list[str]
    timers: list[TimerOut]

    @classmethod
    def of(cls, incident: Incident, now: datetime) -> IncidentOut:
        timers = [
            TimerOut(
                kind=t.kind,
                started_at=t.started_at,
                due_at=t.due_at,
                met_at=t.met_at,
                met_by=t.met_by,
                breached_at=t.breached_at,
                cancelled_at=t.cancelled_at,
                status=sla_status(t.due_at, t.met_at, t.cancelled_at, now),  # type: ignore[arg-type]
            )
            for t in incident.timers
        ]
        # a clock stopped because the severity fell no longer applies; one closed at resolution
        # keeps its deadline (a fact of the case), its status null unless it was met or breached
        closed = {t.kind for t in incident.timers if (t.progress or {}).get("closed") == "resolved"}
        applies = {t.kind: t for t in timers if t.status is not None or t.kind in closed}
        deadlines = Deadlines(**{f"{k}_due": applies[k].due_at for k in CLOCKS if k in applies})
        return cls(
            id=incident.id,
            group_key=incident.group_key,
            brand=incident.brand,
            title=incident.title,
            summary=incident.summary,
            category=incident.category,
            severity=incident.severity,
            state=incident.state,
            rule=incident.rule,
            detected_at=incident.detected_at,
            last_alert_at=incident.last_alert_at,
            alert_count=incident.alert_count,
            acknowledged_at=incident.acknowledged_at,
            acknowledged_by=incident.acknowledged_by,
            responded_at=incident.responded_at,
            resolved_at=incident.resolved_at,
            deadlines=deadlines,
            sla=SlaOut(**{k: applies[k].status for k in CLOCKS if k in applies}),
            response_due=deadlines.response_due,
            post_keys=[p.post_key for p in incident.posts],
            timers=timers,
        )


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=255)
    severity: Severity
    summary: str | None = Field(default=None, max_length=5000)
    post_ids: list[str] = Field(default_factory=list, max_length=500, description="post keys, source:post_id")
    brand: str | None = Field(default=None, max_length=128, description="default: the only configured brand")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(min_length=1, max_length=5000)


class OptionalNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str | None = Field(default=None, max_length=5000)


class SeverityIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    severity: Severity
    reason: str | None = Field(default=None, max_length=1000)


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=20_000)


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: str | None = Field(default=None, max_length=5000)


class StatementOut(BaseModel):
    id: int
    incident_id: int
    version: int
    text: str
    content_hash: str
    state: str
    author: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewer: str | None
    reviewed_at: datetime | None
    review_comment: str | None
    approved_hash: str | None
    published_by: str | None
    published_at: datetime | None
    statement_due: datetime | None = None

    @classmethod
    def of(cls, s: Statement) -> StatementOut:
        fields = {name: getattr(s, name) for name in cls.model_fields if name != "statement_due"}
        due = next((t.due_at for t in s.incident.timers if t.kind == "statement"), None)
        return cls(**fields, statement_due=due)


class TimelineEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    kind: str
    details: dict[str, Any]
    hash: str


class TimelineOut(BaseModel):
    incident_id: int
    items: list[TimelineEntryOut]
    intact: bool = Field(description="the hash chain verifies from the first entry to the last")


class NotificationOut(BaseModel):
    id: int
    incident_id: int
    recipient: str
    reason: str
    channel: str
    title: str
    severity: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class SilenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    matchers: dict[str, str] = Field(min_length=1, description="labels: brand, rule, category, severity, group_key")
    minutes: float = Field(gt=0, le=60 * 24 * 90, description="how long it lasts from now")
    comment: str = Field(min_length=1, max_length=500)


class SilenceOut(BaseModel):
    id: int
    matchers: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    comment: str
    created_by: str
    created_at: datetime
    hits: int
    active: bool


class PostOut(Post):
    """A stored post as the API shows it, with its store key."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def key(self) -> str:
        return f"{self.source}:{self.post_id}"
