"""The local demo server: one HTTP server on localhost that mounts every plugin's demo source."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class DemoUnit:
    """A campaign unit as demo sources see it."""

    code: str
    name: str
    kind: str
    window: bool


@dataclass(frozen=True)
class DemoContext:
    """What a plugin gets to build its demo source from."""

    units: Sequence[DemoUnit]
    year: int
    seed: int = 2026


@dataclass(frozen=True)
class DemoResponse:
    """What a demo handler answers."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"


def json_response(status: int, payload: Any) -> DemoResponse:
    """A JSON answer (UTF-8, Chinese text unescaped)."""
    return DemoResponse(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


class DemoHandler(Protocol):
    def handle(self, method: str, path: str, query: Mapping[str, list[str]]) -> DemoResponse:
        """Answer a request for ``path`` (relative to the mount point)."""
        ...


@dataclass(frozen=True)
class DemoSource:
    """A demo source: what it is called, where it is mounted, who answers, which collector reads it."""

    name: str
    mount: str
    handler: DemoHandler
    collector: str


class _Handler(BaseHTTPRequestHandler):
    server: DemoServer

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        for source in self.server.sources:
            if parts.path == source.mount or parts.path.startswith(source.mount + "/"):
                answer = source.handler.handle(method, parts.path[len(source.mount) :] or "/", parse_qs(parts.query))
                break
        else:
            self.send_error(404, "no demo source is mounted here")
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(answer.body)

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's naming)
        self._answer("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the collectors' run log says what was fetched."""


class DemoServer(ThreadingHTTPServer):
    """Serves demo sources on ``host:port`` (port 0 picks a free one) from a background thread."""

    daemon_threads = True

    def __init__(self, sources: Sequence[DemoSource], host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.sources = list(sources)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def url_of(self, source: DemoSource) -> str:
        return self.base_url + source.mount

    def start(self) -> DemoServer:
        self._thread = threading.Thread(target=self.serve_forever, name="demo-sources", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
