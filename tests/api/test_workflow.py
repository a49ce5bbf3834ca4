"""The crisis workflow through HTTP (issue 5): incidents, their states and severity, the timeline.

Time moves only when a test says so (a FixedClock at 2026-11-28 10:00 Shanghai); ``api.tick()`` runs
the SLA ticker once at the clock's now, as the service does every few seconds.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from workflow_http import Api

from yuqing.alerting import timeline
from yuqing.post import Analysis
from yuqing.storage.database import migrate, session_factory
from yuqing.storage.models import Incident

T0 = "2026-11-28T10:00:00+08:00"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")
TIME_FIELDS = ("detected_at", "last_alert_at", "acknowledged_at", "responded_at", "resolved_at", "response_due")


@pytest.fixture
def api(client, login, services) -> Api:
    return Api(client, login, services)


# --- creating and reading incidents ---------------------------------------------------------------------------


def test_create_answers_201_with_deadlines_and_pending_clocks(api) -> None:
    body = api.open("serious", title="星河热水器漏电", summary="微博多名用户反映")
    assert isinstance(body["id"], int)
    assert (body["state"], body["severity"], body["title"], body["summary"]) == (
        "triggered",
        "serious",
        "星河热水器漏电",
        "微博多名用户反映",
    )
    assert body["detected_at"] == T0
    assert body["deadlines"] == {
        "response_due": "2026-11-28T12:00:00+08:00",
        "statement_due": "2026-11-29T10:00:00+08:00",
        "director_report_due": None,
    }
    assert body["sla"] == {"response": "pending", "statement": "pending", "director_report": None}
    assert body["brand"] == "星河电器"  # the only configured brand


def test_major_incident_has_a_director_deadline_two_hours_after_detection(api) -> None:
    body = api.open("major")
    assert body["deadlines"]["director_report_due"] == "2026-11-28T12:00:00+08:00"
    assert body["sla"] == {"response": "pending", "statement": "pending", "director_report": "pending"}


def test_list_and_one_answer_the_same_shape_as_create(api) -> None:
    first = api.open("general", title="第一起")
    second = api.open("major", title="第二起")
    listed = api.ok("GET", "/api/incidents", "legal")
    assert listed["total"] == 2
    assert listed["items"] == [second, first]  # newest first; same detection time, so by id
    assert api.ok("GET", f"/api/incidents/{first['id']}", "director") == first
    assert api.ok("GET", f"/api/incidents/{second['id']}", "admin") == second


def test_every_time_in_incident_answers_is_iso_8601_with_offset(api) -> None:
    incident = api.open("major")
    api.advance(minutes=5)
    api.act(incident["id"], "respond", json={"note": "已联系用户"})
    api.advance(minutes=5)
    body = api.act(incident["id"], "resolve", "lead")
    times = [body[f] for f in TIME_FIELDS] + [v for v in body["deadlines"].values() if v]
    times += [t[f] for t in body["timers"] for f in ("started_at", "due_at", "met_at", "cancelled_at") if t[f]]
    # the two clocks closed at resolution keep their deadlines (a fact of the case): 18 times in all
    assert len(times) == 18 and all(ISO_WITH_OFFSET.match(t) for t in times), times
    assert body["deadlines"]["director_report_due"] == "2026-11-28T12:00:00+08:00"
    assert body["sla"]["director_report"] is None and body["sla"]["response"] == "met"
    assert body["responded_at"] == "2026-11-28T10:05:00+08:00"
    assert body["resolved_at"] == "2026-11-28T10:10:00+08:00"
    assert all(ISO_WITH_OFFSET.match(e["at"]) for e in api.entries(incident["id"]))


def test_times_inside_timeline_details_are_iso_8601(api) -> None:
    incident = api.open()
    api.advance(hours=2, seconds=1)
    api.tick()
    [breach] = api.entries(incident["id"], "breach")
    assert breach["details"]["due_at"] == "2026-11-28T12:00:00+08:00"


def test_manual_incident_links_known_posts(api, services, make_post) -> None:
    neg = Analysis(brands=["星河电器"], sentiment="negative", negative_score=0.9, evidence=["漏电"])
    services.posts.upsert([make_post("1", "星河热水器漏电", analysis=neg), make_post("2", "又漏电", analysis=neg)])
    body = api.open(post_ids=["weibo:1", "weibo:2"])
    assert sorted(body["post_keys"]) == ["weibo:1", "weibo:2"]
    [detected] = api.entries(body["id"], "detected")
    assert detected["actor"] == "brand"
    assert detected["details"]["post_keys"] == ["weibo:1", "weibo:2"]


def test_manual_incident_with_unknown_post_ids_is_422_and_opens_nothing(api, services, make_post) -> None:
    services.posts.upsert([make_post("1", "星河热水器漏电")])
    response = api.call(
        "POST", "/api/incidents", json={"title": "x", "severity": "general", "post_ids": ["weibo:1", "weibo:404"]}
    )
    assert response.status_code == 422
    assert "weibo:404" in response.json()["detail"]
    assert "weibo:1," not in response.json()["detail"]
    assert api.ok("GET", "/api/incidents")["total"] == 0


# --- states ---------------------------------------------------------------------------------------------------


def test_ack_moves_triggered_to_acknowledged(api) -> None:
    incident = api.open()
    api.advance(minutes=3)
    body = api.act(incident["id"], "ack", "lead")
    assert body["state"] == "acknowledged"
    assert (body["acknowledged_at"], body["acknowledged_by"]) == ("2026-11-28T10:03:00+08:00", "lead")
    assert body["sla"]["response"] == "pending"  # acknowledging is not responding
    [ack] = api.entries(incident["id"], "acknowledged")
    assert ack["actor"] == "lead"


def test_ack_twice_is_409(api) -> None:
    incident = api.open()
    api.act(incident["id"], "ack")
    response = api.call("POST", f"/api/incidents/{incident['id']}/ack")
    assert response.status_code == 409
    assert response.json()["detail"] == "cannot ack an incident that is acknowledged"


def test_respond_stops_the_response_clock(api) -> None:
    incident = api.open()
    api.act(incident["id"], "ack")
    api.advance(minutes=40)
    body = api.act(incident["id"], "respond", "lead", {"note": "已在微博回应"})
    assert body["state"] == "responded"
    assert body["responded_at"] == "2026-11-28T10:40:00+08:00"
    assert body["sla"]["response"] == "met"
    assert body["sla"]["statement"] == "pending"  # the statement clock runs on
    [responded] = api.entries(incident["id"], "responded")
    assert (responded["actor"], responded["details"]["note"], responded["details"]["late"]) == (
        "lead",
        "已在微博回应",
        False,
    )


def test_respond_without_ack_acknowledges_too(api) -> None:
    incident = api.open()
    body = api.act(incident["id"], "respond", json={"note": "已回应"})
    assert (body["state"], body["acknowledged_by"], body["acknowledged_at"]) == ("responded", "brand", T0)


def test_respond_twice_is_409(api) -> None:
    incident = api.open()
    api.act(incident["id"], "respond", json={"note": "一"})
    response = api.call("POST", f"/api/incidents/{incident['id']}/respond", json={"note": "二"})
    assert response.status_code == 409
    assert response.json()["detail"]
    assert len(api.entries(incident["id"], "responded")) == 1


def test_ack_after_respond_is_409(api) -> None:
    incident = api.open()
    api.act(incident["id"], "respond", json={"note": "已回应"})
    assert api.call("POST", f"/api/incidents/{incident['id']}/ack").status_code == 409


@pytest.mark.parametrize("before", [[], ["ack"]])
def test_resolve_needs_a_response_first(api, before) -> None:
    incident = api.open()
    for action in before:
        api.act(incident["id"], action)
    response = api.call("POST", f"/api/incidents/{incident['id']}/resolve", "lead")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("cannot resolve")
    api.act(incident["id"], "respond", json={"note": "已回应"})
    body = api.act(incident["id"], "resolve", "lead", {"note": "已平息"})
    assert body["state"] == "resolved"
    [resolved] = api.entries(incident["id"], "resolved")
    assert (resolved["actor"], resolved["details"]["note"]) == ("lead", "已平息")


def test_resolving_closes_the_open_clocks(api) -> None:
    incident = api.open("major")
    api.act(incident["id"], "respond", json={"note": "已回应"})
    body = api.act(incident["id"], "resolve", "director")
    assert body["sla"] == {"response": "met", "statement": None, "director_report": None}
    [resolved] = api.entries(incident["id"], "resolved")
    assert sorted(resolved["details"]["clocks_closed"]) == ["director_report", "statement"]
    api.advance(hours=30)
    api.tick()
    assert api.entries(incident["id"], "breach") == []
    assert api.director_notices(incident["id"]) == []


@pytest.mark.parametrize(
    ("user", "path", "body"),
    [
        ("brand", "ack", None),
        ("brand", "respond", {"note": "再次回应"}),
        ("lead", "resolve", None),
        ("lead", "severity", {"severity": "general"}),
        ("director", "director-ack", None),
        ("brand", "statements", {"text": "事后声明"}),
    ],
)
def test_a_resolved_incident_rejects_every_action_with_409(api, user, path, body) -> None:
    incident = api.open("major")
    api.act(incident["id"], "respond", json={"note": "已回应"})
    api.act(incident["id"], "resolve", "lead")
    before = api.timeline(incident["id"])["items"]
    response = api.call("POST", f"/api/incidents/{incident['id']}/{path}", user, body)
    assert response.status_code == 409
    assert "resolved" in response.json()["detail"]
    assert api.timeline(incident["id"])["items"] == before
    assert api.incident(incident["id"])["state"] == "resolved"


# --- severity -------------------------------------------------------------------------------------------------


def test_raising_severity_to_major_starts_the_director_clock(api) -> None:
    incident = api.open("general")
    api.tick()
    api.advance(minutes=30)
    body = api.act(incident["id"], "severity", "lead", {"severity": "major", "reason": "媒体跟进"})
    assert body["severity"] == "major"
    assert body["deadlines"]["director_report_due"] == "2026-11-28T12:30:00+08:00"  # two hours from becoming major
    assert body["deadlines"]["response_due"] == "2026-11-28T12:00:00+08:00"  # unchanged
    assert body["sla"]["director_report"] == "pending"
    [changed] = api.entries(incident["id"], "severity_changed")
    assert (changed["actor"], changed["details"]["old"], changed["details"]["new"]) == ("lead", "general", "major")
    assert changed["details"]["clocks"] == ["started:director_report"]
    [note] = api.entries(incident["id"], "note")
    assert note["details"]["note"] == "媒体跟进"
    api.tick()
    assert api.director_notices(incident["id"]) == ["director_report:0:0"]


def test_lowering_severity_from_major_cancels_the_director_clock(api) -> None:
    incident = api.open("major")
    api.tick()
    api.advance(minutes=5)
    body = api.act(incident["id"], "severity", "director", {"severity": "serious"})
    assert body["deadlines"]["director_report_due"] is None
    assert body["sla"]["director_report"] is None
    [changed] = api.entries(incident["id"], "severity_changed")
    assert changed["details"]["clocks"] == ["cancelled:director_report"]
    api.advance(hours=3)
    api.tick()
    assert api.director_notices(incident["id"]) == ["director_report:0:0"]
    assert api.call("POST", f"/api/incidents/{incident['id']}/director-ack", "director").status_code == 409


def test_raising_to_major_again_notifies_the_director_again(api) -> None:
    incident = api.open("major")
    api.tick()
    api.act(incident["id"], "severity", "lead", {"severity": "general"})
    api.advance(hours=1)
    api.act(incident["id"], "severity", "lead", {"severity": "major"})
    api.tick()
    escalations = [e for e in api.entries(incident["id"], "escalation") if e["details"]["clock"] == "director_report"]
    assert len(escalations) == 2  # the timeline says the director was told twice...
    assert len(api.director_notices(incident["id"])) == 2  # ...so the director must have been


def test_setting_the_same_severity_is_409(api) -> None:
    incident = api.open("serious")
    response = api.call("POST", f"/api/incidents/{incident['id']}/severity", "lead", {"severity": "serious"})
    assert response.status_code == 409
    assert response.json()["detail"] == "the incident is serious already"


# --- the timeline ---------------------------------------------------------------------------------------------


def test_timeline_records_each_event_with_actor_time_and_details(api) -> None:
    incident = api.open("serious", summary="用户投诉")
    api.tick()
    api.advance(minutes=10)
    api.act(incident["id"], "ack")
    api.advance(minutes=10)
    api.act(incident["id"], "respond", json={"note": "已回应"})
    data = api.timeline(incident["id"])
    assert data["incident_id"] == incident["id"]
    assert data["intact"] is True
    items = data["items"]
    assert all({"at", "actor", "kind", "details"} <= set(e) for e in items)
    assert [(e["kind"], e["actor"], e["at"]) for e in items] == [
        ("detected", "brand", T0),
        ("notification", "system", T0),
        ("notification", "system", T0),
        ("acknowledged", "brand", "2026-11-28T10:10:00+08:00"),
        ("responded", "brand", "2026-11-28T10:20:00+08:00"),
    ]
    assert items[0]["details"]["severity"] == "serious"
    assert items[0]["details"]["summary"] == "用户投诉"
    assert {e["details"]["recipient"] for e in items[1:3]} == {"console:brand", "console:brand_lead"}
    assert all(e["details"]["channel"] == "console" for e in items[1:3])


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_no_route_changes_or_deletes_the_timeline(api, method) -> None:
    incident = api.open()
    before = api.timeline(incident["id"])
    response = api.call(method, f"/api/incidents/{incident['id']}/timeline", "admin", json={"items": []})
    assert response.status_code == 405
    assert response.json()["detail"]
    assert api.timeline(incident["id"]) == before


@pytest.mark.parametrize(
    "statement",
    ["UPDATE timeline SET actor = 'mallory'", "UPDATE timeline SET details = '{}'", "DELETE FROM timeline"],
)
def test_the_database_refuses_to_change_the_timeline(api, services, statement) -> None:
    incident = api.open()
    api.act(incident["id"], "ack")
    before = api.timeline(incident["id"])
    with pytest.raises(DBAPIError, match="append-only"):
        with services.engine.begin() as conn:
            conn.execute(text(statement))
    assert api.timeline(incident["id"]) == before
    assert before["intact"] is True


def test_the_timeline_is_append_only_on_every_backend(workflow_engine, now) -> None:
    migrate(workflow_engine)
    sessions = session_factory(workflow_engine)
    with sessions.begin() as session:
        incident = Incident(
            group_key="manual:t", brand="星河电器", title="t", category="brand", severity="general",
            state="triggered", rule="manual", detected_at=now, last_alert_at=now, alert_count=1,
        )  # fmt: skip
        session.add(incident)
        session.flush()
        timeline.record(session, incident.id, "detected", now, actor="brand")
    for statement in ("UPDATE timeline SET actor = 'mallory'", "DELETE FROM timeline"):
        with pytest.raises(DBAPIError, match="append-only"):
            with workflow_engine.begin() as conn:
                conn.execute(text(statement))
    with sessions() as session:
        [entry] = timeline.entries(session, incident.id)
        assert entry.actor == "brand"
        assert timeline.verify([entry]) is None
