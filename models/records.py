"""What every collected record has: its source, its id there, and a hash of its content."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from models.base import utcnow


class SourceRecord:
    """Mixin for tables that collectors fill.

    The natural key is ``(source, external_id)``: re-collecting a record updates it in
    place. ``content_hash`` lets the upsert skip records that did not change.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    content_hash: Mapped[str] = mapped_column(String(32))
    collected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("source", "external_id"),)


def content_hash(values: dict[str, Any]) -> str:
    """A stable hash of a record's fields (key order and value types do not matter)."""
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
