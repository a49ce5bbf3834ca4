"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from yuqing.post import Post

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def yuqing_command(*args: str) -> list[str]:
    """The yuqing CLI as a subprocess command line, with this interpreter."""
    return [sys.executable, "-m", "yuqing", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class RunningYuqing:
    url: str
    process: subprocess.Popen[str]
    log: Path


@contextmanager
def replay_server(directory: Path) -> Iterator[str]:
    """``yuqing replay DIRECTORY`` in a subprocess; yields its base URL."""
    proc = subprocess.Popen(
        yuqing_command("replay", str(directory), "--port", "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    try:
        assert " at http://" in line, line + proc.stdout.read()
        yield line.rsplit(" at ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def write_site(directory: Path, routes: list[dict[str, object]], files: dict[str, bytes]) -> Path:
    """A replay directory: the files, and routes.json."""
    import json

    for name, body in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(body)
    (directory / "routes.json").write_text(json.dumps(routes, ensure_ascii=False), encoding="utf-8")
    return directory


# --- driving a spider by hand: no reactor, no network -------------------------------------

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"


def make_spider(cls: type[Spider], **kwargs: Any) -> Any:
    return cls.from_crawler(get_crawler(cls), **kwargs)


def start_requests(spider: Spider) -> list[Request]:
    async def collect(requests: AsyncIterator[Request]) -> list[Request]:
        return [request async for request in requests]

    return asyncio.run(collect(spider.start()))


def respond(request: Request, body: bytes, content_type: str = HTML) -> list[Any]:
    """What the request's callback yields for this body."""
    cls = HtmlResponse if "html" in content_type else TextResponse
    response = cls(url=request.url, body=body, headers={"Content-Type": content_type}, request=request)
    return list(request.callback(response, **request.cb_kwargs) or [])


def split(items: Iterable[Any]) -> tuple[list[Post], list[Request]]:
    items = list(items)
    return [i for i in items if isinstance(i, Post)], [i for i in items if isinstance(i, Request)]


def dispatcher_for(sessions, channels=None, notifiers=None):  # noqa: ANN001, ANN201
    """A notice dispatcher on these sessions: console only unless channels and notifiers are given."""
    from yuqing.alerting.dispatch import Dispatcher
    from yuqing.alerting.feed import Feed
    from yuqing.settings import NotifySettings

    return Dispatcher(sessions, NotifySettings(channels=channels or {}), notifiers or {}, Feed())


# --- a group bot's webhook, for notice channels -------------------------------------------


@dataclass
class Received:
    path: str
    query: dict[str, str]
    content_type: str
    raw: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.raw.decode("utf-8"))


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # next answers, then the default
    default: tuple[int, dict[str, Any]] = (200, {"errcode": 0, "errmsg": "ok"})
    delay: float = 0.0
    on_request: Callable[[], None] | None = None  # runs once, before answering the next request

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r.json for r in self.requests]


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    """A local HTTP server that records each POST (a group bot's webhook) and answers as told."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True  # a slow answer does not hold up the teardown
    state = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook?key=k-123")
    server.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        state: Receiver = self.server.state  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        state.requests.append(Received(url.path, query, self.headers["Content-Type"], raw))
        hook, state.on_request = state.on_request, None
        if hook is not None:
            hook()
        time.sleep(state.delay)
        status, answer = state.answers.pop(0) if state.answers else state.default
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass
