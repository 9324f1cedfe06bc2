"""Supervision orders (督办单) and the notifications storm sends.

An order names a matter, why it is raised (an alert, an indicator 未达标 or a leader's own
words), its level and the units that must answer. Each unit's side of the order (签收, 回告,
办结 or 退回重办, its deadlines and its level after escalation) is an :class:`OrderUnit`; every
step is an :class:`OrderEvent` on the order's timeline, replies' files are
:class:`OrderAttachment` s. A :class:`Notification` is one message to send, once: its ``key``
is unique, so that an event found twice (or by two workers) is queued once.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class OrderLevel(StrEnum):
    """How pressing an order is, lowest first; a red order escalates to the next."""

    REMIND = "提醒"
    SUPERVISE = "督办"
    LISTED = "挂牌督办"


class OrderOrigin(StrEnum):
    """What an order was opened from."""

    ALERT = "alert"
    INDICATOR = "indicator"
    MATTER = "matter"


class UnitState(StrEnum):
    """Where a unit's side of an order stands."""

    ISSUED = "issued"  # sent, not yet signed for
    SIGNED = "signed"  # 签收
    REPLIED = "replied"  # 回告, waiting for the leader
    RETURNED = "returned"  # 退回重办: to be answered again
    ACCEPTED = "accepted"  # 办结


class SupervisionOrder(Base):
    """One 督办单."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    matter: Mapped[str] = mapped_column(Text, default="")
    """What is to be done (the leader's words)."""
    reason: Mapped[str] = mapped_column(Text, default="")
    """Why: the alert's or indicator's particulars, aggregate only."""
    origin: Mapped[str] = mapped_column(String(16))
    origin_ref: Mapped[str | None] = mapped_column(String(256))
    """The indicator id, or the alert's source and title."""
    level: Mapped[str] = mapped_column(String(16))
    """The level it was opened at (each unit's current level is on its :class:`OrderUnit`)."""
    sign_days: Mapped[int]
    reply_days: Mapped[int]
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    closed_at: Mapped[dt.datetime | None]

    units: Mapped[list[OrderUnit]] = relationship(back_populates="order", order_by="OrderUnit.id")
    events: Mapped[list[OrderEvent]] = relationship(order_by="OrderEvent.id")


class OrderUnit(Base):
    """One unit's side of an order."""

    __tablename__ = "order_units"
    __table_args__ = (Index("ix_order_units_unit_code_state", "unit_code", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    state: Mapped[str] = mapped_column(String(16), default=UnitState.ISSUED)
    level: Mapped[str] = mapped_column(String(16))
    sign_due: Mapped[dt.date]
    """The last local day to sign for it on."""
    reply_due: Mapped[dt.date]
    """The last local day to reply on (moved on by a return)."""
    signed_at: Mapped[dt.datetime | None]
    signed_late: Mapped[bool | None]
    replied_at: Mapped[dt.datetime | None]
    replied_late: Mapped[bool | None]
    """Whether the first reply came after ``reply_due``."""
    returns: Mapped[int] = mapped_column(default=0)
    accepted_at: Mapped[dt.datetime | None]
    yellow_at: Mapped[dt.datetime | None]
    """When it turned yellow (not signed for in time)."""
    red_at: Mapped[dt.datetime | None]
    """When it turned red (not answered in time)."""

    order: Mapped[SupervisionOrder] = relationship(back_populates="units")


class OrderEvent(Base):
    """A step on an order's timeline."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OrderAttachment(Base):
    """A file a unit sent with a reply."""

    __tablename__ = "order_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("order_events.id"))
    unit_code: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(256))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)


class NotificationStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # every attempt failed


class Notification(Base):
    """One message to deliver once, with its attempts."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    """What the message is about, e.g. ``order:12:U03:new``: the same event never queues twice."""
    kind: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(256))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(512), default="")
    attachment_name: Mapped[str | None] = mapped_column(String(256))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
