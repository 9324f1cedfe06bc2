"""Notifications: new, due-soon, overdue and escalated orders, new red alerts, failed collectors, and the
scheduled bulletins and digests, sent through ``apprise`` to the routes in storm.toml::

    [notify]
    base_url = "https://storm.example.gov.cn"     # links in messages point here
    default = ["json://127.0.0.1:9000/hook"]      # every message without a more specific route
    [notify.kinds]
    order_overdue = ["dingtalk://token/"]         # by kind (see KINDS)
    [notify.units]
    dsz = ["wecombot://key/"]                     # by unit (the unit's messages go here instead of default)

Each message is queued once: its key (``order:12:dsz:new``) is unique in the store, so an event found
again, or by a second worker, is not queued twice. A worker claims a message with a conditional update
(only one claim succeeds), sends it, and on failure retries it with exponential back-off until
``max_attempts``; failures stay visible with their last error. Messages carry titles, units, counts and
links, never names, phone numbers or complaint text.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import apprise
from apprise.attachment.memory import AttachMemory
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from application.alerts import COLLECTOR_FAILED, alert_key, current_alerts
from application.orders import OPEN_STATES, OrderSettings, auto_open, color, local_day, tick
from application.plugin import SOURCE as ORDERS
from collectors.alerts import Alert, Level
from collectors.config import Config
from collectors.errors import UserError
from collectors.exports import bulletin, bulletin_docx, month_of, week_of
from collectors.registry import Notifier, Registry
from collectors.status import collector_statuses
from models.base import utcnow
from models.campaign import Campaign, Unit
from models.orders import Notification, NotificationStatus, OrderUnit, SupervisionOrder
from models.store import Store
from models.workdays import workdays_between

log = logging.getLogger("storm.notify")

KINDS = ("order_new", "order_due_soon", "order_overdue", "order_escalated", "alert_red", "collector_failed",
         "bulletin", "digest")
PHONE = re.compile(r"\d{7,}")
CLAIM_EXPIRES = dt.timedelta(minutes=10)
"""A claim older than this (its worker died) may be taken again."""


@dataclass(frozen=True)
class NotifySettings:
    """``[notify]`` in storm.toml."""

    default: tuple[str, ...] = ()
    kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)
    base_url: str = "http://localhost:8501"
    every_minutes: int = 5
    max_attempts: int = 6
    backoff_seconds: int = 60
    bulletin_hour: int = 8
    """Local hour from which the weekly (Mondays), monthly (the 1st) bulletins and the daily digests go out."""

    @classmethod
    def of(cls, config: Config) -> NotifySettings:
        section = dict(config.section("notify"))
        routes = {name: _routes(section.get(name, {}), name) for name in ("kinds", "units")}
        unknown = set(routes["kinds"]) - set(KINDS)
        if unknown:
            raise UserError(f"[notify.kinds] has no kind '{min(unknown)}'; the kinds are {', '.join(KINDS)}")
        numbers = {name: section[name] for name in ("every_minutes", "max_attempts", "backoff_seconds", "bulletin_hour")
                   if name in section}
        for name, value in numbers.items():
            if not isinstance(value, int) or value < 0:
                raise UserError(f"[notify] {name} must be a whole number, not {value!r}")
        return cls(default=_urls(section.get("default", []), "default"), **routes,
                   base_url=str(section.get("base_url", cls.base_url)).rstrip("/"), **numbers)

    def destinations(self, kind: str, unit_code: str | None) -> list[str]:
        """The routes of a message: its kind's and its unit's, else the default ones."""
        found = [*self.kinds.get(kind, ()), *self.units.get(unit_code or "", ())]
        return list(dict.fromkeys(found or self.default))


def _urls(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(url, str) for url in value):
        raise UserError(f"[notify] {name} must be a list of apprise URLs such as [\"json://host:port/path\"]")
    return tuple(value)


def _routes(value: Any, name: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise UserError(f"[notify.{name}] must be a table of lists of apprise URLs")
    return {key: _urls(urls, f"{name}.{key}") for key, urls in value.items()}


@dataclass(frozen=True)
class Message:
    """A message to queue: what it is about (``key``), for whom, and what it says."""

    key: str
    kind: str
    unit_code: str | None
    title: str
    body: str
    link: str
    attachment_name: str | None = None
    attachment: bytes | None = None
    destinations: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "unit": self.unit_code, "title": self.title, "body": self.body,
                "link": self.link, "attachment": self.attachment_name, "destinations": list(self.destinations)}


def clean(text: str) -> str:
    """Text without long digit runs (a phone or ID number typed into a title is masked)."""
    return PHONE.sub(lambda match: "*" * len(match.group()), text)


# --- what happened ---------------------------------------------------------------------------


def order_messages(session: Session, settings: NotifySettings, orders: OrderSettings, now: dt.datetime) -> list[Message]:
    """New, due-soon, overdue and escalated orders, one message per unit side and event."""
    campaign = session.get(Campaign, 1)
    today = local_day(now, campaign.timezone)
    names = dict(session.execute(select(Unit.code, Unit.name)).all())
    messages = []
    rows = session.execute(select(OrderUnit, SupervisionOrder).join(SupervisionOrder)
                           .where(SupervisionOrder.closed_at.is_(None)))
    for side, order in rows:
        unit = names.get(side.unit_code, side.unit_code)
        link = f"{settings.base_url}/orders?order={order.id}"
        about = f"【{side.level}】督办单 {order.id}「{clean(order.title)}」"
        base = f"order:{order.id}:{side.unit_code}"
        messages.append(Message(f"{base}:new", "order_new", side.unit_code, f"新督办单：{unit}",
                                f"{about}，请于 {side.sign_due} 前签收，{side.reply_due} 前回告。", link))
        if side.state not in OPEN_STATES:
            continue
        if color(side, today) == "red":
            messages.append(Message(f"{base}:overdue:{side.reply_due}", "order_overdue", side.unit_code,
                                    f"督办单超期未回告：{unit}", f"{about}回告期限 {side.reply_due} 已过。", link))
        elif workdays_between(today, side.reply_due) <= orders.due_soon_days:
            messages.append(Message(f"{base}:due:{side.reply_due}", "order_due_soon", side.unit_code,
                                    f"督办单即将到期：{unit}", f"{about}请于 {side.reply_due} 前回告。", link))
        if side.level != order.level:
            messages.append(Message(f"{base}:level:{side.level}", "order_escalated", side.unit_code,
                                    f"提级督办：{unit}", f"{about}超期未回告，已提级为{side.level}。", link))
    return messages


def alert_messages(session: Session, alerts: Iterable[Alert], settings: NotifySettings) -> list[Message]:
    """New red alerts (one message per alert and day it arose), failed collectors (one per failed run)."""
    codes = dict(session.execute(select(Unit.name, Unit.code)).all())
    messages = []
    for alert in alerts:
        if alert.level != Level.RED or alert.title == COLLECTOR_FAILED or alert.source == ORDERS:  # sent on their own
            continue
        text = f"{alert.unit}：{alert.text}" if alert.unit else alert.text
        messages.append(Message(f"alert:{alert_key(alert)}:{alert.at.date()}"[:200], "alert_red",
                                codes.get(alert.unit or ""), f"红色预警：{alert.title}", clean(text),
                                f"{settings.base_url}/"))
    return messages


def collector_messages(session: Session, registry: Registry, config: Config, settings: NotifySettings) -> list[Message]:
    return [
        Message(f"run:{status.last_run['id']}:failed", "collector_failed", None, f"采集失败：{status.title}",
                f"{status.title}最近一次采集失败（{status.last_run['started']}），请查看采集状态页。",
                f"{settings.base_url}/collectors")
        for status in collector_statuses(session, registry, config)
        if status.enabled and status.last_run and status.last_run["status"] == "failed"
    ]


def scheduled_messages(session: Session, registry: Registry, config: Config, settings: NotifySettings,
                       alerts: Sequence[Alert], now: dt.datetime) -> list[Message]:
    """The weekly bulletin on Mondays, the monthly one on the 1st (last week's, last month's, as DOCX), and each
    unit's daily digest of its open orders and red alerts, from ``bulletin_hour`` local time on; a message already
    queued, or with no route to go by, is not made."""
    campaign = session.get(Campaign, 1)
    local = now.astimezone(ZoneInfo(campaign.timezone))
    if local.hour < settings.bulletin_hour:
        return []
    today = local.date()
    periods = []
    if today.weekday() == 0:
        periods.append(week_of(today - dt.timedelta(days=7)))
    if today.day == 1:
        periods.append(month_of(today - dt.timedelta(days=1)))
    messages = []
    for period in periods:
        key = f"bulletin:{period.key}"
        if period.year != campaign.year or not settings.destinations("bulletin", None) or _queued(session, key):
            continue
        document = bulletin_docx(bulletin(session, registry, config, period))
        messages.append(Message(key, "bulletin", None, f"情况通报（{period.label}）",
                                f"{campaign.name}情况通报（{period.label}）见附件。",
                                f"{settings.base_url}/reports", f"情况通报-{period.key}.docx", document))
    return messages + digest_messages(session, settings, alerts, today)


def digest_messages(session: Session, settings: NotifySettings, alerts: Sequence[Alert], today: dt.date) -> list[Message]:
    """Each unit's digest of the day: its open orders and its red alerts (units with neither get none)."""
    units = session.execute(select(Unit.code, Unit.name).order_by(Unit.position)).all()
    open_sides = session.execute(select(OrderUnit, SupervisionOrder).join(SupervisionOrder)
                                 .where(OrderUnit.state.in_(OPEN_STATES)).order_by(SupervisionOrder.id)).all()
    messages = []
    for code, name in units:
        key = f"digest:{code}:{today}"
        lines = [f"督办单 {order.id}【{side.level}】「{clean(order.title)}」{side.state}，回告期限 {side.reply_due}"
                 + ("（已超期）" if color(side, today) == "red" else "")
                 for side, order in open_sides if side.unit_code == code]
        reds = [alert for alert in alerts if alert.level == Level.RED and alert.unit == name]
        if not lines and not reds or not settings.destinations("digest", code) or _queued(session, key):
            continue
        lines += [f"红色预警：{alert.title}：{clean(alert.text)}" for alert in reds]
        messages.append(Message(key, "digest", code, f"每日督办提示：{name}（{today}）",
                                f"未办结督办单 {len([s for s, _ in open_sides if s.unit_code == code])} 件，"
                                f"红色预警 {len(reds)} 条。\n" + "\n".join(lines), f"{settings.base_url}/todo"))
    return messages


def _queued(session: Session, key: str) -> bool:
    return session.scalar(select(Notification.id).where(Notification.key == key)) is not None


def gather(session: Session, registry: Registry, config: Config, now: dt.datetime) -> list[Message]:
    """Apply the orders' clock, then every message that is due now (queued ones included)."""
    settings = NotifySettings.of(config)
    orders = OrderSettings.of(config)
    tick(session, orders, now)
    alerts = current_alerts(session, registry, config, now)
    auto_open(session, alerts, orders, now)
    found = [*order_messages(session, settings, orders, now), *alert_messages(session, alerts, settings),
             *collector_messages(session, registry, config, settings),
             *scheduled_messages(session, registry, config, settings, alerts, now)]
    unique = {m.key: m for m in reversed(found)}  # the first of messages with one key
    return [Message(**{**vars(m), "destinations": tuple(settings.destinations(m.kind, m.unit_code))})
            for m in reversed(unique.values())]


def queue(session: Session, messages: Sequence[Message], now: dt.datetime) -> int:
    """Queue the messages not queued before (the key's unique index decides); how many were new."""
    if not messages:
        return 0
    dialect = session.get_bind().dialect.name
    rows = [{"key": m.key, "kind": m.kind, "unit_code": m.unit_code, "title": m.title[:256], "body": m.body,
             "link": m.link, "attachment_name": m.attachment_name, "attachment": m.attachment,
             "status": NotificationStatus.PENDING, "attempts": 0, "created_at": now, "next_attempt_at": now}
            for m in messages]
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(Notification).on_conflict_do_nothing(index_elements=["key"])
    connection = session.connection()
    return sum(connection.execute(statement.values(**row)).rowcount for row in rows)


def queue_events(store: Store, registry: Registry, config: Config, dry_run: bool = False,
                 now: dt.datetime | None = None) -> list[Message]:
    """Find what happened and queue what has a route; with ``dry_run``, only say what would be queued, routed or
    not (nothing is stored)."""
    now = now or utcnow()
    session = store.sessions()
    try:
        messages = gather(session, registry, config, now)
        fresh = [m for m in messages if not _queued(session, m.key)]
        if dry_run:
            session.rollback()
        else:
            fresh = [m for m in fresh if m.destinations]
            queue(session, fresh, now)
            session.commit()
        return fresh
    finally:
        session.close()


# --- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    key: str
    title: str
    status: str
    attempts: int
    destinations: list[str]
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return vars(self)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def claim(store: Store, worker: str, now: dt.datetime, limit: int = 50) -> list[Notification]:
    """Messages due now that this worker took: each is moved to ``sending`` by one conditional update, which
    only one worker's update can match."""
    taken = []
    due = or_(Notification.status == NotificationStatus.PENDING,
              (Notification.status == NotificationStatus.SENDING) & (Notification.claimed_at < now - CLAIM_EXPIRES))
    with store.begin() as session:
        candidates = session.scalars(select(Notification.id).where(due, Notification.next_attempt_at <= now)
                                     .order_by(Notification.id).limit(limit)).all()
    for notification_id in candidates:
        with store.begin() as session:
            claimed = session.execute(
                update(Notification).where(Notification.id == notification_id, due)
                .values(status=NotificationStatus.SENDING, claimed_by=worker, claimed_at=now)
            ).rowcount
            if claimed == 1:
                taken.append(session.get(Notification, notification_id))
    return taken


_registered: set[str] = set()


def register_channels(notifiers: Iterable[Notifier]) -> None:
    """Make the plugins' channels known to apprise (once per process)."""
    for notifier in notifiers:
        if notifier.scheme not in _registered:
            apprise.decorators.notify(on=notifier.scheme, name=notifier.scheme)(notifier.send)
            _registered.add(notifier.scheme)


def send(notification: Notification, destinations: Sequence[str]) -> str | None:
    """Deliver one message to every destination; None, or what went wrong."""
    if not destinations:
        return "no route: set [notify] default in storm.toml"
    sender = apprise.Apprise()
    for url in destinations:
        if not sender.add(url):
            return f"not an apprise URL: {url.split('://')[0]}://…"
    attach = None
    if notification.attachment is not None:
        attach = apprise.AppriseAttachment()
        attach.add(AttachMemory(content=notification.attachment, name=notification.attachment_name))
    body = f"{notification.body}\n{notification.link}" if notification.link else notification.body
    with apprise.LogCapture(level=logging.WARNING) as logs:
        delivered = sender.notify(body=body, title=notification.title, attach=attach)
        if delivered:
            return None
        lines = [line.split(" - ", 2)[-1] for line in logs.getvalue().splitlines() if line.strip()]
    return ("; ".join(lines) or "not delivered")[:500]


def deliver(store: Store, registry: Registry, config: Config, now: dt.datetime | None = None,
            worker: str | None = None) -> list[Outcome]:
    """Send the queued messages that are due: sent, or back to pending with back-off, or failed for good."""
    now = now or utcnow()
    settings = NotifySettings.of(config)
    register_channels(registry.notifiers.values())
    outcomes = []
    for notification in claim(store, worker or worker_name(), now):
        destinations = settings.destinations(notification.kind, notification.unit_code)
        error = send(notification, destinations)
        attempts = notification.attempts + 1
        if error is None:
            values: dict[str, Any] = {"status": NotificationStatus.SENT, "sent_at": utcnow(), "last_error": None}
        elif attempts >= settings.max_attempts:
            values = {"status": NotificationStatus.FAILED, "last_error": error}
        else:
            delay = dt.timedelta(seconds=settings.backoff_seconds * 2 ** (attempts - 1))
            values = {"status": NotificationStatus.PENDING, "next_attempt_at": now + delay, "last_error": error}
        with store.begin() as session:
            session.execute(update(Notification).where(Notification.id == notification.id)
                            .values(attempts=attempts, **values))
        if error:
            log.warning("notification %s not delivered: %s", notification.key, error)
        outcomes.append(Outcome(notification.key, notification.title, values["status"], attempts, destinations, error))
    return outcomes


def run_notifications(store: Store, registry: Registry, config: Config, now: dt.datetime | None = None) -> None:
    """What the worker does on its schedule: queue what happened, then send what is due."""
    queue_events(store, registry, config, now=now)
    deliver(store, registry, config, now=now)


def recent(session: Session, limit: int = 50) -> list[Notification]:
    """The latest messages, failures first (for the dashboard)."""
    failed = Notification.status == NotificationStatus.FAILED
    return list(session.scalars(select(Notification).order_by(failed.desc(), Notification.id.desc()).limit(limit)))

