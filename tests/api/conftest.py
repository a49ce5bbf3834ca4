from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from yuqing.accounts import add_user
from yuqing.api.app import create_app
from yuqing.clock import FixedClock
from yuqing.services import Services
from yuqing.settings import BrandSettings, Settings, load_settings

USERS = {"brand": "brand", "lead": "brand_lead", "legal": "legal", "director": "director", "admin": "admin"}
PASSWORD = "s3cret-密码"


def _settings(data_dir: Path) -> Settings:
    settings = load_settings(data_dir=data_dir)
    settings.brands = [BrandSettings(name="星河电器", keywords=["星河热水器", "星河空调"])]
    return settings


@pytest.fixture(scope="session")
def data_with_users(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with one user per role, made once: argon2 is slow on purpose."""
    data = tmp_path_factory.mktemp("template") / "data"
    services = Services(_settings(data))
    with services.sessions.begin() as session:
        for name, role in USERS.items():
            add_user(session, services.clock, name, role, PASSWORD)
    services.close()
    return data


@pytest.fixture
def services(tmp_path: Path, now, data_with_users: Path) -> Iterator[Services]:
    data = shutil.copytree(data_with_users, tmp_path / "data")
    services = Services(_settings(data), clock=FixedClock(now))
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
