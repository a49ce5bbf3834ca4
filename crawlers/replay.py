"""The replay server: serves saved pages as if it were the sites themselves.

A directory holds the pages and a ``routes.json``: a list of routes such as

    {"path": "/api/container/getIndex",
     "query": {"containerid": "100103type=1&q=星河电器", "page": "1"},
     "file": "weibo/search_1.json", "status": 200,
     "headers": {"Content-Type": "application/json; charset=utf-8"}}

A request matches a route when the path is equal and every query key the
route lists is present with that value (after URL decoding); the first match
wins. The bytes are served exactly as stored, with the stored headers, so a
GBK page keeps its GBK charset. Spiders reach it through their ``base_url``.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from yuqing.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    path: str
    file: Path
    query: dict[str, str] = field(default_factory=dict)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, path: str, query: dict[str, list[str]]) -> bool:
        return path == self.path and all(value in query.get(key, []) for key, value in self.query.items())


def load_routes(directory: Path) -> list[Route]:
    index = directory / "routes.json"
    if not index.is_file():
        raise ConfigError(f"no routes.json in replay directory {directory}")
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
        routes = [
            Route(
                path=e["path"],
                file=directory / e["file"],
                query={k: str(v) for k, v in e.get("query", {}).items()},
                status=int(e.get("status", 200)),
                headers=dict(e.get("headers", {})),
            )
            for e in entries
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"bad routes.json in {directory}: {exc!r}") from None
    missing = [str(r.file) for r in routes if not r.file.is_file()]
    if missing:
        raise ConfigError(f"routes.json names missing files: {', '.join(missing)}")
    return routes


class _Handler(BaseHTTPRequestHandler):
    server: ReplayServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        route = next((r for r in self.server.routes if r.matches(url.path, query)), None)
        if route is None:
            body = b"no replay route for this request\n"
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        else:
            body = route.file.read_bytes()
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("replay: " + format, *args)


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes = load_routes(directory)
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ReplayServer:
        threading.Thread(target=self.serve_forever, name="replay", daemon=True).start()
        return self
