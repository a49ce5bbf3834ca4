"""Grouping, inhibition and silences (Alertmanager's vocabulary), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from support import dispatcher_for
from yuqing.alerting import timeline
from yuqing.alerting.incidents import IncidentService
from yuqing.alerting.rules import Alert, KeywordTrigger, NegativeBrandPost
from yuqing.alerting.sla import SlaPolicy, Step
from yuqing.alerting.workflow import Workflow
from yuqing.clock import FixedClock
from yuqing.post import Analysis
from yuqing.storage.database import migrate, session_factory
from yuqing.storage.models import Incident, Notification, Silence, Timer

BRAND = "星河电器"
NEGATIVE = Analysis(brands=[BRAND], sentiment="negative", negative_score=0.92, evidence=["漏电"])
RULE = NegativeBrandPost()


@pytest.fixture
def sessions(workflow_engine):
    migrate(workflow_engine)
    return session_factory(workflow_engine)


@pytest.fixture
def service(sessions):
    policies = [
        SlaPolicy(kind="response", due_after=timedelta(hours=2)),
        SlaPolicy(
            kind="director_report",
            due_after=timedelta(hours=2),
            severities=("major",),
            steps=(Step(at=0, notify=("director",), repeat=timedelta(minutes=15)),),
        ),
    ]
    return IncidentService(sessions, policies, dispatcher_for(sessions))


def negative(make_post, post_id: str, at, *, event: str | None = "ev-a", severity: str = "general"):
    post = make_post(
        post_id, "星河热水器漏电", analysis=NEGATIVE.model_copy(update={"event_id": event, "severity": severity})
    )
    return RULE.evaluate(post, at)


def kinds(sessions, incident_id: int) -> list[str]:
    with sessions() as session:
        return [e.kind for e in timeline.entries(session, incident_id)]


def entries_of(sessions, incident_id: int, kind: str) -> list[dict]:
    with sessions() as session:
        return [e.details for e in timeline.entries(session, incident_id) if e.kind == kind]


def notifications(sessions, incident_id: int) -> list[tuple[str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(Notification.reason, Notification.recipient)
            .where(Notification.incident_id == incident_id)
            .order_by(Notification.id)
        )
        return [tuple(r) for r in rows]


def incident_count(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Incident))


def add_silence(sessions, matchers: dict[str, str], starts, ends) -> int:
    with sessions.begin() as session:
        silence = Silence(
            matchers=matchers, starts_at=starts, ends_at=ends, comment="已知事件，公关已跟进",
            created_by="lead", created_at=starts, hits=0,
        )  # fmt: skip
        session.add(silence)
        session.flush()
        return silence.id


def hits(sessions, silence_id: int) -> int:
    with sessions() as session:
        return session.get(Silence, silence_id).hits


# --- grouping --------------------------------------------------------------------------------


def test_a_repeat_raises_the_count_and_extends_the_timeline_without_paging_again(
    service, sessions, make_post, now
) -> None:
    [incident_id] = service.apply(negative(make_post, "1", now))
    opened = notifications(sessions, incident_id)
    assert opened == [("opened", "console:brand"), ("opened", "console:brand_lead")]
    assert service.apply(negative(make_post, "2", now + timedelta(minutes=7))) == [incident_id]
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident.alert_count == 2
        assert incident.last_alert_at == now + timedelta(minutes=7)
        assert incident.detected_at == now
    assert kinds(sessions, incident_id) == ["detected", "alert"]
    [alert] = entries_of(sessions, incident_id, "alert")
    assert alert["post_key"] == "weibo:2" and alert["count"] == 2 and alert["rule"] == "negative_brand_post"
    assert "silenced_by" not in alert
    assert notifications(sessions, incident_id) == opened  # nobody paged twice
    assert incident_count(sessions) == 1


# --- inhibition ------------------------------------------------------------------------------


def test_an_open_major_incident_inhibits_lesser_per_post_alerts_of_the_brand(service, sessions, make_post, now) -> None:
    [major_id] = service.apply(negative(make_post, "1", now, event="ev-major", severity="major"))
    later = now + timedelta(minutes=5)
    assert service.apply(negative(make_post, "2", later, event="ev-other", severity="serious")) == []
    assert incident_count(sessions) == 1
    [inhibited] = entries_of(sessions, major_id, "inhibited")
    assert inhibited["post_key"] == "weibo:2"
    assert inhibited["group_key"] == f"brand:{BRAND}:event:ev-other"
    assert inhibited["severity"] == "serious"
    assert inhibited["rule"] == "negative_brand_post"
    with sessions() as session:
        major = session.get(Incident, major_id)
        assert major.alert_count == 1  # an inhibited alert does not join the major incident
        assert (
            session.scalar(select(func.count()).select_from(Notification).where(Notification.reason == "opened")) == 2
        )


def test_an_inhibited_post_is_recorded_once(service, sessions, make_post, now) -> None:
    [major_id] = service.apply(negative(make_post, "1", now, event="ev-major", severity="major"))
    for minute in (5, 10, 15):
        assert service.apply(negative(make_post, "2", now + timedelta(minutes=minute), event="ev-other")) == []
    assert len(entries_of(sessions, major_id, "inhibited")) == 1


def test_inhibition_is_per_brand_and_spares_major_and_non_post_alerts(service, sessions, make_post, now) -> None:
    service.apply(negative(make_post, "1", now, event="ev-major", severity="major"))
    other_brand = make_post("2", "东方空调漏电", analysis=NEGATIVE.model_copy(update={"brands": ["东方家电"]}))
    assert len(service.apply(RULE.evaluate(other_brand, now))) == 1
    # a second major story of the same brand is its own incident
    assert len(service.apply(negative(make_post, "3", now, event="ev-major-2", severity="major"))) == 1
    # a brand-wide alert (a spike: no post) is not a per-post alert
    spike = Alert(
        rule="negative_spike", brand=BRAND, group_key=f"brand:{BRAND}:spike", title="负面声量激增",
        severity="serious", at=now,
    )  # fmt: skip
    assert len(service.apply([spike])) == 1
    assert incident_count(sessions) == 4


def test_once_the_major_is_resolved_a_new_alert_opens_normally(service, sessions, make_post, now) -> None:
    clock = FixedClock(now + timedelta(minutes=20))
    workflow = Workflow(sessions, service, clock)
    [major_id] = service.apply(negative(make_post, "1", now, event="ev-major", severity="major"))
    assert service.apply(negative(make_post, "2", now + timedelta(minutes=10), event="ev-other")) == []
    workflow.respond(major_id, "lead", "已发布说明")
    workflow.resolve(major_id, "lead", "已处理")
    [new_id] = service.apply(negative(make_post, "3", now + timedelta(minutes=30), event="ev-other"))
    assert new_id != major_id
    assert kinds(sessions, new_id) == ["detected"]
    assert [r for r, _ in notifications(sessions, new_id)] == ["opened", "opened"]
    assert len(entries_of(sessions, major_id, "inhibited")) == 1  # the later alert was not inhibited


def test_inhibition_can_be_switched_off(sessions, make_post, now) -> None:
    service = IncidentService(
        sessions, [SlaPolicy(kind="response", due_after=timedelta(hours=2))], dispatcher_for(sessions), inhibit=False
    )
    [major_id] = service.apply(negative(make_post, "1", now, event="ev-major", severity="major"))
    [other] = service.apply(negative(make_post, "2", now, event="ev-other"))
    assert other != major_id
    assert entries_of(sessions, major_id, "inhibited") == []


# --- silences --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "matchers",
    [{"brand": BRAND}, {"rule": "negative_brand_post"}, {"brand": BRAND, "severity": "general"}],
    ids=["brand", "rule", "brand+severity"],
)
def test_an_active_silence_keeps_an_alert_from_opening_an_incident(service, sessions, make_post, now, matchers) -> None:
    silence_id = add_silence(sessions, matchers, now - timedelta(minutes=1), now + timedelta(hours=1))
    assert service.apply(negative(make_post, "1", now)) == []
    assert service.apply(negative(make_post, "2", now + timedelta(minutes=10))) == []
    assert incident_count(sessions) == 0
    assert hits(sessions, silence_id) == 2
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_silence_that_does_not_match_changes_nothing(service, sessions, make_post, now) -> None:
    silence_id = add_silence(
        sessions, {"brand": BRAND, "severity": "major"}, now - timedelta(minutes=1), now + timedelta(hours=1)
    )
    other = add_silence(sessions, {"brand": "东方家电"}, now - timedelta(minutes=1), now + timedelta(hours=1))
    assert len(service.apply(negative(make_post, "1", now))) == 1
    assert hits(sessions, silence_id) == 0 and hits(sessions, other) == 0


def test_a_silenced_alert_joins_an_open_incident_quietly(service, sessions, make_post, now) -> None:
    [incident_id] = service.apply(negative(make_post, "1", now))
    silence_id = add_silence(sessions, {"brand": BRAND}, now + timedelta(minutes=1), now + timedelta(hours=1))
    assert service.apply(negative(make_post, "2", now + timedelta(minutes=5))) == [incident_id]
    [alert] = entries_of(sessions, incident_id, "alert")
    assert alert["silenced_by"] == silence_id and alert["post_key"] == "weibo:2" and alert["count"] == 2
    assert hits(sessions, silence_id) == 1
    assert [r for r, _ in notifications(sessions, incident_id)] == ["opened", "opened"]
    with sessions() as session:
        assert session.get(Incident, incident_id).alert_count == 2


def test_a_silence_stops_matching_at_its_end(service, sessions, make_post, now) -> None:
    ends = now + timedelta(hours=1)
    silence_id = add_silence(sessions, {"brand": BRAND}, now - timedelta(minutes=1), ends)
    assert service.apply(negative(make_post, "1", ends - timedelta(seconds=1))) == []
    [incident_id] = service.apply(negative(make_post, "2", ends))  # the end is exclusive
    assert hits(sessions, silence_id) == 1
    assert kinds(sessions, incident_id) == ["detected"]


def test_a_silence_does_not_match_before_it_starts(service, sessions, make_post, now) -> None:
    silence_id = add_silence(sessions, {"brand": BRAND}, now + timedelta(minutes=30), now + timedelta(hours=1))
    assert len(service.apply(negative(make_post, "1", now))) == 1
    assert hits(sessions, silence_id) == 0


def test_a_silenced_alert_is_not_written_into_a_major_incident_as_inhibited(service, sessions, make_post, now) -> None:
    [major_id] = service.apply(negative(make_post, "1", now, event="ev-major", severity="major"))
    add_silence(sessions, {"group_key": f"brand:{BRAND}:event:ev-other"}, now, now + timedelta(hours=1))
    assert service.apply(negative(make_post, "2", now + timedelta(minutes=1), event="ev-other")) == []
    assert entries_of(sessions, major_id, "inhibited") == []


def test_a_silenced_graver_alert_does_not_start_the_director_clock(service, sessions, make_post, now) -> None:
    [incident_id] = service.apply(negative(make_post, "1", now))
    add_silence(sessions, {"brand": BRAND}, now, now + timedelta(hours=1))
    service.apply(negative(make_post, "2", now + timedelta(minutes=5), severity="major"))
    with sessions() as session:
        assert session.scalars(select(Timer.kind).where(Timer.incident_id == incident_id)).all() == ["response"]


# --- the keyword trigger -----------------------------------------------------------------------


def test_the_keyword_trigger_fires_on_a_neutral_post_and_opens_an_incident(service, sessions, make_post, now) -> None:
    trigger = KeywordTrigger("安全", "爆炸 OR 起火", "serious")
    neutral = Analysis(brands=[BRAND], sentiment="neutral", negative_score=0.1, event_id="ev-k")
    post = make_post("1", "消防通报：一仓库起火，涉事为星河热水器仓库", analysis=neutral)
    [alert] = trigger.evaluate(post, now)
    assert alert.rule == "keyword:安全"
    assert alert.severity == "serious"
    assert alert.group_key == f"brand:{BRAND}:event:ev-k"
    assert alert.post_key == "weibo:1"
    [incident_id] = service.apply([alert])
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident.severity == "serious" and incident.rule == "keyword:安全"
    # the NegativeBrandPost rule would not have fired on it
    assert RULE.evaluate(post, now) == []


def test_the_keyword_trigger_skips_duplicates_non_matches_and_posts_without_a_brand(make_post, now) -> None:
    trigger = KeywordTrigger("安全", "爆炸 OR 起火", "serious")
    neutral = Analysis(brands=[BRAND], sentiment="neutral")
    copy = neutral.model_copy(update={"duplicate_of": "weibo:1"})
    assert trigger.evaluate(make_post("2", "转发：星河热水器仓库起火", analysis=copy), now) == []
    assert trigger.evaluate(make_post("3", "星河热水器新品发布", analysis=neutral), now) == []
    no_brand = neutral.model_copy(update={"brands": []})
    assert trigger.evaluate(make_post("4", "某仓库起火", analysis=no_brand), now) == []
    # the title is searched too
    [alert] = trigger.evaluate(make_post("5", "详见正文", title="星河工厂爆炸", analysis=neutral), now)
    assert alert.post_key == "weibo:5"


def test_a_recrawled_post_of_a_resolved_incident_opens_nothing(service, sessions, make_post, now) -> None:
    workflow = Workflow(sessions, service, FixedClock(now + timedelta(minutes=20)))
    [incident_id] = service.apply(negative(make_post, "1", now))
    workflow.respond(incident_id, "lead", "已回应")
    workflow.resolve(incident_id, "lead", "已处理")
    # the same post, crawled again with new counts, alerts again: the story is over, nobody is paged
    assert service.apply(negative(make_post, "1", now + timedelta(hours=3))) == []
    assert incident_count(sessions) == 1
    # a new post of the same story opens a new incident
    [again] = service.apply(negative(make_post, "2", now + timedelta(hours=3)))
    assert again != incident_id


def test_a_watch_alert_that_holds_counts_each_time_but_is_noted_once_an_hour(service, sessions, now) -> None:
    def silent(at):
        return [Alert("source_silent", "", "source:weibo:silent", "信源沉默：weibo", "general", at, category="source")]

    [incident_id] = service.apply(silent(now))
    for minutes in range(5, 125, 5):  # every five minutes for two hours
        service.apply(silent(now + timedelta(minutes=minutes)))
    with sessions() as session:
        assert session.get(Incident, incident_id).alert_count == 25
    assert kinds(sessions, incident_id).count("alert") == 2  # at 1 h and at 2 h after detection
