"""Files offices uploaded: every attempt, the original bytes, and what became of it.

The rows of an accepted file live in the ledger table of its template (``ledger_<id>``,
generated from the template's declaration by :mod:`collectors.templates`), each pointing
back here by ``upload_id``. At most one file per (template, unit, period) is ``stored``:
a corrected re-upload marks the earlier one ``superseded`` and replaces its rows.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class UploadStatus(StrEnum):
    STORED = "stored"  # its rows are in the ledger
    SUPERSEDED = "superseded"  # a later file of the same template, unit and period replaced it
    REJECTED = "rejected"  # it had problems; nothing of it was stored


class UploadedFile(Base):
    """One uploaded file, accepted or rejected, with its original content."""

    __tablename__ = "uploads"
    __table_args__ = (
        Index("ix_uploads_template_unit_code_period", "template", "unit_code", "period"),
        Index(
            "uq_uploads_stored_per_period", "template", "unit_code", "period", unique=True,
            sqlite_where=text("status = 'stored'"), postgresql_where=text("status = 'stored'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(256))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    """The file as uploaded (empty for a file over the size limit, which is not kept)."""
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(default=0)
    replaced_rows: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """What was wrong with a rejected file: ``{"row", "column", "message"}`` each."""
