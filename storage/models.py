"""Tables of the workflow database (users, incidents, timers).

Relational and transactional: SQLite by default, PostgreSQL when deployed.
Every change to these tables goes through an Alembic migration in
``migrations/versions``; ``tests/storage/test_migrations.py`` checks that the
models and the migrations agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, String, UniqueConstraint
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


class Incident(Base):
    """A crisis case: the alerts that share a group key (for now, the brand)."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_key: Mapped[str] = mapped_column(String(255), index=True)
    brand: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(255))
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(64))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_alert_at: Mapped[datetime] = mapped_column(UTCDateTime())
    alert_count: Mapped[int] = mapped_column(Integer)

    posts: Mapped[list[IncidentPost]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentPost.added_at"
    )
    timers: Mapped[list[Timer]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="Timer.due_at"
    )


class IncidentPost(Base):
    """A post that raised an alert in an incident; a post joins an incident once."""

    __tablename__ = "incident_posts"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    post_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="posts")


class Timer(Base):
    """A deadline of an incident (an SLA clock); ``met_at``/``fired_at`` close it."""

    __tablename__ = "timers"
    __table_args__ = (UniqueConstraint("incident_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    incident: Mapped[Incident] = relationship(back_populates="timers")


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
