"""The audit log: every login, upload and admin action, who did it and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


class AuditEntry(Base):
    """One thing a person (or the command line) did."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_actor_at", "action", "actor", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(256))
    ok: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


def audit(
    session: Session, actor: str, action: str, target: str | None = None, ok: bool = True, **detail: Any
) -> AuditEntry:
    """Add an entry to the log (in the caller's transaction)."""
    entry = AuditEntry(actor=actor, action=action, target=target, ok=ok, detail=detail, at=utcnow())
    session.add(entry)
    return entry
