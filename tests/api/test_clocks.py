"""The SLA clocks through HTTP (issue 5): the 2 h response clock and a major crisis's director clock.

Time moves only when a test says so (a FixedClock at 2026-11-28 10:00 Shanghai); ``api.tick()`` runs
the SLA ticker once at the clock's now, as the service does every few seconds. The 24 h statement
clock is in test_statements.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from workflow_http import Api

from yuqing.api.app import create_app
from yuqing.clock import FixedClock
from yuqing.services import Services

T0 = "2026-11-28T10:00:00+08:00"


@pytest.fixture
def api(client, login, services) -> Api:
    return Api(client, login, services)


# --- the response clock ---------------------------------------------------------------------------------------


def test_first_tick_tells_the_brand_team_and_nobody_else(api) -> None:
    incident = api.open()
    api.tick()
    notices = api.notifications(incident["id"])
    assert sorted((n["recipient"], n["reason"], n["status"]) for n in notices) == [
        ("console:brand", "opened", "sent"),
        ("console:brand_lead", "opened", "sent"),
    ]
    assert api.entries(incident["id"], "warning") == []


def test_response_clock_warns_the_brand_lead_at_75_percent(api) -> None:
    incident = api.open()
    api.tick()
    api.advance(hours=1, minutes=29)
    api.tick()
    assert api.entries(incident["id"], "warning") == []
    api.advance(minutes=1)
    api.tick()
    [warning] = api.entries(incident["id"], "warning")
    assert warning["at"] == "2026-11-28T11:30:00+08:00"
    assert warning["details"]["clock"] == "response"
    assert warning["details"]["notify"] == ["brand_lead"]
    assert api.sent_to(incident["id"], "console:brand_lead") == ["opened", "response:0:0"]
    assert api.sent_to(incident["id"], "console:director") == []
    assert api.incident(incident["id"])["sla"]["response"] == "pending"


def test_response_breach_after_two_hours_escalates_to_the_director(api) -> None:
    incident = api.open()
    api.tick()
    api.advance(hours=1, minutes=30)
    api.tick()
    api.advance(minutes=30)
    api.tick()  # 12:00:00, the deadline itself: still in time
    assert api.entries(incident["id"], "breach") == []
    assert api.incident(incident["id"])["sla"]["response"] == "pending"
    api.advance(seconds=1)
    api.tick()
    [breach] = api.entries(incident["id"], "breach")
    assert breach["at"] == "2026-11-28T12:00:01+08:00"
    assert breach["details"]["clock"] == "response"
    [escalation] = api.entries(incident["id"], "escalation")
    assert escalation["details"]["clock"] == "response"
    assert escalation["details"]["notify"] == ["director"]
    kinds = [e["kind"] for e in api.entries(incident["id"]) if e["at"] == breach["at"]]
    assert kinds[:2] == ["breach", "escalation"]  # the breach, then the escalation it triggers
    assert api.sent_to(incident["id"], "console:director") == ["response:1:0"]
    body = api.incident(incident["id"])
    assert body["sla"]["response"] == "breached"
    assert body["sla"]["statement"] == "pending"


def test_a_response_at_the_deadline_instant_is_in_time_for_the_ticker_and_the_sla_alike(api) -> None:
    incident = api.open()
    api.advance(hours=2)
    api.tick()
    assert api.entries(incident["id"], "breach") == []
    assert api.sent_to(incident["id"], "console:director") == []
    assert api.act(incident["id"], "respond", json={"note": "正好两小时"})["sla"]["response"] == "met"
    api.advance(minutes=1)
    api.tick()
    assert api.entries(incident["id"], "breach") == []


def test_responding_after_the_breach_keeps_the_clock_breached(api) -> None:
    incident = api.open()
    api.advance(hours=2, minutes=10)
    api.tick()
    body = api.act(incident["id"], "respond", json={"note": "已发布致歉"})
    assert body["state"] == "responded"
    assert body["sla"]["response"] == "breached"
    [responded] = api.entries(incident["id"], "responded")
    assert responded["details"]["late"] is True
    assert responded["details"]["clock_met"] == "response"
    api.advance(hours=1)
    api.tick()
    assert api.incident(incident["id"])["sla"]["response"] == "breached"
    assert len(api.entries(incident["id"], "breach")) == 1


def test_responding_in_time_meets_the_clock_and_nothing_breaches_later(api) -> None:
    incident = api.open()
    api.tick()
    api.advance(hours=1)
    body = api.act(incident["id"], "respond", json={"note": "客服已联系用户"})
    assert body["sla"]["response"] == "met"
    [timer] = [t for t in body["timers"] if t["kind"] == "response"]
    assert (timer["met_at"], timer["met_by"]) == ("2026-11-28T11:00:00+08:00", "brand")
    for _ in range(4):
        api.advance(minutes=45)
        api.tick()
    assert [e for e in api.entries(incident["id"]) if e["details"].get("clock") == "response"] == []
    assert api.sent_to(incident["id"], "console:director") == []
    assert api.sent_to(incident["id"], "console:brand_lead") == ["opened"]
    assert api.incident(incident["id"])["sla"]["response"] == "met"


def test_ticking_twice_at_the_same_time_sends_nothing_twice(api) -> None:
    incident = api.open()
    api.tick()
    api.tick()
    api.advance(hours=1, minutes=30)
    api.tick()
    api.tick()
    api.advance(minutes=30, seconds=1)
    api.tick()
    api.tick()
    notices = api.notifications(incident["id"])
    assert sorted((n["recipient"], n["reason"]) for n in notices) == [
        ("console:brand", "opened"),
        ("console:brand_lead", "opened"),
        ("console:brand_lead", "response:0:0"),
        ("console:director", "response:1:0"),
    ]
    assert all((n["status"], n["attempts"]) == ("sent", 1) for n in notices)
    assert len(api.entries(incident["id"], "notification")) == 4
    assert len(api.entries(incident["id"], "warning")) == 1
    assert len(api.entries(incident["id"], "breach")) == 1
    assert len(api.entries(incident["id"], "escalation")) == 1


def test_a_warning_missed_while_down_is_recorded_but_not_sent_after_the_breach(api) -> None:
    incident = api.open()
    api.advance(hours=3)  # no tick from detection to an hour past the deadline: the service was down
    api.tick()
    [warning] = api.entries(incident["id"], "warning")
    assert warning["details"]["skipped"] is True
    assert len(api.entries(incident["id"], "breach")) == 1
    assert api.sent_to(incident["id"], "console:brand_lead") == ["opened"]
    assert api.sent_to(incident["id"], "console:director") == ["response:1:0"]


def test_a_restart_in_the_middle_of_open_timers_loses_nothing_and_sends_nothing_twice(api, services, now) -> None:
    incident = api.open("major")
    api.tick()
    api.advance(minutes=15)
    api.tick()
    before = api.notifications(incident["id"])
    assert len(before) == 4  # opened x2, director_report:0:0 and :0:1
    later = services.clock.now() + timedelta(hours=1, minutes=20)  # down through the 75 % step, back at 11:35
    again = Services(services.settings, clock=FixedClock(later))
    try:
        with TestClient(create_app(again)) as client:
            restarted = Api(client, lambda user: api.headers(user), again)
            restarted.tick()
            restarted.tick()
            after = restarted.notifications(incident["id"])
            assert after[: len(before)] == before
            assert sorted(n["reason"] for n in after[len(before) :]) == ["director_report:0:6", "response:0:0"]
            assert restarted.incident(incident["id"])["sla"] == {
                "response": "pending",
                "statement": "pending",
                "director_report": "pending",
            }
            assert restarted.timeline(incident["id"])["intact"] is True
    finally:
        again.close()


# --- the director clock of a major crisis ---------------------------------------------------------------------


def test_major_incident_notifies_the_director_at_the_first_tick(api) -> None:
    incident = api.open("major")
    api.tick()
    assert api.director_notices(incident["id"]) == ["director_report:0:0"]
    [escalation] = api.entries(incident["id"], "escalation")
    assert escalation["details"]["clock"] == "director_report"
    assert escalation["at"] == T0


def test_director_is_renotified_every_15_minutes_until_acknowledged(api) -> None:
    incident = api.open("major")
    api.tick()
    api.advance(minutes=14)
    api.tick()
    assert api.director_notices(incident["id"]) == ["director_report:0:0"]
    api.advance(minutes=1)
    api.tick()
    api.advance(minutes=15)
    api.tick()
    assert api.director_notices(incident["id"]) == [
        "director_report:0:0",
        "director_report:0:1",
        "director_report:0:2",
    ]
    api.advance(minutes=5)
    body = api.act(incident["id"], "director-ack", "director")
    assert body["sla"]["director_report"] == "met"
    assert body["state"] == "triggered"  # the director's acknowledgement is not the brand team's
    [ack] = api.entries(incident["id"], "director_acknowledged")
    assert (ack["actor"], ack["at"], ack["details"]["late"]) == ("director", "2026-11-28T10:35:00+08:00", False)
    for _ in range(12):
        api.advance(minutes=15)
        api.tick()
    assert api.director_notices(incident["id"]) == [
        "director_report:0:0",
        "director_report:0:1",
        "director_report:0:2",
    ]
    assert [e for e in api.entries(incident["id"], "breach") if e["details"]["clock"] == "director_report"] == []
    assert api.incident(incident["id"])["sla"]["director_report"] == "met"


def test_unacknowledged_director_report_breaches_and_escalates_to_director_and_lead(api) -> None:
    incident = api.open("major")
    for _ in range(8):
        api.tick()
        api.advance(minutes=15)
    api.tick()  # 12:00:00, the deadline itself
    assert api.incident(incident["id"])["sla"]["director_report"] == "pending"
    api.advance(seconds=1)
    api.tick()
    breaches = [e for e in api.entries(incident["id"], "breach") if e["details"]["clock"] == "director_report"]
    assert len(breaches) == 1
    assert "director_report:1:0" in api.sent_to(incident["id"], "console:director")
    assert "director_report:1:0" in api.sent_to(incident["id"], "console:brand_lead")
    assert api.incident(incident["id"])["sla"]["director_report"] == "breached"
    api.advance(minutes=1)
    body = api.act(incident["id"], "director-ack", "director")
    assert body["sla"]["director_report"] == "breached"
    [ack] = api.entries(incident["id"], "director_acknowledged")
    assert ack["details"]["late"] is True


def test_director_ack_of_a_non_major_incident_is_409(api) -> None:
    incident = api.open("serious")
    response = api.call("POST", f"/api/incidents/{incident['id']}/director-ack", "director")
    assert response.status_code == 409
    assert "major" in response.json()["detail"]


def test_director_ack_twice_is_409(api) -> None:
    incident = api.open("major")
    api.act(incident["id"], "director-ack", "director")
    response = api.call("POST", f"/api/incidents/{incident['id']}/director-ack", "director")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert len(api.entries(incident["id"], "director_acknowledged")) == 1
