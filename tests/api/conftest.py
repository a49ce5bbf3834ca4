from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from yuqing.accounts import add_user
from yuqing.api.app import create_app
from yuqing.clock import FixedClock
from yuqing.services import Services
from yuqing.settings import BrandSettings, load_settings

USERS = {"brand": "brand", "lead": "brand_lead", "legal": "legal", "director": "director", "admin": "admin"}
PASSWORD = "s3cret-密码"


@pytest.fixture
def services(tmp_path, now) -> Iterator[Services]:
    settings = load_settings(data_dir=tmp_path / "data")
    settings.brands = [BrandSettings(name="星河电器", keywords=["星河热水器", "星河空调"])]
    services = Services(settings, clock=FixedClock(now))
    with services.sessions.begin() as session:
        for name, role in USERS.items():
            add_user(session, services.clock, name, role, PASSWORD)
    yield services
    services.close()


@pytest.fixture
def client(services) -> Iterator[TestClient]:
    with TestClient(create_app(services)) as c:
        yield c


@pytest.fixture
def login(client: TestClient):
    """Log in through the API; returns the Authorization header."""

    def headers(username: str, password: str = PASSWORD) -> dict[str, str]:
        response = client.post("/api/auth/token", data={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers
