"""The live stream (SSE) over real HTTP: new negative posts, notices only to their roles, incident changes."""

from __future__ import annotations

import json
import queue
import threading
from datetime import timedelta

import httpx
from console_support import Console


def listen(console: Console, user: str, events: queue.Queue, stop: threading.Event) -> None:
    with httpx.stream("GET", console.url + "/api/stream", headers=console.token(user), timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.put((kind, json.loads(line[6:])))
            if stop.is_set():
                return


def next_of(events: queue.Queue, kind: str) -> dict:
    while True:
        got, data = events.get(timeout=20)
        if got == kind:
            return data


def stream(console: Console, user: str) -> tuple[queue.Queue, threading.Event]:
    events: queue.Queue = queue.Queue()
    stop = threading.Event()
    threading.Thread(target=listen, args=(console, user, events, stop), daemon=True).start()
    assert next_of(events, "hello")["role"] == ("brand_lead" if user == "lead" else user)
    return events, stop


def test_a_new_negative_post_and_its_incident_arrive_live(console: Console) -> None:
    events, stop = stream(console, "brand")
    console.post("s1", "星河热水器漏电，售后推诿，太差了，我要投诉！")
    post = next_of(events, "post")["post"]
    assert post["key"] == "weibo:s1" and post["analysis"]["sentiment"] == "negative"
    assert post["analysis"]["brands"] == ["星河电器"] and post["analysis"]["evidence"]
    assert next_of(events, "incident")["id"] == 1
    console.advance(timedelta(seconds=1))  # the ticker delivers the "opened" notice to the brand team
    assert "新舆情事件 #1" in next_of(events, "notice")["title"]
    stop.set()


def test_a_notice_reaches_only_its_roles(console: Console) -> None:
    legal_events, stop_legal = stream(console, "legal")
    director_events, stop_director = stream(console, "director")
    console.call("POST", "/api/incidents", "lead", {"title": "热水器爆炸", "severity": "major"})
    console.advance(timedelta(seconds=1))  # "opened" to the brand team; the director report at once
    assert "重大舆情上报" in next_of(director_events, "notice")["title"]
    # legal hears of the incident change but of no notice (none was for legal)
    next_of(legal_events, "incident")
    console.advance(timedelta(seconds=1))
    while not legal_events.empty():
        kind, data = legal_events.get_nowait()
        assert kind != "notice", data
    stop_legal.set()
    stop_director.set()


def test_the_stream_needs_a_valid_token(console: Console) -> None:
    assert httpx.get(console.url + "/api/stream").status_code == 401
    bad = httpx.get(console.url + "/api/stream", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["detail"] == "invalid or expired token"
