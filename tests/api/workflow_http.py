"""Driving the crisis workflow through HTTP, for the scenario tests (test_workflow, test_statements, test_roles).

Only the API is touched: the clock moves with ``services.clock.advance`` (a FixedClock) and the
ticker runs with ``services.tick()``, as the running service does every few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from yuqing.services import Services

# username -> role (tests/api/conftest.py makes one user per role)
USER_OF_ROLE = {"brand": "brand", "brand_lead": "lead", "legal": "legal", "director": "director", "admin": "admin"}
ROLES = tuple(USER_OF_ROLE)


class Api:
    def __init__(self, client: TestClient, login: Callable[[str], dict[str, str]], services: Services) -> None:
        self.client, self.services = client, services
        self._login = login
        self._headers: dict[str, dict[str, str]] = {}

    def headers(self, user: str) -> dict[str, str]:
        if user not in self._headers:
            self._headers[user] = self._login(user)
        return self._headers[user]

    def call(self, method: str, path: str, user: str | None = "brand", json: Any = None, **kw: Any):
        headers = self.headers(user) if user else {}
        return self.client.request(method, path, headers=headers, json=json, **kw)

    def ok(self, method: str, path: str, user: str = "brand", json: Any = None, status: int = 200, **kw: Any) -> Any:
        response = self.call(method, path, user, json, **kw)
        assert response.status_code == status, f"{method} {path} as {user}: {response.status_code} {response.text}"
        return response.json()

    # incidents

    def open(self, severity: str = "general", title: str = "星河热水器漏电", user: str = "brand", **body: Any) -> dict:
        return self.ok("POST", "/api/incidents", user, {"title": title, "severity": severity, **body}, status=201)

    def incident(self, incident_id: int) -> dict:
        return self.ok("GET", f"/api/incidents/{incident_id}")

    def act(self, incident_id: int, action: str, user: str = "brand", json: Any = None) -> dict:
        return self.ok("POST", f"/api/incidents/{incident_id}/{action}", user, json)

    def timeline(self, incident_id: int) -> dict:
        return self.ok("GET", f"/api/incidents/{incident_id}/timeline")

    def entries(self, incident_id: int, kind: str | None = None) -> list[dict]:
        items = self.timeline(incident_id)["items"]
        return [e for e in items if kind is None or e["kind"] == kind]

    def notifications(self, incident_id: int) -> list[dict]:
        return self.ok("GET", f"/api/incidents/{incident_id}/notifications")

    def sent_to(self, incident_id: int, recipient: str) -> list[str]:
        """The reasons of the notices delivered to ``recipient``, per the timeline's notification entries."""
        return [
            e["details"]["reason"]
            for e in self.entries(incident_id, "notification")
            if e["details"]["recipient"] == recipient
        ]

    def director_notices(self, incident_id: int) -> list[str]:
        """The director-report notices delivered to the director's console."""
        return [r for r in self.sent_to(incident_id, "console:director") if r.startswith("director_report")]

    # statements

    def draft(
        self, incident_id: int, text: str = "关于热水器漏电的说明：已召回涉事批次。", user: str = "brand"
    ) -> dict:
        return self.ok("POST", f"/api/incidents/{incident_id}/statements", user, {"text": text}, status=201)

    def statement(self, statement_id: int, action: str, user: str = "brand", json: Any = None) -> dict:
        return self.ok("POST", f"/api/statements/{statement_id}/{action}", user, json)

    def approved(self, incident_id: int) -> dict:
        """A statement drafted by brand, submitted and approved by legal."""
        s = self.draft(incident_id)
        self.statement(s["id"], "submit")
        return self.statement(s["id"], "approve", "legal", {"comment": "可以发布"})

    # time

    def advance(self, **delta: float) -> None:
        self.services.clock.advance(timedelta(**delta))  # type: ignore[attr-defined]

    def tick(self) -> None:
        self.services.tick()
