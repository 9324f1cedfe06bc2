"""The demo: one HTTP server on localhost that mounts every plugin's demo source, and the demo
files written into folders for collectors that read files."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.campaign import Campaign, Phase, Unit


@dataclass(frozen=True)
class DemoUnit:
    """A campaign unit as demo sources see it."""

    code: str
    name: str
    kind: str
    window: bool
    enforcement: bool = False
    key_enforcement: bool = False


@dataclass(frozen=True)
class DemoContext:
    """What a plugin gets to build its demo source from; ``starts_on`` is the campaign's first day
    (the start of its first phase; None: 1 January of ``year``)."""

    units: Sequence[DemoUnit]
    year: int
    seed: int = 2026
    starts_on: dt.date | None = None


def demo_context(session: Session, seed: int) -> DemoContext:
    """The context of the campaign in the store: its units in order, its year and its first day."""
    campaign = session.get(Campaign, 1)
    if campaign is None:
        raise ValueError("the store holds no campaign")
    units = [DemoUnit(u.code, u.name, u.kind, u.window, u.enforcement, u.key_enforcement)
             for u in session.scalars(select(Unit).order_by(Unit.position))]
    starts_on = session.scalar(select(func.min(Phase.starts_on)))
    return DemoContext(units=units, year=campaign.year, seed=seed, starts_on=starts_on)


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


@dataclass(frozen=True)
class DemoFiles:
    """Demo files for a collector that reads a folder: what they are called, the folder they go in
    (its name), what makes them (file name → content), and which setting of which collector names it."""

    name: str
    folder: str
    files: Callable[[], Mapping[str, bytes]]
    collector: str
    setting: str = "path"

    def write(self, base: Path) -> Path:
        """Write the files into ``base/folder`` (made if missing; other files there are left alone)."""
        folder = base / self.folder
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.files().items():
            (folder / name).write_bytes(data)
        return folder


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
