"""Shared test fixtures: paths to ../shared and a fixed clock."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from support import SHARED, RunningYuqing, free_port, replay_server, wait_until, yuqing_command
from yuqing.post import SHANGHAI, Post
from yuqing.storage.database import make_engine

POSTGRES_URL = os.environ.get("YUQING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The workplace's shared material; tests that read it skip where it is absent."""
    if not (SHARED / "fixtures").is_dir():
        pytest.skip(f"real pages not found: {SHARED}/fixtures is absent (the shared/ folder beside the repo)")
    return SHARED


@pytest.fixture(scope="session")
def fixtures_dir(shared_dir: Path) -> Path:
    return shared_dir / "fixtures"


@pytest.fixture
def now() -> datetime:
    """A fixed 'now' for parsers and rules: 2026-11-28 10:00 in Shanghai."""
    return datetime(2026, 11, 28, 10, 0, 0, tzinfo=SHANGHAI)


PostFactory = Callable[..., Post]


@pytest.fixture
def make_post(now: datetime) -> PostFactory:
    """Build a Weibo-like post published ten minutes before ``now``; keyword arguments override."""

    def make(post_id: str, text: str, **fields: object) -> Post:
        values: dict[str, object] = {
            "source": "weibo",
            "post_id": post_id,
            "url": f"https://m.weibo.cn/detail/{post_id}",
            "text": text,
            "author": "用户" + post_id,
            "published_at": now - timedelta(minutes=10),
            "fetched_at": now,
        }
        values.update(fields)
        return Post.model_validate(values)

    return make


def _postgres_engine() -> Iterator[Engine]:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"yuqing_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.orig}")
    engine = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def workflow_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A fresh, empty workflow database on each backend we can run here."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'workflow.db'}")
        yield engine
        engine.dispose()
    else:
        yield from _postgres_engine()


@pytest.fixture(scope="session")
def demo_site_url() -> Iterator[str]:
    """The demo's sample pages, served by ``yuqing replay`` in a subprocess
    (Twisted's reactor cannot restart, so nothing Scrapy runs in the test process)."""
    from yuqing.demo import SITE

    with replay_server(SITE) as url:
        yield url


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningYuqing]:
    """``yuqing run --demo`` as a user starts it: its own process, port and data dir."""
    import httpx

    workdir = tmp_path_factory.mktemp("demo")
    port = free_port()
    log = workdir / "yuqing.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            yuqing_command("run", "--demo", "--port", str(port), "--data-dir", str(workdir / "data")),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=workdir,
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"yuqing run exited with {proc.returncode}:\n{log.read_text()}")
        try:
            return httpx.get(f"{url}/api/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(healthy, 60, "yuqing run --demo to answer")
        yield RunningYuqing(url=url, process=proc, log=log)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
