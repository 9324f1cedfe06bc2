"""The audit log: every login, upload, download and admin action, who did it, from where and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

ACTOR_LENGTH = 64
TARGET_LENGTH = 256
ADDRESS_LENGTH = 64
"""Longer than any IPv6 address with a zone."""


class AuditEntry(Base):
    """One thing a person (or the command line) did."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_action_actor_at", "action", "actor", "at"),
        Index("ix_audit_log_action_address_at", "action", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(TARGET_LENGTH))
    ok: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    address: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH))
    """The client's network address, for what came through the dashboard (None: the command line)."""


def audit(
    session: Session, actor: str, action: str, target: str | None = None, ok: bool = True,
    address: str | None = None, **detail: Any,
) -> AuditEntry:
    """Add an entry to the log (in the caller's transaction).

    What a visitor typed may be longer than a column (a user name of a thousand characters): it
    is cut to the column's length, so that logging an attempt never fails.
    """
    entry = AuditEntry(
        actor=actor[:ACTOR_LENGTH], action=action, target=None if target is None else target[:TARGET_LENGTH],
        ok=ok, address=None if address is None else address[:ADDRESS_LENGTH], detail=detail, at=utcnow(),
    )
    session.add(entry)
    return entry


def audit_apart(session: Session, actor: str, action: str, target: str | None = None, ok: bool = True,
                **detail: Any) -> None:
    """Write an entry in a transaction of its own on ``session``'s database, committed at once.

    For a refusal that the caller's transaction will roll back (an upload for an unknown unit
    raises, and its caller's transaction ends without a commit), so that the attempt stays logged.
    """
    with Session(session.get_bind()) as own, own.begin():
        audit(own, actor, action, target, ok, **detail)
