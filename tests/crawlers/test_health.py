"""Source health records, backoff, source alerts and the seen-items memory,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support import dispatcher_for
from yuqing.alerting.incidents import IncidentService, list_incidents
from yuqing.alerting.sla import SlaPolicy
from yuqing.clock import FixedClock
from yuqing.crawlers.classify import Outcome, Verdict
from yuqing.crawlers.health import MAX_BACKOFF, HealthBook, backoff, health_alert
from yuqing.crawlers.seen import DatabaseSeen, MemorySeen, fresh
from yuqing.storage.database import migrate, session_factory

BLOCKED = Verdict(Outcome.BLOCKED, "HTTP 418 (Weibo throttling) at https://m.weibo.cn/api/container/getIndex")
EMPTY = Verdict(Outcome.EMPTY, "no results")
OK = Verdict(Outcome.OK, "5 posts")


@pytest.fixture
def sessions(workflow_engine):
    migrate(workflow_engine)
    return session_factory(workflow_engine)


def test_backoff_doubles_and_stops_at_the_cap() -> None:
    hour = timedelta(hours=1)
    assert [backoff(hour, n) for n in range(4)] == [hour, 2 * hour, 4 * hour, MAX_BACKOFF]
    assert backoff(timedelta(hours=12), 5) == timedelta(hours=12)  # never shorter than the interval


def test_health_record_tracks_failures_and_recovery(sessions, now) -> None:
    book = HealthBook(sessions)
    interval = timedelta(minutes=15)
    first = book.record("weibo", BLOCKED, 0, now, interval)
    assert (first.status, first.failures, first.failing_since, first.last_success_at) == ("blocked", 1, now, None)
    assert first.next_run_at == now + 2 * interval
    second = book.record("weibo", BLOCKED, 0, now + timedelta(minutes=30), interval)
    assert (second.failures, second.failing_since) == (2, now)
    assert second.next_run_at == now + timedelta(minutes=30) + 4 * interval
    back = book.record("weibo", EMPTY, 0, now + timedelta(hours=2), interval)
    assert (back.status, back.failures, back.failing_since) == ("empty", 0, None)
    assert back.last_success_at == now + timedelta(hours=2)
    assert back.next_run_at == now + timedelta(hours=2) + interval
    assert [h.source for h in book.all()] == ["weibo"]
    assert book.get("weibo").reason == "no results"


def test_only_failures_raise_a_source_alert(now) -> None:
    assert health_alert("weibo", OK, now) is None
    assert health_alert("weibo", EMPTY, now) is None
    alert = health_alert("weibo", BLOCKED, now)
    assert alert.group_key == "source:weibo" and alert.category == "source" and alert.post_key is None
    assert "被封禁" in alert.title and "418" in alert.title


def test_source_alerts_group_count_and_start_no_crisis_clock(sessions, now) -> None:
    service = IncidentService(
        sessions, [SlaPolicy(kind="response", due_after=timedelta(hours=2))], dispatcher_for(sessions)
    )
    [a] = service.apply([health_alert("weibo", BLOCKED, now)])
    [b] = service.apply([health_alert("weibo", BLOCKED, now + timedelta(minutes=30))])
    assert a == b
    with sessions() as session:
        [incident], _ = list_incidents(session)
        assert incident.alert_count == 2 and incident.timers == [] and incident.posts == []


@pytest.mark.parametrize("kind", ["memory", "database"])
def test_seen_items_tell_new_and_changed_from_known(kind, sessions, now) -> None:
    seen = MemorySeen() if kind == "memory" else DatabaseSeen(sessions, FixedClock(now))
    assert fresh(seen, "discuz", {"101": "3", "102": "0"}) == {"101", "102"}
    seen.remember("discuz", {"101": "3", "102": "0"})
    assert fresh(seen, "discuz", {"101": "3", "102": "0", "103": "1"}) == {"103"}
    assert fresh(seen, "discuz", {"101": "4"}) == {"101"}  # more replies: follow it again
    assert fresh(seen, "tieba", {"101": "3"}) == {"101"}  # per source
    seen.remember("discuz", {"101": "4"})
    assert fresh(seen, "discuz", {"101": "4"}) == set()
