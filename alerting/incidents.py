"""Incidents: alerts grouped by key, their SLA clocks, and the notices they start.

``IncidentService.apply`` is the grouping stage of the pipeline:

* an alert whose group key (brand + event) has an open incident joins it: the
  count rises and the timeline grows, nobody is paged again; a post counts once;
* a silenced alert (``alerting/silences.py``) joins quietly, or is dropped when
  its group has no open incident;
* an inhibited alert (a per-post alert, lesser than 重大, while its brand has an
  open 重大 incident: Alertmanager's inhibition with ``equal: [brand]``) opens
  nothing: it is written into the major incident's timeline;
* otherwise it opens an incident, starts the clocks its severity and category
  call for, and notifies the brand team.

Manual incidents (raised by a person) go through ``open_manual``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from yuqing.storage.models import Incident, IncidentPost, Silence, TimelineEntry, Timer

from . import messages, silences, timeline
from .dispatch import Dispatcher, Notice
from .rules import Alert
from .sla import SEVERITIES, SlaPolicy

OPEN_STATES = ("triggered", "acknowledged", "responded")
BRAND_TEAM = ("brand", "brand_lead")
OPERATORS = ("admin",)


def rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def sync_timers(incident: Incident, policies: Sequence[SlaPolicy], at: datetime) -> list[str]:
    """Start the clocks the incident's severity and category now call for (from ``at``) and
    cancel the open ones that no longer apply; returns what changed, for the timeline."""
    by_kind = {t.kind: t for t in incident.timers}
    changes: list[str] = []
    for policy in policies:
        applies = policy.applies_to(incident.severity, incident.category)
        timer = by_kind.get(policy.kind)
        running = timer is not None and timer.met_at is None and timer.cancelled_at is None
        if applies and timer is None:
            incident.timers.append(
                Timer(kind=policy.kind, started_at=at, due_at=at + policy.due_after, progress={}, next_at=at)
            )
            changes.append(f"started:{policy.kind}")
        elif applies and timer is not None and timer.cancelled_at is not None:
            run = (timer.progress or {}).get("run", 0) + 1  # its notices need reasons of their own
            timer.started_at, timer.due_at, timer.progress, timer.next_at = at, at + policy.due_after, {"run": run}, at
            timer.cancelled_at = timer.breached_at = None
            changes.append(f"started:{policy.kind}")
        elif not applies and running:
            assert timer is not None
            timer.cancelled_at, timer.next_at = at, None
            changes.append(f"cancelled:{policy.kind}")
    return changes


class IncidentService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        policies: Sequence[SlaPolicy],
        dispatcher: Dispatcher,
        *,
        inhibit: bool = True,
        on_change: Callable[[int], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self.policies = list(policies)
        self.dispatcher = dispatcher
        self.inhibit = inhibit
        self.on_change = on_change or (lambda _incident_id: None)
        self.lock = threading.Lock()

    def apply(self, alerts: Sequence[Alert]) -> list[int]:
        """Record the alerts; returns the ids of incidents opened or extended."""
        touched: list[int] = []
        if not alerts:
            return touched
        with self.lock, self._sessions.begin() as session:
            batch = _Batch(session)
            mutes = silences.active(session, max(a.at for a in alerts))
            for alert in alerts:
                incident = self._apply_one(session, batch, mutes, alert)
                if incident is not None and incident.id not in touched:
                    touched.append(incident.id)
        for incident_id in touched:
            self.on_change(incident_id)
        return touched

    def _apply_one(self, session: Session, batch: _Batch, mutes: list[Silence], alert: Alert) -> Incident | None:
        incident = batch.open_incident(alert.group_key)
        silence = silences.silencing(mutes, alert)
        if silence is not None:
            silence.hits += 1
        if incident is not None:
            return self._join(session, batch, incident, alert, silence)
        if silence is not None or batch.closed_with(alert):
            return None  # muted; or a re-crawled post of an incident that is over
        if self.inhibit and alert.post_key is not None and alert.category == "brand" and alert.severity != "major":
            major = batch.open_major(alert.brand)
            if major is not None:
                if batch.inhibit(major, alert.post_key):
                    timeline.record(
                        session, major.id, "inhibited", alert.at, rule=alert.rule, title=alert.title,
                        post_key=alert.post_key, group_key=alert.group_key, severity=alert.severity,
                    )  # fmt: skip
                return None
        incident = self._open(session, alert)
        batch.opened(incident)
        return incident

    def _join(
        self, session: Session, batch: _Batch, incident: Incident, alert: Alert, silence: Silence | None
    ) -> Incident | None:
        if alert.post_key is not None:
            if alert.post_key in batch.posts_of(incident):
                return None
            session.add(IncidentPost(incident=incident, post_key=alert.post_key, added_at=alert.at))
            batch.posts_of(incident).add(alert.post_key)
        incident.alert_count += 1
        incident.last_alert_at = max(incident.last_alert_at, alert.at)
        details = {"rule": alert.rule, "post_key": alert.post_key, "title": alert.title, "count": incident.alert_count}
        if silence is not None:
            details["silenced_by"] = silence.id
        if alert.post_key is not None or batch.worth_noting(incident, alert.at):
            timeline.record(session, incident.id, "alert", alert.at, **details)
        if silence is None and rank(alert.severity) > rank(incident.severity):
            self.change_severity(session, incident, alert.severity, alert.at, actor=f"rule:{alert.rule}")
        return incident

    def _open(self, session: Session, alert: Alert) -> Incident:
        incident = Incident(
            group_key=alert.group_key,
            brand=alert.brand,
            title=alert.title[:255],
            category=alert.category,
            severity=alert.severity,
            state="triggered",
            rule=alert.rule,
            detected_at=alert.at,
            last_alert_at=alert.at,
            alert_count=1,
        )
        if alert.post_key is not None:
            incident.posts.append(IncidentPost(post_key=alert.post_key, added_at=alert.at))
        session.add(incident)
        session.flush()
        self._opened(session, incident, alert.at, actor=f"rule:{alert.rule}", post_key=alert.post_key)
        return incident

    def open_manual(
        self,
        session: Session,
        *,
        title: str,
        severity: str,
        brand: str,
        summary: str | None,
        post_keys: Sequence[str],
        actor: str,
        at: datetime,
    ) -> Incident:
        """An incident raised by a person: its own group, the same clocks and notices."""
        incident = Incident(
            group_key=f"manual:{uuid.uuid4().hex[:12]}",
            brand=brand,
            title=title[:255],
            summary=summary,
            category="brand",
            severity=severity,
            state="triggered",
            rule="manual",
            detected_at=at,
            last_alert_at=at,
            alert_count=1,
        )
        incident.posts.extend(IncidentPost(post_key=key, added_at=at) for key in dict.fromkeys(post_keys))
        session.add(incident)
        session.flush()
        self._opened(session, incident, at, actor=actor, summary=summary, post_keys=list(post_keys))
        return incident

    def _opened(self, session: Session, incident: Incident, at: datetime, *, actor: str, **details: object) -> None:
        timeline.record(
            session, incident.id, "detected", at, actor=actor, title=incident.title,
            severity=incident.severity, category=incident.category, **details,
        )  # fmt: skip
        sync_timers(incident, self.policies, at)
        title, text = messages.opened(incident.id, incident.severity, incident.title, incident.brand, at)
        roles = BRAND_TEAM if incident.category == "brand" else OPERATORS
        self.dispatcher.enqueue(session, Notice(incident.id, "opened", roles, incident.severity, title, text), at)

    def change_severity(self, session: Session, incident: Incident, severity: str, at: datetime, *, actor: str) -> None:
        """Set the severity (a graver alert, or a person) and start or stop the clocks it calls for."""
        old, incident.severity = incident.severity, severity
        changes = sync_timers(incident, self.policies, at)
        timeline.record(
            session, incident.id, "severity_changed", at, actor=actor, old=old, new=severity, clocks=changes
        )


class _Batch:
    """Per ``apply``: each group's open incident and its posts, looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._open: dict[str, Incident | None] = {}
        self._posts: dict[int, set[str]] = {}
        self._major: dict[str, Incident | None] = {}
        self._inhibited: dict[int, set[str | None]] = {}

    def open_incident(self, group_key: str) -> Incident | None:
        if group_key not in self._open:
            self._open[group_key] = self.session.scalar(
                select(Incident)
                .where(Incident.group_key == group_key, Incident.state.in_(OPEN_STATES))
                .order_by(Incident.id.desc())
                .limit(1)
            )
        return self._open[group_key]

    def opened(self, incident: Incident) -> None:
        self._open[incident.group_key] = incident
        self._posts[incident.id] = {p.post_key for p in incident.posts}
        if incident.severity == "major" and incident.category == "brand":
            self._major[incident.brand] = incident

    def closed_with(self, alert: Alert) -> bool:
        """Whether the alert's post is in a resolved incident of its group already."""
        if alert.post_key is None:
            return False
        return (
            self.session.scalar(
                select(IncidentPost.post_key)
                .join(Incident)
                .where(Incident.group_key == alert.group_key, IncidentPost.post_key == alert.post_key)
                .limit(1)
            )
            is not None
        )

    def inhibit(self, major: Incident, post_key: str) -> bool:
        """Note a post the major incident inhibits; False when it was noted before."""
        if major.id not in self._inhibited:
            entries = self.session.scalars(
                select(TimelineEntry.details).where(
                    TimelineEntry.incident_id == major.id, TimelineEntry.kind == "inhibited"
                )
            )
            self._inhibited[major.id] = {d.get("post_key") for d in entries}
        if post_key in self._inhibited[major.id]:
            return False
        self._inhibited[major.id].add(post_key)
        return True

    def worth_noting(self, incident: Incident, at: datetime) -> bool:
        """A watch alert (a spike, a silent source) that still holds repeats every few minutes:
        it raises the count each time, but the timeline notes it at most once an hour."""
        last = self.session.scalar(
            select(func.max(TimelineEntry.at)).where(
                TimelineEntry.incident_id == incident.id, TimelineEntry.kind.in_(("alert", "detected"))
            )
        )
        return last is None or at - last >= timedelta(hours=1)

    def posts_of(self, incident: Incident) -> set[str]:
        if incident.id not in self._posts:
            self._posts[incident.id] = set(
                self.session.scalars(select(IncidentPost.post_key).where(IncidentPost.incident_id == incident.id))
            )
        return self._posts[incident.id]

    def open_major(self, brand: str) -> Incident | None:
        if brand not in self._major:
            self._major[brand] = self.session.scalar(
                select(Incident)
                .where(
                    Incident.brand == brand,
                    Incident.category == "brand",
                    Incident.severity == "major",
                    Incident.state.in_(OPEN_STATES),
                )
                .order_by(Incident.id.desc())
                .limit(1)
            )
        return self._major[brand]


def _filters(open_only: bool, brand: str | None, severity: str | None) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if open_only:
        filters.append(Incident.state.in_(OPEN_STATES))
    if brand:
        filters.append(Incident.brand == brand)
    if severity:
        filters.append(Incident.severity == severity)
    return filters


def list_incidents(
    session: Session,
    *,
    open_only: bool = False,
    brand: str | None = None,
    severity: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Incident], int]:
    """Incidents, newest first, and how many match in all."""
    filters = _filters(open_only, brand, severity)
    query = (
        select(Incident)
        .where(*filters)
        .options(selectinload(Incident.timers), selectinload(Incident.posts))
        .order_by(Incident.detected_at.desc(), Incident.id.desc())
        .limit(limit)
        .offset(offset)
    )
    total = session.scalar(select(func.count()).select_from(Incident).where(*filters)) or 0
    return list(session.scalars(query)), total


def get_incident(session: Session, incident_id: int) -> Incident | None:
    return session.scalar(
        select(Incident)
        .where(Incident.id == incident_id)
        .options(selectinload(Incident.timers), selectinload(Incident.posts))
    )
