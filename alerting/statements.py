"""Official statements: draft -> pending_legal -> approved | rejected -> published.

Sprinklr's mandatory approval, with our clock and audit trail:

* only legal approves or rejects (the role table), and never the statement's author;
* approval binds the exact text: ``approved_hash`` is its SHA-256, and publishing
  checks it again; an edit after approval puts the version back to draft;
* a rejected version stays as it was (the record of what legal refused); the
  brand team writes a new version;
* publishing meets the incident's statement clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.clock import Clock
from yuqing.storage.models import Incident, Notification, Statement

from . import messages, timeline
from .dispatch import Dispatcher, Notice
from .errors import Conflict, Forbidden, Invalid, NotFound
from .incidents import BRAND_TEAM, OPEN_STATES, get_incident
from .workflow import meet

T = TypeVar("T")

STATE_LABELS = {
    "draft": "草稿",
    "pending_legal": "待法务审核",
    "approved": "已批准",
    "rejected": "已驳回",
    "published": "已发布",
}
MAX_CHARS = 20_000


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid("a statement needs text")
    if len(text) > MAX_CHARS:
        raise Invalid(f"a statement is at most {MAX_CHARS} characters")
    return text


class Statements:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        dispatcher: Dispatcher,
        clock: Clock,
        on_change: Callable[[int], None] | None = None,
        lock: AbstractContextManager[object] | None = None,
    ) -> None:
        self._sessions = sessions
        self.dispatcher = dispatcher
        self.clock = clock
        self.on_change = on_change or (lambda _incident_id: None)
        self._lock = lock or nullcontext()  # the incident workflow's lock: publishing meets a clock

    def draft(self, incident_id: int, actor: str, text: str) -> Statement:
        """A new version (the first, or after a rejection) of the incident's statement."""
        text = _check_text(text)
        with self._lock, self._sessions.begin() as session:
            incident = get_incident(session, incident_id)
            if incident is None:
                raise NotFound(f"no incident {incident_id}")
            if incident.state not in OPEN_STATES:
                raise Conflict(f"the incident is {incident.state}")
            if any(s.state in ("draft", "pending_legal", "approved") for s in incident.statements):
                raise Conflict("a version is still in progress: edit it, or have it rejected first")
            if any(s.state == "published" for s in incident.statements):
                raise Conflict("a statement of this incident was published already")
            now = self.clock.now()
            version = (
                session.scalar(select(func.max(Statement.version)).where(Statement.incident_id == incident_id)) or 0
            ) + 1
            statement = Statement(
                incident=incident, version=version, text=text, content_hash=content_hash(text),
                state="draft", author=actor, created_at=now, updated_at=now,
            )  # fmt: skip
            session.add(statement)
            session.flush()
            timeline.record(
                session, incident.id, "statement_drafted", now, actor=actor,
                statement_id=statement.id, version=version, content_hash=statement.content_hash,
            )  # fmt: skip
        self.on_change(incident_id)
        return statement

    def _act(self, statement_id: int, fn: Callable[[Session, Statement, Incident, datetime], T]) -> T:
        with self._lock, self._sessions.begin() as session:
            statement = session.get(Statement, statement_id)
            if statement is None:
                raise NotFound(f"no statement {statement_id}")
            incident = statement.incident
            if incident.state not in OPEN_STATES:
                raise Conflict(f"the incident is {incident.state}")
            result = fn(session, statement, incident, self.clock.now())
            _ = incident.timers  # loaded for the answer's statement deadline
        self.on_change(statement.incident_id)
        return result

    def _log(self, session: Session, s: Statement, kind: str, now: datetime, actor: str, **details: object) -> None:
        timeline.record(
            session, s.incident_id, kind, now, actor=actor, statement_id=s.id, version=s.version,
            content_hash=s.content_hash, **details,
        )  # fmt: skip

    def _tell(
        self,
        session: Session,
        s: Statement,
        incident: Incident,
        what: str,
        roles: tuple[str, ...],
        by: str,
        comment: str | None,
        now: datetime,
    ) -> None:
        title, text = messages.statement(incident.id, incident.severity, s.version, what, by, comment)
        # each submission and decision is its own notice: a resubmission after an edit tells legal again
        base = f"statement:{s.id}:{what}"
        told = session.scalar(
            select(func.count(Notification.reason.distinct())).where(
                Notification.incident_id == incident.id, Notification.reason.like(base + "%")
            )
        )
        reason = f"{base}#{told + 1}" if told else base
        self.dispatcher.enqueue(session, Notice(incident.id, reason, roles, incident.severity, title, text), now)

    def edit(self, statement_id: int, actor: str, text: str) -> Statement:
        text = _check_text(text)

        def do(session: Session, s: Statement, incident: Incident, now: datetime) -> Statement:
            if s.state not in ("draft", "pending_legal", "approved"):
                raise Conflict(f"a {s.state} statement cannot be edited: write a new version")
            voided, previous = s.state != "draft", s.text
            s.text, s.content_hash, s.updated_at = text, content_hash(text), now
            s.state, s.approved_hash, s.submitted_at = "draft", None, None
            s.reviewer = s.reviewed_at = s.review_comment = None
            # the text it replaced and the new one: the record of what changed, for the diff
            self._log(
                session, s, "statement_edited", now, actor, review_voided=voided, previous_text=previous, text=text
            )
            return s

        return self._act(statement_id, do)

    def submit(self, statement_id: int, actor: str) -> Statement:
        def do(session: Session, s: Statement, incident: Incident, now: datetime) -> Statement:
            if s.state != "draft":
                raise Conflict(f"only a draft goes to legal; this one is {s.state}")
            s.state, s.submitted_at = "pending_legal", now
            self._log(session, s, "statement_submitted", now, actor)
            self._tell(session, s, incident, "待审核", ("legal",), actor, None, now)
            return s

        return self._act(statement_id, do)

    def _review(self, statement_id: int, actor: str, comment: str | None, approve: bool) -> Statement:
        def do(session: Session, s: Statement, incident: Incident, now: datetime) -> Statement:
            if s.state != "pending_legal":
                raise Conflict(f"only a statement pending legal review can be decided; this one is {s.state}")
            if s.author == actor:
                raise Forbidden("nobody reviews their own statement")
            s.reviewer, s.reviewed_at, s.review_comment = actor, now, comment
            if approve:
                s.state, s.approved_hash = "approved", s.content_hash
            else:
                s.state = "rejected"
            self._log(
                session, s, "statement_approved" if approve else "statement_rejected", now, actor, comment=comment
            )
            self._tell(session, s, incident, "已批准" if approve else "被驳回", BRAND_TEAM, actor, comment, now)
            return s

        return self._act(statement_id, do)

    def approve(self, statement_id: int, actor: str, comment: str | None) -> Statement:
        return self._review(statement_id, actor, comment, approve=True)

    def reject(self, statement_id: int, actor: str, comment: str | None) -> Statement:
        if not (comment or "").strip():
            raise Invalid("a rejection needs a comment: tell the author what to change")
        return self._review(statement_id, actor, comment, approve=False)

    def publish(self, statement_id: int, actor: str) -> Statement:
        def do(session: Session, s: Statement, incident: Incident, now: datetime) -> Statement:
            if s.state != "approved":
                raise Conflict(f"only an approved statement can be published; this one is {s.state}")
            if s.approved_hash != content_hash(s.text):
                raise Conflict("the text differs from the version legal approved")
            s.state, s.published_by, s.published_at = "published", actor, now
            timer = meet(incident, "statement", now, actor)
            self._log(
                session, s, "statement_published", now, actor,
                clock_met="statement" if timer else None, late=bool(timer and now > timer.due_at),
            )  # fmt: skip
            return s

        return self._act(statement_id, do)


def statements_of(session: Session, incident_id: int) -> list[Statement]:
    return list(
        session.scalars(select(Statement).where(Statement.incident_id == incident_id).order_by(Statement.version))
    )
