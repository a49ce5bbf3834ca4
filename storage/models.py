"""Tables of the workflow database: users, incidents, their SLA timers, statements,
the notification log, the audit timeline, silences and the drill clock.

Relational and transactional: SQLite by default, PostgreSQL when deployed.
Every change to these tables goes through an Alembic migration in
``migrations/versions``; ``tests/storage/test_migrations.py`` checks that the
models and the migrations agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from yuqing.post import to_shanghai


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC (SQLite has no time zones); reads them back in Shanghai time."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the workflow database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return to_shanghai(value)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)


class Incident(Base):
    """A crisis case: the alerts that share a group key (brand + event), or one raised by hand.

    States: triggered -> acknowledged -> responded -> resolved (``alerting/workflow.py``).
    ``category`` tells a brand crisis (the SLA clocks run) from crawler trouble (``source``).
    """

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_key: Mapped[str] = mapped_column(String(255), index=True)
    brand: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str] = mapped_column(String(16), default="brand")
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_alert_at: Mapped[datetime] = mapped_column(UTCDateTime())
    alert_count: Mapped[int] = mapped_column(Integer)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    posts: Mapped[list[IncidentPost]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentPost.added_at"
    )
    timers: Mapped[list[Timer]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="Timer.due_at"
    )
    statements: Mapped[list[Statement]] = relationship(back_populates="incident", order_by="Statement.version")


class IncidentPost(Base):
    """A post that raised an alert in an incident; a post joins an incident once."""

    __tablename__ = "incident_posts"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    post_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="posts")


class Timer(Base):
    """An SLA clock of an incident, started at ``started_at``, due at ``due_at``.

    ``progress`` counts the escalation steps fired so far (``{"0": 1, "breach": 1}``) and
    ``next_at`` is when the ticker must look again (null once met or cancelled); the two
    change in the same transaction as the timeline entries and notices a step makes, so a
    step never fires twice. ``met_at`` stops it; ``cancelled_at`` ends one that no longer
    applies (the severity was lowered, the incident resolved).
    """

    __tablename__ = "timers"
    __table_args__ = (UniqueConstraint("incident_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    met_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    progress: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)

    incident: Mapped[Incident] = relationship(back_populates="timers")


class Statement(Base):
    """One version of an official statement: draft -> pending_legal -> approved | rejected -> published.

    ``approved_hash`` is the SHA-256 of the exact text legal approved; publishing checks it.
    """

    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("incident_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviewer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    review_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    approved_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    incident: Mapped[Incident] = relationship(back_populates="statements")


class TimelineEntry(Base):
    """The audit record of an incident: append-only (database triggers refuse UPDATE and DELETE).

    ``hash`` chains each entry to the one before it in the same incident
    (SHA-256 over the previous hash and this entry), so a gap or an edit shows.
    """

    __tablename__ = "timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hash: Mapped[str] = mapped_column(String(64))


class Notification(Base):
    """The notification log (Alertmanager's nflog): one row per incident, recipient and reason.

    The unique key is what keeps a retry, a second tick or a restart from sending
    the same notice twice. ``status``: pending -> sent, or failed (retried until
    ``attempts`` reaches the limit, then ``gave_up``).
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("incident_id", "recipient", "reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Silence(Base):
    """Mutes matching alerts from ``starts_at`` to ``ends_at`` (Alertmanager's silences).

    ``matchers``: label -> value (brand, rule, category, severity, group_key); all must match.
    """

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matchers: Mapped[dict[str, str]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    comment: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    hits: Mapped[int] = mapped_column(Integer, default=0)


class ClockState(Base):
    """A drill's scaled clock, kept with the data so a restarted drill goes on where it was:
    simulated now = ``origin_sim`` + (real now - ``origin_real``) × ``scale``."""

    __tablename__ = "clock_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin_real: Mapped[float] = mapped_column(Float)
    origin_sim: Mapped[float] = mapped_column(Float)
    scale: Mapped[float] = mapped_column(Float)


class SourceHealth(Base):
    """How each source's last crawl went: the record behind "blocked" vs "nothing new"."""

    __tablename__ = "source_health"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(500))
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_items: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_item_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SeenItem(Base):
    """What a source has already yielded, and in which version (e.g. its reply
    count), so a later crawl follows only what is new or has changed."""

    __tablename__ = "seen_items"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Feedback(Base):
    """A person's correction of the sentiment of a post ("wrongly classified"), kept for retraining.

    ``yuqing feedback export`` writes these as ``label,text`` rows for ``yuqing train``.
    """

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("post_key", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_key: Mapped[str] = mapped_column(String(255), index=True)
    username: Mapped[str] = mapped_column(String(64))
    predicted: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(16))
    negative_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
