"""Source health: each crawl's verdict kept per source, with backoff and alerts.

A failing source (blocked, login wall, markup changed, unreachable) waits
exponentially longer before its next crawl (interval × 2^failures, at most
``MAX_BACKOFF``), and each failed crawl raises a source alert, so a silent
block is never read as "no results".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.alerting.rules import Alert
from yuqing.storage.models import SourceHealth

from .classify import Outcome, Verdict

MAX_BACKOFF = timedelta(hours=6)

OUTCOME_LABELS = {
    Outcome.OK: "正常",
    Outcome.EMPTY: "无新内容",
    Outcome.BLOCKED: "被封禁",
    Outcome.LOGIN_REQUIRED: "需要登录",
    Outcome.LAYOUT_CHANGED: "页面结构变化",
    Outcome.UNREACHABLE: "无法访问",
}


def backoff(interval: timedelta, failures: int) -> timedelta:
    """The wait before the next crawl after ``failures`` failed crawls in a row."""
    if failures <= 0:
        return interval
    return min(interval * 2**failures, max(MAX_BACKOFF, interval))


def health_alert(source: str, verdict: Verdict, at: datetime) -> Alert | None:
    if verdict.outcome.healthy:
        return None
    label = OUTCOME_LABELS[verdict.outcome]
    return Alert(
        rule="source_health",
        brand="",
        group_key=f"source:{source}",
        title=f"信源异常：{source} {label}（{verdict.reason}）",
        severity="general",
        at=at,
        category="source",
    )


class HealthBook:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, source: str, verdict: Verdict, items: int, at: datetime, interval: timedelta) -> SourceHealth:
        with self._sessions.begin() as session:
            row = session.get(SourceHealth, source)
            if row is None:
                row = SourceHealth(source=source, failures=0, last_items=0, reason="", status="", last_run_at=at)
                session.add(row)
            row.status = verdict.outcome.value
            row.reason = verdict.reason[:500]
            row.last_run_at = at
            row.last_items = items
            if items:
                row.last_item_at = at
            if verdict.outcome.healthy:
                row.failures = 0
                row.failing_since = None
                row.last_success_at = at
            else:
                row.failures += 1
                row.failing_since = row.failing_since or at
            row.next_run_at = at + backoff(interval, row.failures)
            session.flush()
            session.expunge(row)
            return row

    def get(self, source: str) -> SourceHealth | None:
        with self._sessions() as session:
            return session.get(SourceHealth, source)

    def all(self) -> list[SourceHealth]:
        with self._sessions() as session:
            return list(session.scalars(select(SourceHealth).order_by(SourceHealth.source)))
