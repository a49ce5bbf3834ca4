"""SLA policies and their escalation schedules: pure functions of the clock's progress.

A policy is a deadline ``due_after`` the incident's detection (or the moment it
became grave enough), with escalation steps at shares of that window: 0 is at
once, 0.75 is 75 % of the time used, 1 is the deadline. A step may repeat every
N minutes until the clock is met (the director is re-notified of a major crisis
until they acknowledge). The breach itself is a step of every clock, at 1.

``due_firings`` says which steps are due at ``now`` given what has fired; the
ticker (``alerting/ticker.py``) acts on them and stores the new progress in the
same transaction, so a step never fires twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import get_args

from yuqing.settings import ClockSettings, Settings, Severity

SEVERITIES: tuple[str, ...] = get_args(Severity)
SEVERITY_LABELS = {"general": "一般", "serious": "较大", "major": "重大"}
CLOCK_LABELS = {"response": "响应", "statement": "官方声明", "director_report": "总监报告"}
BREACH = "breach"


@dataclass(frozen=True)
class Step:
    at: float
    notify: tuple[str, ...]
    repeat: timedelta | None = None

    @property
    def kind(self) -> str:
        """What the timeline calls it: a warning before the deadline, an escalation at once or after."""
        return "warning" if 0 < self.at < 1 else "escalation"


@dataclass(frozen=True)
class SlaPolicy:
    """A deadline ``due_after`` the start, for incidents of these severities and alert
    categories (brand crises by default, not crawler trouble)."""

    kind: str
    due_after: timedelta
    severities: tuple[str, ...] = SEVERITIES
    categories: tuple[str, ...] = ("brand",)
    steps: tuple[Step, ...] = ()

    def applies_to(self, severity: str, category: str = "brand") -> bool:
        return severity in self.severities and category in self.categories

    @classmethod
    def from_settings(cls, kind: str, clock: ClockSettings) -> SlaPolicy:
        return cls(
            kind=kind,
            due_after=timedelta(hours=clock.hours),
            severities=tuple(clock.severities),
            steps=tuple(
                Step(
                    at=s.at,
                    notify=tuple(s.notify),
                    repeat=timedelta(minutes=s.repeat_minutes) if s.repeat_minutes else None,
                )
                for s in sorted(clock.escalation, key=lambda s: s.at)
            ),
        )


def policies_from_settings(settings: Settings) -> list[SlaPolicy]:
    sla = settings.sla
    return [
        SlaPolicy.from_settings("response", sla.response),
        SlaPolicy.from_settings("statement", sla.statement),
        SlaPolicy.from_settings("director_report", sla.director_report),
    ]


@dataclass(frozen=True)
class Firing:
    """One step firing: ``step`` is the step's index (or ``BREACH``), ``n`` its repeat count."""

    step: int | str
    n: int
    at: datetime
    skipped: bool = False  # superseded by a later step that is also due (the service was down)


@dataclass
class Schedule:
    firings: list[Firing] = field(default_factory=list)
    progress: dict[str, int] = field(default_factory=dict)
    next_at: datetime | None = None


def _step_time(policy: SlaPolicy, started: datetime, step: Step, n: int) -> datetime:
    first = started + policy.due_after * step.at
    return first + step.repeat * n if step.repeat and n else first


def due_firings(policy: SlaPolicy, started: datetime, progress: dict[str, int], now: datetime) -> Schedule:
    """The steps due at ``now`` that have not fired, the progress after firing them, and
    when the next one falls due (``None``: nothing left to fire).

    A repeating step that missed several repeats (the service was down) fires once,
    for the latest; a one-off step that a later one-off step already supersedes is
    marked ``skipped`` (recorded, not sent: a "75 % used" notice after the breach
    would only mislead).
    """
    progress = dict(progress)
    firings: list[Firing] = []
    upcoming: list[datetime] = []
    due_at = started + policy.due_after
    # the breach first: at the deadline it comes before the escalation it triggers
    if not progress.get(BREACH):
        if due_at < now:  # the deadline itself is still in time (sla_status agrees)
            firings.append(Firing(BREACH, 0, due_at))
            progress[BREACH] = 1
        else:
            upcoming.append(due_at)
    for index, step in enumerate(policy.steps):
        key = str(index)
        fired = progress.get(key, 0)
        if step.repeat is None:
            if fired:
                continue
            at = _step_time(policy, started, step, 0)
            if _reached(step, at, now):
                firings.append(Firing(index, 0, at))
                progress[key] = 1
            else:
                upcoming.append(at)
            continue
        latest = _latest_repeat(policy, started, step, now)
        if latest is not None and latest >= fired:
            firings.append(Firing(index, latest, _step_time(policy, started, step, latest)))
            progress[key] = fired = latest + 1
        upcoming.append(_step_time(policy, started, step, fired))
    firings.sort(key=lambda f: (f.at, f.step != BREACH))
    one_offs = [f for f in firings if f.step != BREACH and policy.steps[int(f.step)].repeat is None]
    if len(one_offs) > 1:
        keep = one_offs[-1]
        firings = [Firing(f.step, f.n, f.at, skipped=True) if f in one_offs and f is not keep else f for f in firings]
    return Schedule(firings, progress, min(upcoming) if upcoming else None)


def _reached(step: Step, at: datetime, now: datetime) -> bool:
    """A step before the deadline fires at its time; one at or after it, once the time has passed
    (a response at the very deadline is in time, so nothing escalates at that instant)."""
    return at < now if step.at >= 1 else at <= now


def _latest_repeat(policy: SlaPolicy, started: datetime, step: Step, now: datetime) -> int | None:
    first = _step_time(policy, started, step, 0)
    if not _reached(step, first, now):
        return None
    assert step.repeat is not None
    return int((now - first) / step.repeat)


def sla_status(due_at: datetime, met_at: datetime | None, cancelled_at: datetime | None, now: datetime) -> str | None:
    """``met`` (in time), ``breached`` (met late, or past due), ``pending``; ``None`` for a clock
    that stopped applying before it was met or breached."""
    if met_at is not None:
        return "met" if met_at <= due_at else "breached"
    end = cancelled_at or now
    if end > due_at:
        return "breached"
    return None if cancelled_at is not None else "pending"
