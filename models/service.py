"""Service-centre data: approval items (事项) and cases (办件)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.records import SourceRecord


def only_set(column: str) -> dict[str, Any]:
    """An index's options that leave out the rows whose ``column`` is NULL (a partial index)."""
    condition = text(f"{column} IS NOT NULL")
    return {"sqlite_where": condition, "postgresql_where": condition}


class ApprovalItem(SourceRecord, Base):
    """An approval item with its time limits, in working days."""

    __tablename__ = "approval_items"

    name: Mapped[str]
    unit_code: Mapped[str | None] = mapped_column(String(64))
    unit_name: Mapped[str | None]
    legal_days: Mapped[int | None]
    original_promised_days: Mapped[int | None]
    promised_days: Mapped[int | None]
    online: Mapped[bool] = mapped_column(default=False)
    in_center_required: Mapped[bool] = mapped_column(default=False)
    in_center: Mapped[bool] = mapped_column(default=False)
    retained: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime | None]


class Case(SourceRecord, Base):
    """A case handled at a service point: accepted, due, completed, rated."""

    __tablename__ = "cases"
    # The indexes on the two times also hold the columns the indicators over a period read,
    # so that those queries read the index alone (a range over a whole year would otherwise
    # look every row up in the table, slower than reading the table through). The indexes on
    # the agency project and the service point hold only the cases that have one (most have
    # neither), which is all their queries ask for.
    __table_args__ = (
        *SourceRecord.__table_args__,
        Index("ix_cases_accepted_at", "accepted_at", "channel", "supplement_count", "unit_code"),
        Index("ix_cases_unit_code", "unit_code"),
        Index("ix_cases_agency_project_id", "agency_project_id", **only_set("agency_project_id")),
        Index("ix_cases_point_unit_code", "point_unit_code", "point_level", "accepted_at",
              **only_set("point_unit_code")),
        Index(
            "ix_cases_completed_at", "completed_at", "due_at", "rating", "unit_code", "accepted_at", "source", "item_id"
        ),
    )

    item_id: Mapped[str] = mapped_column(String(128))  # the item's external_id at the same source
    unit_code: Mapped[str | None] = mapped_column(String(64))
    point_level: Mapped[str] = mapped_column(String(16))  # district | township | village
    point_unit_code: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))  # window | online
    accepted_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    supplement_count: Mapped[int] = mapped_column(default=0)
    rating: Mapped[str | None] = mapped_column(String(8))  # good | bad
    agency_project_id: Mapped[str | None] = mapped_column(String(64))
    agency_project_name: Mapped[str | None]
    updated_at: Mapped[dt.datetime | None]
