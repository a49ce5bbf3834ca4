"""The first alert rule and the incidents it opens, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from support import dispatcher_for
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
    return IncidentService(
        sessions, [SlaPolicy(kind="response", due_after=timedelta(hours=2))], dispatcher_for(sessions)
    )


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


def test_rule_groups_by_event_skips_duplicates_and_takes_the_suggested_severity(make_post, now) -> None:
    in_event = NEGATIVE.model_copy(update={"event_id": "ev-20261128-0a1b2c3d", "severity": "serious"})
    [alert] = alerts_for(make_post("1", "漏电", analysis=in_event), now)
    assert alert.group_key == "brand:星河电器:event:ev-20261128-0a1b2c3d"
    assert alert.severity == "serious"
    copy = in_event.model_copy(update={"duplicate_of": "weibo:1"})
    assert alerts_for(make_post("2", "转发：漏电", analysis=copy), now) == []
    assert alerts_for(make_post("3", "漏电", analysis=NEGATIVE), now)[0].severity == "general"


def test_two_events_of_one_brand_are_two_incidents(service, make_post, now) -> None:
    a = NEGATIVE.model_copy(update={"event_id": "ev-a"})
    b = NEGATIVE.model_copy(update={"event_id": "ev-b"})
    [first] = service.apply(alerts_for(make_post("1", "漏电", analysis=a), now))
    [second] = service.apply(alerts_for(make_post("2", "异响", analysis=b), now))
    [again] = service.apply(alerts_for(make_post("3", "又漏电", analysis=a), now))
    assert first != second and again == first


def test_a_graver_alert_escalates_the_incident_and_starts_its_deadlines(sessions, make_post, now) -> None:
    service = IncidentService(
        sessions,
        [
            SlaPolicy(kind="response", due_after=timedelta(hours=2)),
            SlaPolicy(kind="director_report", due_after=timedelta(hours=2), severities=("major",)),
        ],
        dispatcher_for(sessions),
    )
    general = NEGATIVE.model_copy(update={"event_id": "ev-a", "severity": "general"})
    major = general.model_copy(update={"severity": "major"})
    [incident_id] = service.apply(alerts_for(make_post("1", "漏电", analysis=general), now))
    service.apply(alerts_for(make_post("2", "爆炸", analysis=major), now + timedelta(minutes=30)))
    service.apply(alerts_for(make_post("3", "漏电", analysis=general), now + timedelta(minutes=40)))
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident.severity == "major" and incident.alert_count == 3  # never lowered again
        assert [(t.kind, t.due_at) for t in incident.timers] == [
            ("response", now + timedelta(hours=2)),
            ("director_report", now + timedelta(minutes=30, hours=2)),
        ]


def test_one_batch_of_many_alerts_counts_each_post_once(service, sessions, make_post, now) -> None:
    posts = [make_post(str(i), "漏电", analysis=NEGATIVE) for i in range(5)]
    alerts = [a for p in [*posts, posts[0], posts[3]] for a in alerts_for(p, now)]
    [incident_id] = service.apply(alerts)
    assert service.apply(alerts) == []
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident.alert_count == 5 and len(incident.posts) == 5
