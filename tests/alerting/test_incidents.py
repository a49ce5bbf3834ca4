"""The first alert rule and the incidents it opens, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from yuqing.alerting.incidents import IncidentService, list_incidents
from yuqing.alerting.rules import NegativeBrandPost
from yuqing.alerting.sla import SlaPolicy
from yuqing.post import Analysis
from yuqing.storage.database import migrate, session_factory
from yuqing.storage.models import Incident, Timer

NEGATIVE = Analysis(brands=["星河电器"], sentiment="negative", negative_score=0.92, evidence=["漏电"])


@pytest.fixture
def sessions(workflow_engine):
    migrate(workflow_engine)
    return session_factory(workflow_engine)


@pytest.fixture
def service(sessions):
    return IncidentService(sessions, [SlaPolicy(kind="response", due_after=timedelta(hours=2))])


def alerts_for(post, now):
    return NegativeBrandPost().evaluate(post, now)


def test_rule_fires_only_on_negative_posts_about_a_brand(make_post, now) -> None:
    assert alerts_for(make_post("1", "漏电", analysis=NEGATIVE), now)[0].group_key == "brand:星河电器"
    positive = NEGATIVE.model_copy(update={"sentiment": "positive"})
    assert alerts_for(make_post("2", "好", analysis=positive), now) == []
    no_brand = NEGATIVE.model_copy(update={"brands": []})
    assert alerts_for(make_post("3", "漏电", analysis=no_brand), now) == []
    two = NEGATIVE.model_copy(update={"brands": ["星河电器", "东方家电"]})
    assert [a.brand for a in alerts_for(make_post("4", "都漏电", analysis=two), now)] == ["星河电器", "东方家电"]


def test_negative_post_opens_incident_with_two_hour_response_deadline(service, sessions, make_post, now) -> None:
    ids = service.apply(alerts_for(make_post("1", "星河热水器漏电", analysis=NEGATIVE), now))
    assert len(ids) == 1
    with sessions() as session:
        [incident], total = list_incidents(session)
        assert total == 1
        assert incident.id == ids[0]
        assert incident.brand == "星河电器" and incident.state == "triggered" and incident.severity == "general"
        assert incident.detected_at == now
        assert [(t.kind, t.due_at) for t in incident.timers] == [("response", now + timedelta(hours=2))]
        assert incident.timers[0].due_at.utcoffset() == timedelta(hours=8)
        assert "星河热水器漏电" in incident.title


def test_more_posts_join_the_open_incident_and_repeats_count_once(service, sessions, make_post, now) -> None:
    first = make_post("1", "漏电", analysis=NEGATIVE)
    second = make_post("2", "又漏电", analysis=NEGATIVE)
    [a] = service.apply(alerts_for(first, now))
    [b] = service.apply(alerts_for(second, now + timedelta(minutes=5)))
    assert service.apply(alerts_for(first, now + timedelta(minutes=9))) == []  # the same post again
    assert a == b
    with sessions() as session:
        [incident] = session.scalars(select(Incident)).all()
        assert incident.alert_count == 2
        assert incident.last_alert_at == now + timedelta(minutes=5)
        assert sorted(p.post_key for p in incident.posts) == ["weibo:1", "weibo:2"]
        # the deadline runs from the first detection, it is not pushed back
        assert session.scalar(select(Timer.due_at)) == now + timedelta(hours=2)


def test_a_resolved_incident_is_not_reopened(service, sessions, make_post, now) -> None:
    [first] = service.apply(alerts_for(make_post("1", "漏电", analysis=NEGATIVE), now))
    with sessions.begin() as session:
        session.get(Incident, first).state = "resolved"
    [second] = service.apply(alerts_for(make_post("2", "又漏电", analysis=NEGATIVE), now + timedelta(days=1)))
    assert second != first


def test_brands_get_separate_incidents(service, make_post, now) -> None:
    other = NEGATIVE.model_copy(update={"brands": ["东方家电"]})
    a = service.apply(alerts_for(make_post("1", "漏电", analysis=NEGATIVE), now))
    b = service.apply(alerts_for(make_post("2", "漏电", analysis=other), now))
    assert a != b
