"""The HTTP API with real auth on a real (temporary) data dir."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from yuqing.crawlers.classify import Outcome, Verdict
from yuqing.post import Analysis
from yuqing.settings import SourceSettings

NEG = Analysis(brands=["星河电器"], sentiment="negative", negative_score=0.9, evidence=["漏电"])
POS = Analysis(brands=["星河电器"], sentiment="positive", negative_score=0.1, evidence=["好用"])


@pytest.fixture
def stored(services, make_post, now):
    posts = [
        make_post("1", "星河热水器漏电，要维权", analysis=NEG, published_at=now - timedelta(hours=3)),
        make_post("2", "星河空调很好用", analysis=POS),
        make_post("3", "星河热水器又漏电", analysis=NEG, source="baidu"),
    ]
    services.posts.upsert(posts)
    alerts = [a for p in posts for rule in services.rules for a in rule.evaluate(p, now)]
    services.incidents.apply(alerts)
    return posts


def test_health_needs_no_login(client) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["time"].endswith("+08:00")


@pytest.mark.parametrize(
    "path",
    ["/api/posts", "/api/incidents", "/api/incidents/1", "/api/posts/weibo:1", "/api/auth/me", "/api/posts/trend"],
)
def test_every_other_route_needs_a_token(client, path) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_login(client, services, now) -> None:
    assert client.post("/api/auth/token", data={"username": "brand", "password": "wrong"}).status_code == 401
    assert client.post("/api/auth/token", data={"username": "nobody", "password": "x"}).status_code == 401
    assert client.post("/api/auth/token", json={"username": "brand"}).status_code == 422
    response = client.post("/api/auth/token", data={"username": "brand", "password": "s3cret-密码"})
    body = response.json()
    assert body["token_type"] == "bearer"
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert (me["username"], me["role"]) == ("brand", "brand")
    assert "incident.ack" in me["actions"] and "statement.approve" not in me["actions"]  # what the console offers
    assert me["now"] == now.isoformat()  # the workflow clock (a drill runs ahead of the wall clock)


def test_expired_or_foreign_tokens_are_refused(client, login, services, now) -> None:
    expired = jwt.encode(
        {"sub": "brand", "exp": int((now - timedelta(minutes=1)).timestamp())}, services.secret_key, algorithm="HS256"
    )
    forged = jwt.encode(
        {"sub": "admin", "exp": int((now + timedelta(hours=1)).timestamp())},
        "another key, long enough for HS256 use",
        algorithm="HS256",
    )
    for token in (expired, forged):
        assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_posts_with_filters(client, login, stored) -> None:
    headers = login("brand")
    everything = client.get("/api/posts", headers=headers).json()
    assert everything["total"] == 3
    assert {p["key"] for p in everything["items"]} == {"weibo:1", "weibo:2", "baidu:3"}
    negative = client.get("/api/posts", params={"sentiment": "negative"}, headers=headers).json()
    assert {p["key"] for p in negative["items"]} == {"weibo:1", "baidu:3"}
    assert all(p["analysis"]["evidence"] == ["漏电"] for p in negative["items"])
    found = client.get("/api/posts", params={"q": "漏电", "source": "weibo"}, headers=headers).json()
    assert [p["key"] for p in found["items"]] == ["weibo:1"]
    recent = client.get("/api/posts", params={"since": "2026-11-28T09:00:00+08:00"}, headers=headers).json()
    assert {p["key"] for p in recent["items"]} == {"weibo:2", "baidu:3"}
    post = client.get("/api/posts/weibo:1", headers=headers).json()
    assert post["published_at"] == "2026-11-28T07:00:00+08:00"
    assert client.get("/api/posts/weibo:404", headers=headers).status_code == 404


def test_bad_query_parameters_are_422(client, login, stored) -> None:
    headers = login("brand")
    for params in (
        {"sentiment": "angry"},
        {"since": "yesterday"},
        {"since": "2026-11-28T09:00:00"},
        {"limit": "0"},
        {"limit": "100000"},
    ):
        response = client.get("/api/posts", params=params, headers=headers)
        assert response.status_code == 422, params
        assert response.json()["detail"]


def test_trend(client, login, stored) -> None:
    data = client.get("/api/posts/trend", params={"bucket": "hour"}, headers=login("director")).json()
    assert {(p["start"], p["sentiment"], p["count"]) for p in data["items"]} == {
        ("2026-11-28T07:00:00+08:00", "negative", 1),
        ("2026-11-28T09:00:00+08:00", "negative", 1),
        ("2026-11-28T09:00:00+08:00", "positive", 1),
    }


def test_incidents(client, login, stored, now) -> None:
    for user in ("brand", "lead", "legal", "director", "admin"):
        data = client.get("/api/incidents", headers=login(user)).json()
        [incident] = data["items"]
        assert incident["brand"] == "星河电器"
        assert incident["state"] == "triggered"
        assert incident["alert_count"] == 2
        assert sorted(incident["post_keys"]) == ["baidu:3", "weibo:1"]
        assert incident["detected_at"] == "2026-11-28T10:00:00+08:00"
        assert incident["response_due"] == "2026-11-28T12:00:00+08:00"
    headers = login("brand")
    assert client.get(f"/api/incidents/{incident['id']}", headers=headers).json()["id"] == incident["id"]
    assert client.get("/api/incidents/999", headers=headers).status_code == 404
    assert client.get("/api/incidents", params={"brand": "东方家电"}, headers=headers).json() == {
        "items": [],
        "total": 0,
    }
    assert client.get("/api/incidents", params={"open": "true", "offset": 1}, headers=headers).json() == {
        "items": [],
        "total": 1,
    }


def test_console_page_is_served(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "登录" in page.text and 'name="password"' in page.text
    assert client.get("/static/js/app.js").status_code == 200
    plotly = client.get("/vendor/plotly.min.js")  # the charts' library, served from the installed package
    assert plotly.status_code == 200 and plotly.headers["content-type"].startswith("text/javascript")


def test_source_health(client, login, services, now) -> None:
    services.settings.sources = {"weibo": SourceSettings()}
    headers = login("brand")
    assert client.get("/api/sources", headers=headers).json()["items"] == [
        {
            "source": "weibo",
            "status": None,
            "label": "未运行",
            "reason": "",
            "last_run_at": None,
            "last_success_at": None,
            "last_items": 0,
            "failures": 0,
            "failing_since": None,
            "next_run_at": None,
        }
    ]
    services.health.record("weibo", Verdict(Outcome.BLOCKED, "HTTP 418"), 0, now, timedelta(minutes=15))
    [weibo] = client.get("/api/sources", headers=headers).json()["items"]
    assert (weibo["status"], weibo["label"], weibo["failures"]) == ("blocked", "被封禁", 1)
    assert weibo["next_run_at"] == "2026-11-28T10:30:00+08:00"
