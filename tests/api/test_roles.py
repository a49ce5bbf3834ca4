"""Who may do what, and how the API says no (issue 5): the full role x action matrix, then 401, 404 and 422.

The matrix is alerting/permissions.py's table: every role tries every action route on a fresh incident or
statement in the state the action needs, so a role the table allows gets a 2xx and any other gets 403
and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from workflow_http import ROLES, USER_OF_ROLE, Api

from yuqing.alerting.permissions import ACTIONS, allowed

Call = tuple[str, str, Any, int]  # method, path, body, the status when allowed


@pytest.fixture
def api(client, login, services) -> Api:
    return Api(client, login, services)


def _incident(severity: str = "general", *actions: tuple[str, Any]) -> Callable[[Api], int]:
    def make(api: Api) -> int:
        incident = api.open(severity)
        for action, body in actions:
            api.act(incident["id"], action, json=body)
        return incident["id"]

    return make


def _statement(*steps: tuple[str, str]) -> Callable[[Api], int]:
    def make(api: Api) -> int:
        s = api.draft(api.open()["id"])
        for action, user in steps:
            api.statement(s["id"], action, user, {"comment": "意见"} if action == "approve" else None)
        return s["id"]

    return make


def _silence(api: Api) -> int:
    body = {"matchers": {"brand": "星河电器"}, "minutes": 60, "comment": "新品发布会"}
    return api.ok("POST", "/api/silences", "admin", body, status=201)["id"]


SETUPS: dict[str, Callable[[Api], Call]] = {
    "incident.create": lambda api: ("POST", "/api/incidents", {"title": "手动事件", "severity": "serious"}, 201),
    "incident.ack": lambda api: ("POST", f"/api/incidents/{_incident()(api)}/ack", None, 200),
    "incident.respond": lambda api: ("POST", f"/api/incidents/{_incident()(api)}/respond", {"note": "已回应"}, 200),
    "incident.resolve": lambda api: (
        "POST",
        f"/api/incidents/{_incident('general', ('respond', {'note': '已回应'}))(api)}/resolve",
        {"note": "已平息"},
        200,
    ),
    "incident.severity": lambda api: (
        "POST",
        f"/api/incidents/{_incident()(api)}/severity",
        {"severity": "major"},
        200,
    ),
    "incident.director_ack": lambda api: ("POST", f"/api/incidents/{_incident('major')(api)}/director-ack", None, 200),
    "statement.draft": lambda api: ("POST", f"/api/incidents/{_incident()(api)}/statements", {"text": "声明"}, 201),
    "statement.edit": lambda api: ("PUT", f"/api/statements/{_statement()(api)}", {"text": "改过的声明"}, 200),
    "statement.submit": lambda api: ("POST", f"/api/statements/{_statement()(api)}/submit", None, 200),
    "statement.approve": lambda api: (
        "POST",
        f"/api/statements/{_statement(('submit', 'brand'))(api)}/approve",
        {"comment": "同意"},
        200,
    ),
    "statement.reject": lambda api: (
        "POST",
        f"/api/statements/{_statement(('submit', 'brand'))(api)}/reject",
        {"comment": "请修改"},
        200,
    ),
    "statement.publish": lambda api: (
        "POST",
        f"/api/statements/{_statement(('submit', 'brand'), ('approve', 'legal'))(api)}/publish",
        None,
        200,
    ),
    "silence.create": lambda api: (
        "POST",
        "/api/silences",
        {"matchers": {"rule": "negative_spike"}, "minutes": 30, "comment": "已知事件"},
        201,
    ),
    "silence.expire": lambda api: ("POST", f"/api/silences/{_silence(api)}/expire", None, 200),
}

ROUTE_OF_ACTION = {
    "incident.create": ("POST", "/api/incidents"),
    "incident.ack": ("POST", "/api/incidents/{incident_id}/ack"),
    "incident.respond": ("POST", "/api/incidents/{incident_id}/respond"),
    "incident.resolve": ("POST", "/api/incidents/{incident_id}/resolve"),
    "incident.severity": ("POST", "/api/incidents/{incident_id}/severity"),
    "incident.director_ack": ("POST", "/api/incidents/{incident_id}/director-ack"),
    "statement.draft": ("POST", "/api/incidents/{incident_id}/statements"),
    "statement.edit": ("PUT", "/api/statements/{statement_id}"),
    "statement.submit": ("POST", "/api/statements/{statement_id}/submit"),
    "statement.approve": ("POST", "/api/statements/{statement_id}/approve"),
    "statement.reject": ("POST", "/api/statements/{statement_id}/reject"),
    "statement.publish": ("POST", "/api/statements/{statement_id}/publish"),
    "silence.create": ("POST", "/api/silences"),
    "silence.expire": ("POST", "/api/silences/{silence_id}/expire"),
}


WORKFLOW_PATHS = ("/api/incidents", "/api/statements", "/api/silences")  # admin pages have their own role checks


def snapshot(api: Api) -> dict[str, Any]:
    """Everything a wrong-role call could have changed, as the API shows it."""
    incidents = api.ok("GET", "/api/incidents")["items"]
    return {
        "incidents": incidents,
        "timelines": {i["id"]: api.timeline(i["id"]) for i in incidents},
        "statements": api.ok("GET", "/api/statements"),
        "silences": api.ok("GET", "/api/silences"),
    }


def test_the_matrix_covers_every_action_and_every_workflow_write_route(client) -> None:
    assert set(SETUPS) == set(ACTIONS) == set(ROUTE_OF_ACTION)
    paths = client.get("/api/openapi.json").json()["paths"]
    writes = {
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method in ("post", "put", "patch", "delete") and path.startswith(WORKFLOW_PATHS)
    }
    assert writes == set(ROUTE_OF_ACTION.values())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_may_act_exactly_when_the_permission_table_says(api, action, role) -> None:
    method, path, body, ok_status = SETUPS[action](api)
    before = snapshot(api)
    response = api.call(method, path, USER_OF_ROLE[role], body)
    if allowed(role, action):
        assert response.status_code == ok_status, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["detail"] == f"your role ({role}) may not {action}"
        assert snapshot(api) == before


def test_the_permission_table_keeps_separation_of_duties() -> None:
    assert ACTIONS["statement.approve"] == ACTIONS["statement.reject"] == {"legal"}
    assert ACTIONS["statement.publish"] == {"brand", "brand_lead"}
    assert ACTIONS["incident.director_ack"] == {"director"}
    assert not any(allowed("admin", a) for a in ACTIONS if a.startswith(("incident.", "statement.")))


# --- 401 ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_every_action_route_needs_a_token(api, action, token) -> None:
    method, path, body, _ = SETUPS[action](api)
    before = snapshot(api)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = api.client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert snapshot(api) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/incidents/1/timeline",
        "/api/incidents/1/notifications",
        "/api/incidents/1/statements",
        "/api/statements",
        "/api/statements/1",
    ],
)
def test_every_reading_route_needs_a_token(api, path) -> None:
    api.draft(api.open()["id"])
    response = api.client.get(path)
    assert response.status_code == 401
    assert response.json()["detail"] == "Not authenticated"


# --- 404 ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "method", "path", "body"),
    [
        ("brand", "GET", "/api/incidents/999", None),
        ("brand", "GET", "/api/incidents/999/timeline", None),
        ("brand", "GET", "/api/incidents/999/notifications", None),
        ("brand", "GET", "/api/incidents/999/statements", None),
        ("brand", "POST", "/api/incidents/999/ack", None),
        ("brand", "POST", "/api/incidents/999/respond", {"note": "已回应"}),
        ("lead", "POST", "/api/incidents/999/resolve", None),
        ("lead", "POST", "/api/incidents/999/severity", {"severity": "major"}),
        ("director", "POST", "/api/incidents/999/director-ack", None),
        ("brand", "POST", "/api/incidents/999/statements", {"text": "声明"}),
        ("legal", "GET", "/api/statements/999", None),
        ("brand", "PUT", "/api/statements/999", {"text": "声明"}),
        ("brand", "POST", "/api/statements/999/submit", None),
        ("legal", "POST", "/api/statements/999/approve", {"comment": "好"}),
        ("legal", "POST", "/api/statements/999/reject", {"comment": "不好"}),
        ("brand", "POST", "/api/statements/999/publish", None),
        ("admin", "POST", "/api/silences/999/expire", None),
    ],
)
def test_unknown_ids_are_404(api, user, method, path, body) -> None:
    api.draft(api.open()["id"])  # incident 1 and statement 1 exist; 999 does not
    response = api.call(method, path, user, body)
    assert response.status_code == 404
    assert "999" in response.json()["detail"]


# --- 422 ------------------------------------------------------------------------------------------------------

INVALID_INCIDENTS = [
    {"severity": "general"},
    {"title": "", "severity": "general"},
    {"title": "x" * 256, "severity": "general"},
    {"title": "漏电"},
    {"title": "漏电", "severity": "critical"},
    {"title": "漏电", "severity": "重大"},
    {"title": "漏电", "severity": "general", "post_ids": "weibo:1"},
    {"title": "漏电", "severity": "general", "colour": "red"},
    ["漏电", "general"],
]


@pytest.mark.parametrize("body", INVALID_INCIDENTS)
def test_invalid_incident_bodies_are_422(api, body) -> None:
    response = api.call("POST", "/api/incidents", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert api.ok("GET", "/api/incidents")["total"] == 0


@pytest.mark.parametrize(
    ("user", "path", "body"),
    [
        ("brand", "respond", {"note": ""}),
        ("brand", "respond", {}),
        ("brand", "respond", None),
        ("brand", "respond", {"note": 42}),
        ("lead", "severity", {"severity": "critical"}),
        ("lead", "severity", {}),
        ("brand", "statements", {"text": ""}),
        ("brand", "statements", {"text": "   "}),
        ("brand", "statements", {"text": "x" * 20_001}),
        ("brand", "statements", {}),
    ],
)
def test_invalid_action_bodies_are_422(api, user, path, body) -> None:
    incident = api.open()
    before = api.timeline(incident["id"])
    response = api.call("POST", f"/api/incidents/{incident['id']}/{path}", user, body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert api.timeline(incident["id"]) == before


def test_a_blank_note_is_422(api) -> None:
    incident = api.open()
    response = api.call("POST", f"/api/incidents/{incident['id']}/respond", json={"note": "   "})
    assert response.status_code == 422
    assert api.incident(incident["id"])["state"] == "triggered"


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("brand", "/api/incidents"),
        ("brand", "/api/incidents/1/respond"),
        ("lead", "/api/incidents/1/severity"),
        ("lead", "/api/incidents/1/resolve"),
        ("brand", "/api/incidents/1/statements"),
        ("legal", "/api/statements/1/approve"),
        ("legal", "/api/statements/1/reject"),
    ],
)
def test_a_body_that_is_not_json_is_422(api, user, path) -> None:
    s = api.draft(api.open()["id"])
    api.statement(s["id"], "submit")
    before = snapshot(api)
    headers = {**api.headers(user), "Content-Type": "application/json"}
    response = api.client.post(path, content=b"{not json", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert snapshot(api) == before


def test_an_id_that_is_not_a_number_is_422(api) -> None:
    response = api.call("POST", "/api/incidents/abc/ack")
    assert response.status_code == 422
    assert response.json()["detail"]


def test_an_invalid_statement_edit_is_422(api) -> None:
    s = api.draft(api.open()["id"])
    for body in ({"text": ""}, {"text": "  "}, {}, {"text": "改", "state": "approved"}):
        response = api.call("PUT", f"/api/statements/{s['id']}", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert api.ok("GET", f"/api/statements/{s['id']}")["text"] == s["text"]
