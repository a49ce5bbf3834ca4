"""The silences API and the notification log over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support import free_port
from yuqing.alerting.dispatch import Dispatcher, Notice
from yuqing.alerting.feed import Feed
from yuqing.alerting.notify.channels import build_notifier
from yuqing.alerting.rules import NegativeBrandPost
from yuqing.post import Analysis
from yuqing.settings import ChannelSettings, NotifySettings

BRAND = "星河电器"
SILENCE = {"matchers": {"brand": BRAND}, "minutes": 90, "comment": "已知事件：公关已跟进"}


def create(client, headers, body=SILENCE):
    return client.post("/api/silences", json=body, headers=headers)


def test_the_brand_lead_and_the_admin_create_silences(client, login, now) -> None:
    response = create(client, login("lead"))
    assert response.status_code == 201, response.text
    silence = response.json()
    assert silence["matchers"] == {"brand": BRAND}
    assert silence["starts_at"] == "2026-11-28T10:00:00+08:00"
    assert silence["ends_at"] == "2026-11-28T11:30:00+08:00"
    assert silence["created_at"] == "2026-11-28T10:00:00+08:00"
    assert (silence["created_by"], silence["comment"], silence["hits"], silence["active"]) == (
        "lead", "已知事件：公关已跟进", 0, True,
    )  # fmt: skip
    assert create(client, login("admin")).status_code == 201


@pytest.mark.parametrize("user", ["brand", "legal", "director"])
def test_other_roles_may_not_create_or_expire_silences(client, login, user) -> None:
    headers = login(user)
    response = create(client, headers)
    assert response.status_code == 403
    assert "silence.create" in response.json()["detail"]
    silence_id = create(client, login("lead")).json()["id"]
    assert client.post(f"/api/silences/{silence_id}/expire", headers=headers).status_code == 403
    # but everyone may see them
    assert [s["id"] for s in client.get("/api/silences", headers=headers).json()] == [silence_id]


def test_silences_need_a_token(client) -> None:
    assert client.get("/api/silences").status_code == 401
    assert client.post("/api/silences", json=SILENCE).status_code == 401


def test_unknown_labels_and_bad_bodies_are_422(client, login) -> None:
    headers = login("lead")
    response = create(client, headers, {**SILENCE, "matchers": {"brand": BRAND, "colour": "red"}})
    assert response.status_code == 422
    assert "colour" in str(response.json()["detail"])
    assert create(client, headers, {**SILENCE, "matchers": {}}).status_code == 422  # would match nothing
    assert create(client, headers, {**SILENCE, "minutes": 0}).status_code == 422
    assert create(client, headers, {**SILENCE, "comment": ""}).status_code == 422
    assert create(client, headers, {**SILENCE, "owner": "me"}).status_code == 422
    assert client.get("/api/silences", headers=headers).json() == []


def test_the_list_says_which_silences_are_active(client, login, services) -> None:
    headers = login("lead")
    short = create(client, headers, {**SILENCE, "minutes": 30}).json()["id"]
    long = create(client, headers, {**SILENCE, "matchers": {"rule": "negative_brand_post"}, "minutes": 120}).json()[
        "id"
    ]
    listed = client.get("/api/silences", headers=headers).json()
    assert [(s["id"], s["active"]) for s in listed] == [(long, True), (short, True)]  # latest end first
    assert listed[1]["ends_at"] == "2026-11-28T10:30:00+08:00"
    services.clock.advance(timedelta(minutes=30))  # the short one ends now: its end is exclusive
    listed = client.get("/api/silences", headers=headers).json()
    assert [(s["id"], s["active"]) for s in listed] == [(long, True), (short, False)]


def test_expiring_a_silence_ends_it_now(client, login, services) -> None:
    headers = login("lead")
    silence_id = create(client, headers).json()["id"]
    services.clock.advance(timedelta(minutes=10))
    response = client.post(f"/api/silences/{silence_id}/expire", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["ends_at"] == "2026-11-28T10:10:00+08:00"
    assert response.json()["active"] is False
    [listed] = client.get("/api/silences", headers=headers).json()
    assert (listed["active"], listed["ends_at"]) == (False, "2026-11-28T10:10:00+08:00")
    again = client.post(f"/api/silences/{silence_id}/expire", headers=login("admin"))
    assert again.status_code == 409
    assert "ended" in again.json()["detail"]
    assert client.post("/api/silences/999/expire", headers=headers).status_code == 404


def test_a_silence_made_through_the_api_mutes_alerts_and_counts_hits(client, login, services, make_post, now) -> None:
    headers = login("lead")
    silence_id = create(client, headers).json()["id"]
    negative = Analysis(brands=[BRAND], sentiment="negative", negative_score=0.9)
    alerts = NegativeBrandPost().evaluate(make_post("1", "星河热水器漏电", analysis=negative), now)
    assert services.incidents.apply(alerts) == []
    [listed] = client.get("/api/silences", headers=headers).json()
    assert (listed["id"], listed["hits"]) == (silence_id, 1)
    client.post(f"/api/silences/{silence_id}/expire", headers=headers)
    assert len(services.incidents.apply(alerts)) == 1  # expired: the alert opens an incident


# --- the notification log ------------------------------------------------------------------------


@pytest.fixture
def failed_notice(services, now) -> int:
    """An incident whose notice to a WeCom bot failed (nothing listens on its port)."""
    incident_id = services.workflow.create(
        "lead", title="热水器漏电", severity="serious", brand=BRAND, summary=None, post_keys=[]
    )
    channel = ChannelSettings(kind="wecom", url=f"http://127.0.0.1:{free_port()}/hook?key=k", timeout_seconds=5)
    settings = NotifySettings(channels={"bot": channel}, retry_seconds=60)
    dispatcher = Dispatcher(services.sessions, settings, {"bot": build_notifier("bot", channel)}, Feed())
    with services.sessions.begin() as session:
        dispatcher.enqueue(session, Notice(incident_id, "opened", ("brand",), "serious", "【较大】新舆情", "正文"), now)
    dispatcher.deliver(now)
    return incident_id


@pytest.mark.parametrize("user", ["admin", "lead", "director"])
def test_the_notification_log_shows_failed_notices(client, login, failed_notice, user) -> None:
    response = client.get("/api/notifications", headers=login(user))
    assert response.status_code == 200, response.text
    log = response.json()
    [failed] = [n for n in log if n["status"] == "failed"]
    assert failed["incident_id"] == failed_notice
    assert (failed["recipient"], failed["channel"], failed["reason"]) == ("wecom:bot", "bot", "opened")
    assert failed["attempts"] == 1
    assert failed["last_error"].startswith("wecom: ConnectError")
    assert failed["sent_at"] is None
    # the opening's console notices; console:brand was told of the opening already, so it is not logged twice
    assert sorted(n["status"] for n in log) == ["failed", "sent", "sent"]
    assert {n["recipient"] for n in log if n["status"] == "sent"} == {"console:brand", "console:brand_lead"}


@pytest.mark.parametrize("user", ["brand", "legal"])
def test_the_notification_log_is_not_for_everyone(client, login, failed_notice, user) -> None:
    assert client.get("/api/notifications", headers=login(user)).status_code == 403


def test_the_notification_log_filters_by_status(client, login, failed_notice) -> None:
    log = client.get("/api/notifications", params={"status": "failed"}, headers=login("admin")).json()
    assert [n["status"] for n in log] == ["failed"]
