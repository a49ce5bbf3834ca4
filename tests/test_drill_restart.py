"""A drill (演练) on a scaled clock, restarted in the middle of open timers: nothing lost, nothing sent twice.

Real processes: ``yuqing serve --time-scale 600`` (ten simulated minutes per real second: the
2 h response clock runs out in 12 s), a real group-bot webhook receiving the notices, and a
restart after a deadline passed while the service was down.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from support import Receiver, free_port, wait_until, webhook_receiver, yuqing_command

SCALE = 600  # simulated seconds per real second


@contextmanager
def serving(data: Path, config: Path, port: int, log: Path) -> Iterator[subprocess.Popen[str]]:
    with log.open("a") as out:
        proc = subprocess.Popen(
            yuqing_command(
                "serve",
                "--data-dir",
                str(data),
                "--config",
                str(config),
                "--port",
                str(port),
                "--time-scale",
                str(SCALE),
            ),  # fmt: skip
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        wait_until(lambda: _up(port) or proc.poll() is not None, 60, "yuqing serve to answer")
        assert proc.poll() is None, log.read_text()
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class Api:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.headers: dict[str, dict[str, str]] = {}

    def as_(self, user: str) -> dict[str, str]:
        if user not in self.headers:
            r = httpx.post(f"{self.url}/api/auth/token", data={"username": user, "password": "pw-" + user})
            r.raise_for_status()
            self.headers[user] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self.headers[user]

    def get(self, path: str, user: str = "brand") -> dict | list:
        r = httpx.get(self.url + path, headers=self.as_(user))
        r.raise_for_status()
        return r.json()

    def post(self, path: str, body: dict | None = None, user: str = "brand") -> dict:
        r = httpx.post(self.url + path, json=body, headers=self.as_(user))
        assert r.status_code in (200, 201), r.text
        return r.json()

    def timeline(self, incident_id: int) -> list[dict]:
        found = self.get(f"/api/incidents/{incident_id}/timeline")
        assert isinstance(found, dict) and found["intact"]
        return found["items"]


def kinds(entries: list[dict], kind: str, clock: str | None = None) -> list[dict]:
    return [e for e in entries if e["kind"] == kind and (clock is None or e["details"].get("clock") == clock)]


@pytest.fixture
def bot() -> Iterator[Receiver]:
    with webhook_receiver() as receiver:
        yield receiver


def test_a_restarted_drill_loses_nothing_and_sends_nothing_twice(tmp_path: Path, bot: Receiver) -> None:
    data, log, port = tmp_path / "data", tmp_path / "serve.log", free_port()
    config = tmp_path / "drill.toml"
    config.write_text(
        f'[notify.channels.brand-group]\nkind = "wecom"\nurl = "{bot.url}"\n'
        'roles = ["brand", "brand_lead", "director"]\n',
        encoding="utf-8",
    )
    for user, role in (("brand", "brand"), ("director", "director")):
        subprocess.run(
            yuqing_command("user", "add", user, "--role", role, "--data-dir", str(data), "--password-stdin"),
            input=f"pw-{user}\n", text=True, check=True, capture_output=True,
        )  # fmt: skip
    api = Api(port)

    with serving(data, config, port, log) as first:
        general = api.post("/api/incidents", {"title": "热水器漏水投诉", "severity": "general"})
        major = api.post("/api/incidents", {"title": "热水器爆炸", "severity": "major"})
        assert major["deadlines"]["director_report_due"] and general["deadlines"]["director_report_due"] is None
        # the director hears of the major crisis at once, and again every 15 simulated minutes
        wait_until(
            lambda: len(kinds(api.timeline(major["id"]), "escalation", "director_report")) >= 2, 20, "a re-notice"
        )
        assert first.poll() is None
    # stopped after about 30 simulated minutes; stay down past the general incident's 75 % mark and its deadline
    stopped = time.monotonic()
    sent_before = len(bot.requests)
    time.sleep(max(0.0, 14 - (time.monotonic() - stopped)))
    assert len(bot.requests) == sent_before  # nobody sends while the service is down

    with serving(data, config, port, log):
        # the first tick at start handles what fell due while down
        entries = wait_until(
            lambda: (e := api.timeline(general["id"])) and kinds(e, "escalation", "response") and e, 20, "the breach"
        )
        [breach] = kinds(entries, "breach", "response")
        [warning] = kinds(entries, "warning", "response")
        [escalation] = kinds(entries, "escalation", "response")
        assert warning["details"]["skipped"] is True  # "75 % used" after the deadline would only mislead
        assert escalation["details"]["notify"] == ["director"] and not escalation["details"]["skipped"]
        # the drill's clock went on while the service was down: the breach is recorded after the deadline
        assert breach["at"] >= general["deadlines"]["response_due"]
        assert api.get(f"/api/incidents/{general['id']}")["sla"]["response"] == "breached"  # type: ignore[index]

        # the director acknowledges: the re-notices stop
        acked = api.post(f"/api/incidents/{major['id']}/director-ack", user="director")
        assert acked["sla"]["director_report"] == "breached"  # two simulated hours had passed
        settled = len(kinds(api.timeline(major["id"]), "escalation", "director_report"))
        time.sleep(3)  # 30 simulated minutes: two re-notices, had the clock not been met
        assert len(kinds(api.timeline(major["id"]), "escalation", "director_report")) == settled

    # nothing twice: each (recipient, reason) once in the log, and the bot got exactly the sent ones
    bot_notices = 0
    for incident in (general, major):
        rows = api_rows(data, incident["id"])
        assert len(rows) == len(set(rows)), rows
        bot_notices += sum(
            1 for recipient, _reason, status in rows if recipient.startswith("wecom:") and status == "sent"
        )
    assert len(bot.requests) == bot_notices
    # the re-notices before and after the restart have distinct numbers, none repeated
    numbers = [
        int(reason.rsplit(":", 1)[1])
        for recipient, reason, _status in api_rows(data, major["id"])
        if recipient.startswith("wecom:") and reason.startswith("director_report:0:")
    ]
    assert numbers == sorted(set(numbers)) and len(numbers) >= 3
    assert "Traceback" not in log.read_text()


def api_rows(data: Path, incident_id: int) -> list[tuple[str, str, str]]:
    """(recipient, reason, status) of the incident's notification log, read from the database."""
    from sqlalchemy import select

    from yuqing.storage.database import make_engine, session_factory
    from yuqing.storage.models import Notification

    engine = make_engine(f"sqlite:///{data / 'workflow.db'}")
    try:
        with session_factory(engine)() as session:
            return [
                (n.recipient, n.reason, n.status)
                for n in session.scalars(
                    select(Notification).where(Notification.incident_id == incident_id).order_by(Notification.id)
                )
            ]
    finally:
        engine.dispose()
