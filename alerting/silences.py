"""Silences (Alertmanager's): mute alerts whose labels match, until the silence ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.storage.models import Silence

from .rules import Alert

LABELS = ("brand", "rule", "category", "severity", "group_key")


def labels(alert: Alert) -> dict[str, str]:
    return {name: str(getattr(alert, name)) for name in LABELS}


def matches(matchers: dict[str, str], alert: Alert) -> bool:
    """All matchers must equal the alert's labels; an empty silence matches nothing."""
    found = labels(alert)
    return bool(matchers) and all(found.get(k) == v for k, v in matchers.items())


def active(session: Session, now: datetime) -> list[Silence]:
    return list(session.scalars(select(Silence).where(Silence.starts_at <= now, Silence.ends_at > now)))


def silencing(silences: list[Silence], alert: Alert) -> Silence | None:
    return next((s for s in silences if matches(s.matchers, alert)), None)
