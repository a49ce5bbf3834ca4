"""The SLA ticker: fires the escalation steps that fell due, runs the watch rules, delivers notices.

One ``tick(now)`` does it all, and is safe to repeat: each timer's firings and
its new progress are written in one transaction (``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL, SQLite's single writer otherwise), so a step fires once
whatever crashes or restarts happen around it. On start, the first tick handles
every deadline that passed while the service was down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from yuqing.storage.models import Incident, Timer

from . import messages, timeline
from .dispatch import Dispatcher, Notice
from .incidents import IncidentService
from .rules import Alert
from .sla import BREACH, SlaPolicy, due_firings

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    timers: int = 0
    firings: int = 0
    alerts: int = 0
    sent: int = 0
    incidents: list[int] = field(default_factory=list)


@dataclass
class Watch:
    """A rule checked every ``every`` (simulated) rather than on each post: a spike, a silent source."""

    name: str
    every: timedelta
    check: Callable[[datetime], list[Alert]]
    last: datetime | None = None


class Ticker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        policies: Sequence[SlaPolicy],
        incidents: IncidentService,
        dispatcher: Dispatcher,
        watches: Sequence[Watch] = (),
        batch: int = 200,
    ) -> None:
        self._sessions = sessions
        self.policies = {p.kind: p for p in policies}
        self.incidents = incidents
        self.dispatcher = dispatcher
        self.watches = list(watches)
        self.batch = batch

    def tick(self, now: datetime) -> TickReport:
        report = TickReport()
        self.fire_timers(now, report)
        self.run_watches(now, report)
        report.sent = self.dispatcher.deliver(now)
        return report

    def fire_timers(self, now: datetime, report: TickReport) -> None:
        while True:
            with self.incidents.lock, self._sessions.begin() as session:
                timers = list(
                    session.scalars(
                        select(Timer)
                        .where(Timer.next_at <= now, Timer.met_at.is_(None), Timer.cancelled_at.is_(None))
                        .order_by(Timer.next_at, Timer.id)
                        .limit(self.batch)
                        .with_for_update(skip_locked=True)
                        .options(selectinload(Timer.incident))
                    )
                )
                timeline.preload(session, (t.incident_id for t in timers))
                for timer in timers:
                    report.firings += self._fire(session, timer, now)
            report.timers += len(timers)
            if len(timers) < self.batch:
                return

    def _fire(self, session: Session, timer: Timer, now: datetime) -> int:
        policy = self.policies.get(timer.kind)
        if policy is None:  # a clock whose policy was removed from the config: stop looking at it
            timer.next_at = None
            return 0
        incident = timer.incident
        schedule = due_firings(policy, timer.started_at, timer.progress or {}, now)
        for firing in schedule.firings:
            if firing.step == BREACH:
                timer.breached_at = firing.at
                timeline.record(session, incident.id, "breach", now, clock=timer.kind, due_at=timer.due_at)
                continue
            step = policy.steps[int(firing.step)]
            timeline.record(
                session, incident.id, step.kind, now, clock=timer.kind, step=firing.step, repeat=firing.n,
                notify=list(step.notify), scheduled_at=firing.at, due_at=timer.due_at, skipped=firing.skipped,
            )  # fmt: skip
            if not firing.skipped:
                self._notify(session, incident, timer, firing.step, firing.n, step.kind, step.notify, now)
        timer.progress = schedule.progress
        timer.next_at = schedule.next_at
        return len(schedule.firings)

    def _notify(
        self, session: Session, incident: Incident, timer: Timer, step: int | str, n: int,
        kind: str, roles: Sequence[str], now: datetime,
    ) -> None:  # fmt: skip
        if timer.kind == "director_report" and now < timer.due_at:
            title, text = messages.director_report(incident.id, incident.severity, incident.title, timer.due_at, n)
        else:
            title, text = messages.clock_step(
                incident.id, incident.severity, incident.title, timer.kind, kind, timer.due_at, now
            )
        # a clock that runs again (lowered, then raised to major again) is a new run: new reasons
        run = (timer.progress or {}).get("run", 0)
        clock = f"{timer.kind}#{run}" if run else timer.kind
        notice = Notice(incident.id, f"{clock}:{step}:{n}", tuple(roles), incident.severity, title, text)
        self.dispatcher.enqueue(session, notice, now)

    def run_watches(self, now: datetime, report: TickReport) -> None:
        for watch in self.watches:
            if watch.last is not None and now - watch.last < watch.every:
                continue
            watch.last = now
            try:
                alerts = watch.check(now)
            except Exception:  # one broken rule must not stop the clocks
                log.exception("watch rule %s failed", watch.name)
                continue
            report.alerts += len(alerts)
            report.incidents.extend(self.incidents.apply(alerts))
