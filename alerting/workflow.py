"""What people do to an incident: acknowledge, respond, report to the director, resolve,
change the severity, raise one by hand. Each action checks the state, writes the
timeline and stops the clock it meets, in one transaction.

States: triggered -> acknowledged -> responded -> resolved. Responding without an
explicit acknowledgement is allowed (the response implies it); resolving needs a
response first. The director acknowledges a major crisis in any open state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from yuqing.clock import Clock
from yuqing.storage.models import Incident, Timer

from . import timeline
from .errors import Conflict, Invalid, NotFound
from .incidents import OPEN_STATES, IncidentService, get_incident
from .sla import SEVERITIES

T = TypeVar("T")

TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    # action: (states it is allowed from, the state it leads to; None = unchanged)
    "ack": (("triggered",), "acknowledged"),
    "respond": (("triggered", "acknowledged"), "responded"),
    "resolve": (("responded",), "resolved"),
    "director_ack": (OPEN_STATES, None),
    "severity": (OPEN_STATES, None),
}

STATE_LABELS = {"triggered": "待确认", "acknowledged": "已确认", "responded": "已回应", "resolved": "已解决"}


def check_transition(action: str, state: str) -> str:
    """The state after ``action``, or Conflict with a readable reason."""
    allowed_from, to = TRANSITIONS[action]
    if state not in allowed_from:
        raise Conflict(f"cannot {action.replace('_', '-')} an incident that is {state}")
    return to or state


def meet(incident: Incident, kind: str, at: datetime, actor: str) -> Timer | None:
    """Stop a running clock; returns it, or None when the incident has no such clock running."""
    for timer in incident.timers:
        if timer.kind == kind and timer.met_at is None and timer.cancelled_at is None:
            timer.met_at, timer.met_by, timer.next_at = at, actor, None
            return timer
    return None


class Workflow:
    def __init__(self, sessions: sessionmaker[Session], incidents: IncidentService, clock: Clock) -> None:
        self._sessions = sessions
        self.incidents = incidents
        self.clock = clock

    def _act(self, incident_id: int, fn: Callable[[Session, Incident, datetime], T]) -> T:
        with self.incidents.lock, self._sessions.begin() as session:
            incident = get_incident(session, incident_id)
            if incident is None:
                raise NotFound(f"no incident {incident_id}")
            result = fn(session, incident, self.clock.now())
        self.incidents.on_change(incident_id)
        return result

    def create(
        self, actor: str, *, title: str, severity: str, brand: str, summary: str | None, post_keys: Sequence[str]
    ) -> int:
        if severity not in SEVERITIES:
            raise Invalid(f"severity must be one of {', '.join(SEVERITIES)}")
        with self.incidents.lock, self._sessions.begin() as session:
            incident = self.incidents.open_manual(
                session, title=title, severity=severity, brand=brand, summary=summary,
                post_keys=post_keys, actor=actor, at=self.clock.now(),
            )  # fmt: skip
        self.incidents.on_change(incident.id)
        return incident.id

    def ack(self, incident_id: int, actor: str) -> None:
        def do(session: Session, incident: Incident, now: datetime) -> None:
            incident.state = check_transition("ack", incident.state)
            incident.acknowledged_at, incident.acknowledged_by = now, actor
            timeline.record(session, incident.id, "acknowledged", now, actor=actor)

        self._act(incident_id, do)

    def respond(self, incident_id: int, actor: str, note: str) -> None:
        def do(session: Session, incident: Incident, now: datetime) -> None:
            incident.state = check_transition("respond", incident.state)
            incident.responded_at = now
            if incident.acknowledged_at is None:
                incident.acknowledged_at, incident.acknowledged_by = now, actor
            timer = meet(incident, "response", now, actor)
            timeline.record(
                session, incident.id, "responded", now, actor=actor, note=note,
                clock_met="response" if timer else None, late=bool(timer and now > timer.due_at),
            )  # fmt: skip

        self._act(incident_id, do)

    def director_ack(self, incident_id: int, actor: str) -> None:
        def do(session: Session, incident: Incident, now: datetime) -> None:
            check_transition("director_ack", incident.state)
            timer = meet(incident, "director_report", now, actor)
            if timer is None:
                raise Conflict(
                    "this incident has no director report waiting (it is not a major crisis, or it was acknowledged)"
                )
            timeline.record(session, incident.id, "director_acknowledged", now, actor=actor, late=now > timer.due_at)

        self._act(incident_id, do)

    def resolve(self, incident_id: int, actor: str, note: str | None) -> None:
        def do(session: Session, incident: Incident, now: datetime) -> None:
            incident.state = check_transition("resolve", incident.state)
            incident.resolved_at = now
            closed = []
            for timer in incident.timers:
                if timer.met_at is None and timer.cancelled_at is None:
                    timer.cancelled_at, timer.next_at = now, None
                    timer.progress = {**(timer.progress or {}), "closed": "resolved"}
                    closed.append(timer.kind)
            timeline.record(session, incident.id, "resolved", now, actor=actor, note=note, clocks_closed=closed)

        self._act(incident_id, do)

    def set_severity(self, incident_id: int, actor: str, severity: str, reason: str | None) -> None:
        if severity not in SEVERITIES:
            raise Invalid(f"severity must be one of {', '.join(SEVERITIES)}")

        def do(session: Session, incident: Incident, now: datetime) -> None:
            check_transition("severity", incident.state)
            if incident.severity == severity:
                raise Conflict(f"the incident is {severity} already")
            self.incidents.change_severity(session, incident, severity, now, actor=actor)
            if reason:
                timeline.record(session, incident.id, "note", now, actor=actor, note=reason)

        self._act(incident_id, do)
