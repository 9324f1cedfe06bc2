"""Notifications through apprise's json:// scheme to a real webhook receiver on localhost: once per event,
retried after a 500, free of complainants' personal data; the scheduled bulletin and digests; two workers."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from application import orders
from application.notify import deliver, queue_events
from application.orders import Actor
from collectors.config import Config
from models.accounts import Role
from models.base import utcnow
from models.campaign_file import load_campaign
from models.complaints import Complaint
from models.migrate import migrate
from models.orders import Notification
from models.store import Store, open_store
from models.upsert import upsert
from tests.test_cli import assert_clean_error, storm, workdir  # noqa: F401  (workdir is a fixture)
from tests.test_complaints_indicators import complaint

LEADER = Actor("leader", Role.LEADER)
PLANTED = {"complainant_name": "欧阳明远", "complainant_phone": "13912345678", "subject": "窗口推诿扯皮",
           "description": "办事窗口工作人员推诿扯皮三次未办", "address": "幸福路88号"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


class Receiver:
    """A webhook on localhost that keeps what it is sent, answering 500 to the first ``failures`` posts."""

    def __init__(self, failures: int = 0) -> None:
        self.received: list[dict] = []
        self.failures = failures
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.failures > 0:
                    receiver.failures -= 1
                    self.send_response(500)
                else:
                    receiver.received.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"json://127.0.0.1:{self.server.server_port}/hook"

    def titles(self) -> list[str]:
        return sorted(message["title"] for message in self.received)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


def settings(receiver: Receiver, **notify: object) -> Config:
    return Config(None, {"notify": {"default": [receiver.url], "base_url": "http://storm.test", **notify}})


def plant(store: Store, unit: str, now: dt.datetime) -> None:
    """A complaint of ``unit`` past its deadline, full of personal data."""
    record = complaint("PLANTED-1", unit=unit, received=now - dt.timedelta(days=9), deadline=now - dt.timedelta(days=2))
    with store.begin() as session:
        upsert(session, Complaint, "test", [{**record, **PLANTED}])


def assert_no_personal_data(receiver: Receiver) -> None:
    sent = json.dumps(receiver.received, ensure_ascii=False)
    for value in PLANTED.values():
        assert value not in sent


def test_orders_and_red_alerts_reach_the_webhook_once_without_personal_data(store: Store, registry, receiver):
    now = utcnow()
    plant(store, "dsz", now)
    with store.begin() as session:
        order = orders.open_order(session, LEADER, title="东山镇投诉办理超期", units=["dsz", "xhz"], now=now)
    config = settings(receiver)

    would = queue_events(store, registry, config, dry_run=True, now=now)
    assert {m.kind for m in would} >= {"order_new", "alert_red"}
    with store.begin() as session:
        assert session.scalars(select(Notification)).all() == []  # a dry run stores nothing

    queued = queue_events(store, registry, config, now=now)
    assert [m.key for m in queued] == [m.key for m in would]
    outcomes = deliver(store, registry, config, now=now)
    assert {o.status for o in outcomes} == {"sent"} and len(outcomes) == len(queued)
    titles = receiver.titles()
    assert titles.count("新督办单：东山镇") == titles.count("新督办单：西河镇") == 1
    new_order = next(m for m in receiver.received if m["title"] == "新督办单：东山镇")
    assert f"http://storm.test/orders?order={order.id}" in new_order["message"]
    reds = [m for m in receiver.received if m["title"].startswith("红色预警")]
    assert reds and any("东山镇" in m["message"] for m in reds)
    assert_no_personal_data(receiver)

    # Found again: nothing new is queued or sent.
    assert queue_events(store, registry, config, now=now) == []
    assert deliver(store, registry, config, now=now) == []
    assert len(receiver.received) == len(queued)


def test_a_message_the_receiver_refuses_is_retried_with_back_off(store: Store, registry, receiver):
    now = utcnow()
    receiver.failures = 1
    with store.begin() as session:
        order = orders.open_order(session, LEADER, title="重试", units=["dsz"], now=now)
    config = settings(receiver, backoff_seconds=60)
    key = f"order:{order.id}:dsz:new"
    assert queue_events(store, registry, config, now=now)[0].key == key  # sent first, refused with a 500
    first = deliver(store, registry, config, now=now)[0]
    assert (first.key, first.status, first.attempts) == (key, "pending", 1) and "500" in first.error
    assert deliver(store, registry, config, now=now + dt.timedelta(seconds=30)) == []  # not yet
    [second] = deliver(store, registry, config, now=now + dt.timedelta(seconds=61))
    assert (second.key, second.status, second.attempts, second.error) == (key, "sent", 2, None)
    assert receiver.titles().count("新督办单：东山镇") == 1
    with store.begin() as session:
        kept = session.scalars(select(Notification).where(Notification.key == key)).one()
        assert (kept.status, kept.attempts, kept.last_error) == ("sent", 2, None)


def test_a_message_that_keeps_failing_is_marked_failed_with_its_error(store: Store, registry, receiver):
    now = utcnow()
    receiver.failures = 99
    with store.begin() as session:
        order = orders.open_order(session, LEADER, title="一直失败", units=["dsz"], now=now)
    config = settings(receiver, backoff_seconds=1, max_attempts=2)
    queue_events(store, registry, config, now=now)
    deliver(store, registry, config, now=now)
    last = deliver(store, registry, config, now=now + dt.timedelta(seconds=5))
    assert {(o.status, o.attempts) for o in last} == {("failed", 2)}
    with store.begin() as session:
        kept = session.scalars(select(Notification).where(Notification.key == f"order:{order.id}:dsz:new")).one()
        assert kept.status == "failed" and "500" in kept.last_error


def test_the_weekly_and_monthly_bulletins_and_the_daily_digest_go_out_on_schedule(store: Store, registry, receiver):
    config = settings(receiver, bulletin_hour=8)
    monday = dt.datetime(2026, 11, 23, 7, 30, tzinfo=SHANGHAI)
    with store.begin() as session:
        orders.open_order(session, LEADER, title="整改台账逾期", units=["dsz"], now=monday.astimezone(dt.UTC))
    early = queue_events(store, registry, config, now=monday.astimezone(dt.UTC))
    assert not [m for m in early if m.kind in ("bulletin", "digest")]  # before 8 o'clock

    nine = (monday + dt.timedelta(hours=1, minutes=30)).astimezone(dt.UTC)
    scheduled = [m for m in queue_events(store, registry, config, now=nine) if m.kind in ("bulletin", "digest")]
    assert sorted(m.key for m in scheduled) == ["bulletin:2026-W47", "digest:dsz:2026-11-23"]
    deliver(store, registry, config, now=nine)
    [weekly] = [m for m in receiver.received if m["title"].startswith("情况通报")]
    [document] = weekly["attachments"]
    assert document["filename"] == "情况通报-2026-W47.docx"
    assert base64.b64decode(document["base64"])[:2] == b"PK"
    [digest] = [m for m in receiver.received if m["title"].startswith("每日督办提示")]
    assert "整改台账逾期" in digest["message"] and "http://storm.test/todo" in digest["message"]
    assert [m for m in queue_events(store, registry, config, now=nine) if m.kind == "bulletin"] == []

    first_of_december = dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI).astimezone(dt.UTC)
    monthly = [m.key for m in queue_events(store, registry, config, now=first_of_december) if m.kind == "bulletin"]
    assert monthly == ["bulletin:2026-11"]


@pytest.mark.postgres
def test_two_workers_on_postgresql_send_each_message_exactly_once(postgres_server, campaign, receiver, tmp_path: Path):
    url = postgres_server.create_database(f"notify_{os.getpid()}")
    store = open_store(url)
    migrate(store)
    with store.begin() as session:
        load_campaign(session, campaign)
        orders.open_order(session, LEADER, title="两个单位的督办", units=["dsz", "xhz"])
    plant(store, "dsz", utcnow())
    config = tmp_path / "storm.toml"
    config.write_text(
        "".join(f"[collectors.{name}]\nenabled = false\n" for name in ("service_center", "complaints", "tenders", "uploads"))
        + f'[notify]\ndefault = ["{receiver.url}"]\nevery_minutes = 1\n', encoding="utf-8")
    env = {**os.environ, "STORM_DATABASE_URL": url, "STORM_CONFIG": str(config)}
    workers = [subprocess.Popen([sys.executable, "-m", "storm", "worker"], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with store.begin() as session:
                pending = session.scalars(select(Notification.status)).all()
            if pending and all(status == "sent" for status in pending):
                break
            time.sleep(0.5)
        time.sleep(2)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(60)
    with store.begin() as session:
        sent = session.scalars(select(Notification)).all()
    store.dispose()
    assert sent and all(n.status == "sent" for n in sent), [(n.key, n.last_error) for n in sent]
    assert len(receiver.received) == len(sent)
    assert len({(m["title"], m["message"]) for m in receiver.received}) == len(receiver.received)
    assert {"新督办单：东山镇", "新督办单：西河镇"} <= set(receiver.titles())
    assert_no_personal_data(receiver)


def test_storm_notify_prints_what_it_would_send_then_sends_it(workdir: Path, receiver: Receiver):  # noqa: F811
    (workdir / "storm.toml").write_text(f'[notify]\ndefault = ["{receiver.url}"]\nbase_url = "http://storm.test"\n',
                                        encoding="utf-8")
    opened = storm("--config", "storm.toml", "orders", "open", "--title", "东山镇窗口办件超期", "--unit", "dsz",
                   cwd=workdir)
    assert opened.returncode == 0, opened.stderr
    dry = storm("--config", "storm.toml", "notify", "--dry-run", "--json", cwd=workdir)
    assert dry.returncode == 0, dry.stderr
    would = [m for m in json.loads(dry.stdout) if m["kind"] == "order_new"]
    assert [(m["title"], m["destinations"]) for m in would] == [("新督办单：东山镇", [receiver.url])]
    assert receiver.received == []
    sent = storm("--config", "storm.toml", "notify", "--json", cwd=workdir)
    assert sent.returncode == 0, sent.stderr
    assert {o["status"] for o in json.loads(sent.stdout)} == {"sent"}
    assert "新督办单：东山镇" in receiver.titles()
    (workdir / "bad.toml").write_text('[notify]\ndefault = "json://x"\n[notify.kinds]\nnope = []\n', encoding="utf-8")
    assert_clean_error(storm("--config", "bad.toml", "notify", cwd=workdir), "[notify.kinds] has no kind 'nope'")


def test_without_routes_nothing_is_queued_and_no_bulletin_is_made(store: Store, registry):
    monday = dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI).astimezone(dt.UTC)
    with store.begin() as session:
        orders.open_order(session, LEADER, title="无人接收", units=["dsz"], now=monday)
    would = queue_events(store, registry, Config(None), dry_run=True, now=monday)
    assert "order_new" in {m.kind for m in would} and all(m.destinations == () for m in would)
    assert not {"bulletin", "digest"} & {m.kind for m in would}
    assert queue_events(store, registry, Config(None), now=monday) == []
    with store.begin() as session:
        assert session.scalars(select(Notification)).all() == []
