"""The collectors' bookkeeping: the run log, saved cursors and run locks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class CollectorRun(Base):
    """One run of one collector, with what it fetched and stored."""

    __tablename__ = "collector_runs"
    __table_args__ = (Index("ix_collector_runs_collector_started", "collector", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collector: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    """running | success (nothing lost) | partial (some records rejected) | failed | abandoned"""
    dry_run: Mapped[bool] = mapped_column(default=False)
    fetched: Mapped[int] = mapped_column(default=0)
    inserted: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[list[str]] = mapped_column(default=list)
    """The first rejections, each with where and why."""
    reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Every rejection counted by its kind of reason: ``{"'…' is not a date or time": 261}``."""
    unknown_words: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Words no word table knew, stored as unknown: ``{field: {word: records}}``."""
    notes: Mapped[list[str]] = mapped_column(default=list)
    """What the collector noted about how it read the source (how a column's dates were read …)."""


class CollectorCursor(Base):
    """Where a collector got to; advanced only together with the records before it."""

    __tablename__ = "collector_cursors"

    collector: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    shaped_by: Mapped[str | None] = mapped_column(String(64))
    """A digest of the settings that shaped the records read so far (see ``Collector.record_settings``)."""
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CollectorLock(Base):
    """A lease that keeps a collector from running twice at once (databases without advisory locks)."""

    __tablename__ = "collector_locks"

    collector: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[dt.datetime | None]
