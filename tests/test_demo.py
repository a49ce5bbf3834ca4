"""The walking skeleton end to end: `yuqing run --demo` crawls the sample
pages with the real spiders, classifies, stores and opens incidents, and the
API shows them to the demo brand user."""

from __future__ import annotations

import signal
import subprocess

import httpx

from support import RunningYuqing, free_port, wait_until, yuqing_command
from yuqing.demo import CONFIG as DEMO_CONFIG
from yuqing.settings import load_settings


def token(url: str, username: str = "brand", password: str = "demo") -> dict[str, str]:
    response = httpx.post(f"{url}/api/auth/token", data={"username": username, "password": password})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_demo_crawls_classifies_stores_and_opens_incidents(demo_server: RunningYuqing) -> None:
    headers = token(demo_server.url)

    def negative_posts() -> list[dict]:
        r = httpx.get(f"{demo_server.url}/api/posts", params={"sentiment": "negative", "limit": 100}, headers=headers)
        return r.json()["items"]

    def incidents() -> list[dict]:
        return httpx.get(f"{demo_server.url}/api/incidents", headers=headers).json()["items"]

    # every demo source has negative pages (the industry forum is the kind = "forum" instance)
    sources = {"weibo", "baidu", "baidu-news", "tieba", "discuz", "repair-bbs"}
    assert set(load_settings(DEMO_CONFIG).sources) == sources
    wait_until(lambda: {p["source"] for p in negative_posts()} == sources, 90, "negative posts from every source")

    # one incident per event: the demo tells three stories about the brand (星河空调 异响,
    # 星河热水器 漏电, a 漏水 on Weibo), each clustered from posts on several sources
    # An open 重大 (major) incident inhibits new lesser incidents of its brand: their alerts go into
    # its timeline as `inhibited` entries instead. Which story opens first depends on crawl order.
    def stories() -> tuple[list[dict], dict[str, str]]:
        found = incidents()
        inhibited = {}
        for incident in found:
            if incident["severity"] == "major":
                entries = httpx.get(f"{demo_server.url}/api/incidents/{incident['id']}/timeline", headers=headers)
                for e in entries.json()["items"]:
                    if e["kind"] == "inhibited":
                        inhibited[e["details"]["post_key"]] = e["details"]["group_key"]
        return found, inhibited

    def three_stories() -> tuple[list[dict], dict[str, str]] | None:
        found, inhibited = stories()
        return (found, inhibited) if len({i["group_key"] for i in found} | set(inhibited.values())) >= 3 else None

    found, inhibited = wait_until(three_stories, 30, "an incident (or an inhibited alert) per story")
    stored = {p["key"]: p for p in negative_posts()}
    events = []
    for incident in found:
        assert incident["brand"] == "星河电器"
        assert incident["state"] == "triggered"
        assert incident["severity"] in ("general", "serious", "major")  # the risk step's suggestion
        # every post in the incident is a stored negative post about the brand, of the incident's event
        assert incident["post_keys"] and set(incident["post_keys"]) <= set(stored)
        assert all("星河电器" in stored[k]["analysis"]["brands"] for k in incident["post_keys"])
        assert all(stored[k]["analysis"]["evidence"] for k in incident["post_keys"])
        [event] = {stored[k]["analysis"]["event_id"] for k in incident["post_keys"]}
        events.append(event)
    assert len(set(events)) == len(events)
    assert all(stored[k]["analysis"]["event_id"] not in events for k in inhibited)
    noise = next(i for i in found if "weibo:5031000000000002" in i["post_keys"])
    assert {k.split(":")[0] for k in noise["post_keys"]} >= {"weibo", "baidu", "discuz", "repair-bbs"}
    # the Weibo repost of that complaint is linked to it, in its event, and pages no one
    repost = stored["weibo:5031000000000007"]["analysis"]
    assert repost["duplicate_of"] == "weibo:5031000000000002" and repost["event_id"] in events
    assert not any("weibo:5031000000000007" in i["post_keys"] for i in found)
    # posts about another brand are stored, but are in no incident
    other = httpx.get(f"{demo_server.url}/api/posts", params={"q": "东方家电"}, headers=headers).json()["items"]
    assert other and not {p["key"] for p in other} & {k for i in found for k in i["post_keys"]}
    # the whole loop in one process: the log shows the crawl, the ingest and the demo warning
    log = demo_server.log.read_text()
    assert "DEMO MODE" in log and "ingested" in log


def test_demo_users_exist_only_with_their_demo_password(demo_server: RunningYuqing) -> None:
    for user in ("brand", "lead", "legal", "director", "admin"):
        assert token(demo_server.url, user)
    bad = httpx.post(f"{demo_server.url}/api/auth/token", data={"username": "brand", "password": "nope"})
    assert bad.status_code == 401


def test_serve_outside_demo_mode_has_no_demo_users_and_stops_on_sigterm(tmp_path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            yuqing_command("serve", "--port", str(port), "--data-dir", str(tmp_path / "d")),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return httpx.get(f"{url}/api/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return proc.poll() is not None

        wait_until(up, 60, "yuqing serve")
        assert proc.poll() is None, log.read_text()
        refused = httpx.post(f"{url}/api/auth/token", data={"username": "brand", "password": "demo"})
        assert refused.status_code == 401
        assert "DEMO" not in log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert "shutting down" in log.read_text()
