"""Incidents: alerts grouped by key, with their SLA deadlines."""

from __future__ import annotations

import threading
from typing import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from yuqing.storage.models import Incident, IncidentPost, Timer

from .rules import Alert
from .sla import SEVERITIES, SlaPolicy

OPEN_STATES = ("triggered", "acknowledged", "responded")


class IncidentService:
    """Opens an incident for a new group key, or adds the alert to the open one.

    A post counts once per incident, so crawling the same post again neither
    raises the count nor pages anyone; a graver alert escalates the incident's
    severity (the risk step's suggestion, see ``nlp/risk.py``); an alert about no post (a source that
    is blocked) raises the count each time it fires. Alerts are applied one batch at a time
    per process (a lock), so two crawls cannot open two incidents for one brand.
    """

    def __init__(self, sessions: sessionmaker[Session], policies: Sequence[SlaPolicy]) -> None:
        self._sessions = sessions
        self.policies = list(policies)
        self._lock = threading.Lock()

    def apply(self, alerts: Sequence[Alert]) -> list[int]:
        """Record the alerts; returns the ids of incidents opened or extended."""
        touched: list[int] = []
        if not alerts:
            return touched
        post_keys: dict[str, set[str]] = {}  # group key -> the post keys of this batch's alerts
        for alert in alerts:
            if alert.post_key is not None:
                post_keys.setdefault(alert.group_key, set()).add(alert.post_key)
        with self._lock, self._sessions.begin() as session:
            # per group key, looked up once a batch: its open incident and which posts it has
            open_by_key: dict[str, Incident | None] = {}
            has: dict[str, set[str]] = {}
            for alert in alerts:
                key = alert.group_key
                if key not in open_by_key:
                    open_by_key[key] = self._open_incident(session, key)
                    found = open_by_key[key]
                    has[key] = self._posts_in(session, found.id, post_keys.get(key, set())) if found else set()
                incident = open_by_key[key]
                if incident is None:
                    incident = open_by_key[key] = self._open(session, alert)
                    session.flush()  # for its id
                elif alert.post_key is None or alert.post_key not in has[key]:
                    incident.alert_count += 1
                    incident.last_alert_at = max(incident.last_alert_at, alert.at)
                    if alert.post_key is not None:
                        session.add(IncidentPost(incident=incident, post_key=alert.post_key, added_at=alert.at))
                    self._escalate(incident, alert)
                else:
                    continue
                if alert.post_key is not None:
                    has[key].add(alert.post_key)
                if incident.id not in touched:
                    touched.append(incident.id)
        return touched

    @staticmethod
    def _open_incident(session: Session, group_key: str) -> Incident | None:
        return session.scalar(
            select(Incident)
            .where(Incident.group_key == group_key, Incident.state.in_(OPEN_STATES))
            .order_by(Incident.id.desc())
            .limit(1)
        )

    @staticmethod
    def _posts_in(session: Session, incident_id: int, post_keys: set[str]) -> set[str]:
        """Which of ``post_keys`` the incident has already."""
        found: set[str] = set()
        keys = sorted(post_keys)
        for i in range(0, len(keys), 500):
            found.update(
                session.scalars(
                    select(IncidentPost.post_key).where(
                        IncidentPost.incident_id == incident_id, IncidentPost.post_key.in_(keys[i : i + 500])
                    )
                )
            )
        return found

    def _escalate(self, incident: Incident, alert: Alert) -> None:
        """A graver alert raises the incident's severity (never lowers it) and starts the
        deadlines that the new severity has and the old one had not."""
        if _rank(alert.severity) <= _rank(incident.severity):
            return
        old, incident.severity = incident.severity, alert.severity
        kinds = {t.kind for t in incident.timers}
        for policy in self.policies:
            if (
                policy.kind not in kinds
                and policy.applies_to(alert.severity, alert.category)
                and not policy.applies_to(old, alert.category)
            ):
                incident.timers.append(Timer(kind=policy.kind, due_at=alert.at + policy.due_after))

    def _open(self, session: Session, alert: Alert) -> Incident:
        incident = Incident(
            group_key=alert.group_key,
            brand=alert.brand,
            title=alert.title[:255],
            severity=alert.severity,
            state="triggered",
            rule=alert.rule,
            detected_at=alert.at,
            last_alert_at=alert.at,
            alert_count=1,
        )
        if alert.post_key is not None:
            incident.posts.append(IncidentPost(post_key=alert.post_key, added_at=alert.at))
        for policy in self.policies:
            if policy.applies_to(alert.severity, alert.category):
                incident.timers.append(Timer(kind=policy.kind, due_at=alert.at + policy.due_after))
        session.add(incident)
        return incident


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _filters(open_only: bool, brand: str | None) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if open_only:
        filters.append(Incident.state.in_(OPEN_STATES))
    if brand:
        filters.append(Incident.brand == brand)
    return filters


def list_incidents(
    session: Session, *, open_only: bool = False, brand: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[Incident], int]:
    """Incidents, newest first, and how many match in all."""
    filters = _filters(open_only, brand)
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
