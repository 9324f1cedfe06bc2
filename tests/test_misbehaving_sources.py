"""A source on localhost that misbehaves on purpose: it drips, sends too much, loops, fails and
recovers; a run killed half-way. Each run ends by its deadline with a clear outcome and nothing
stored twice or half-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from collectors.config import Config, collector_settings
from collectors.runner import run_collector
from collectors.status import collector_statuses
from models.runs import CollectorRun
from models.service import ApprovalItem

Behaviour = Callable[[BaseHTTPRequestHandler, str, dict[str, list[str]]], None]


def item(number: int) -> dict:
    return {"id": f"I{number}", "name": f"事项{number}", "department": "政府办",
            "updated_at": f"2026-03-01T08:{number // 60:02d}:{number % 60:02d}Z"}


def send(handler: BaseHTTPRequestHandler, body: bytes, status: int = 200) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def page(handler: BaseHTTPRequestHandler, items: list[dict], next_link: str | None) -> None:
    send(handler, json.dumps({"data": items, "next": next_link}).encode())


class Source:
    """A local HTTP source whose /api/v1/items answers as ``behaviour`` says; /api/v1/cases is empty."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler) -> None:  # noqa: N802 (the name http.server calls)
                url = urlparse(handler.path)
                self.requests += 1
                try:
                    if url.path.endswith("/cases"):
                        page(handler, [], None)
                    else:
                        behaviour(handler, url.path, parse_qs(url.query))
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def source() -> Iterator[Callable[[Behaviour], Source]]:
    started: list[Source] = []

    def start(behaviour: Behaviour) -> Source:
        started.append(Source(behaviour))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def run(store, registry, url: str, **overrides: str):
    values = collector_settings(Config(path=None), registry.collector("service_center"),
                                {"url": url, "retries": "2", **overrides})
    started = time.monotonic()
    result = run_collector(store, registry, "service_center", values)
    return result, time.monotonic() - started


def items_stored(store) -> int:
    with store.begin() as session:
        return session.scalar(select(func.count()).select_from(ApprovalItem))


def drip(handler: BaseHTTPRequestHandler, path: str, query: dict) -> None:
    body = json.dumps({"data": [item(1)], "next": None}).encode()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for byte in body:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.5)


def test_a_dripping_source_is_stopped_at_the_deadline(store, registry, source):
    server = source(drip)
    result, seconds = run(store, registry, server.url, max_minutes="0.05", timeout="30")
    assert result.status == "failed"
    assert "deadline (max_minutes)" in result.error
    assert seconds < 10, "3 s of max_minutes, not the minutes the drip would take"
    assert items_stored(store) == 0


def test_an_answer_larger_than_max_response_mb_is_refused_unread(store, registry, source):
    def huge(handler, path, query):
        send(handler, b"[" + b" " * (3 * 2**20) + b"]")

    result, _ = run(store, registry, source(huge).url, max_response_mb="1")
    assert result.status == "failed"
    assert "the answer is larger than 1 MB; raise max_response_mb" in result.error


def test_what_a_run_reads_in_all_is_bounded(store, registry, source):
    def pages(handler, path, query):
        number = int(query.get("n", ["0"])[0])
        page(handler, [item(number)] + [{**item(number), "name": "x" * 200_000}], f"/api/v1/items?n={number + 1}")

    result, _ = run(store, registry, source(pages).url, max_run_mb="1")
    assert result.status == "failed" and "raise max_run_mb" in result.error
    assert items_stored(store) > 0, "the pages read before the bound was reached are kept"


@pytest.mark.parametrize(("name", "behaviour", "message"), [
    ("next is the page itself", lambda h, p, q: page(h, [item(1)], "/api/v1/items?limit=500"), "links back"),
    ("3 → 2 → 3", lambda h, p, q: page(h, [item(int(q.get("n", ["1"])[0]))],
                                        f"/api/v1/items?n={2 if q.get('n') == ['3'] else 3}"), "links back"),
    ("the same items under new addresses", lambda h, p, q: page(
        h, [item(1), item(2)], f"/api/v1/items?token={time.monotonic_ns()}"), "repeats the items"),
])
def test_a_feed_that_loops_is_stopped(store, registry, source, name, behaviour, message):
    server = source(behaviour)
    result, seconds = run(store, registry, server.url)
    assert result.status == "failed", name
    assert message in result.error
    assert seconds < 10 and server.requests < 10


def test_errors_then_recovery(store, registry, source):
    answers = iter([500, 503])

    def flaky(handler, path, query):
        status = next(answers, 200)
        if status != 200:
            send(handler, b"<html>" + b"stack trace " * 1000 + b"</html>", status)
        else:
            page(handler, [item(1), item(2)], None)

    result, _ = run(store, registry, source(flaky).url)
    assert (result.status, result.inserted) == ("success", 2), "retried past two server errors"

    def broken(handler, path, query):
        send(handler, b"<html>" + b"stack trace " * 1000 + b"</html>", 500)

    result, _ = run(store, registry, source(broken).url)
    assert result.status == "failed"
    assert "answered 500" in result.error and result.error.count("stack trace") < 20, "the error body is trimmed"


def test_a_killed_run_is_marked_abandoned_and_its_lock_taken_over(tmp_path: Path, source, database_url, registry):
    server = source(drip)
    environment = {**os.environ, "STORM_DATABASE_URL": database_url}
    environment.pop("STORM_CONFIG", None)
    storm = [sys.executable, "-m", "storm"]
    subprocess.run([*storm, "init"], cwd=tmp_path, env=environment, check=True, capture_output=True, timeout=120)
    killed = subprocess.Popen([*storm, "collect", "service_center", "--set", f"url={server.url}"],
                              cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while server.requests == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    killed.send_signal(signal.SIGKILL)
    killed.wait(10)

    again = subprocess.run([*storm, "collect", "service_center", "--set", f"url={server.url}", "--set",
                            "max_minutes=0.02"], cwd=tmp_path, env=environment, capture_output=True, text=True,
                           timeout=120)
    assert "skipped" not in again.stdout, "the dead holder's lock is taken over at once"
    assert again.returncode == 2 and "deadline" in again.stderr
    status = subprocess.run([*storm, "status", "--json"], cwd=tmp_path, env=environment, capture_output=True,
                            text=True, timeout=120)
    runs = {entry["name"]: entry["last_run"] for entry in json.loads(status.stdout)}
    assert runs["service_center"]["status"] == "failed"
    from models.store import open_store
    store = open_store(database_url)
    try:
        with store.begin() as session:
            statuses = [run.status for run in session.scalars(select(CollectorRun).order_by(CollectorRun.id))]
            assert statuses == ["abandoned", "failed"]
            assert [s.last_run["status"] for s in collector_statuses(session, registry, Config(None))
                    if s.name == "service_center"] == ["failed"]
    finally:
        store.dispose()


def release_package(number: int, next_link: str) -> bytes:
    release = {"ocid": f"ocds-x-{number}", "id": f"r{number}", "date": "2026-03-01T08:00:00Z", "tag": ["tender"],
               "initiationType": "tender", "tender": {"id": "t", "procurementMethod": "open"}}
    return json.dumps({"uri": "x", "publishedDate": "2026-03-01T08:00:00Z", "releases": [release],
                       "links": {"next": next_link}}).encode()


@pytest.mark.parametrize(("name", "next_of", "message"), [
    ("3 → 2 → 3", lambda n: f"/feed?page={2 if n == 3 else 3}", "links back"),
    ("the same release under new addresses", lambda n: f"/feed?page={n + 1}", "repeats the items"),
])
def test_a_tender_feed_that_loops_is_stopped(store, registry, source, name, next_of, message):
    def feed(handler, path, query):
        number = int(query.get("page", ["1"])[0])
        send(handler, release_package(1 if "same" in name else number, next_of(number)))

    server = source(feed)
    values = collector_settings(Config(path=None), registry.collector("tenders"), {"url": f"{server.url}/feed"})
    result = run_collector(store, registry, "tenders", values)
    assert result.status == "failed", name
    assert message in result.error
    assert server.requests < 10
