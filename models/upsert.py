"""The one bulk-write path for collected records: idempotent upsert on (source, external_id)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.records import content_hash

# Keys looked up per query, well under every database's bound-parameter limit.
LOOKUP_CHUNK = 500


@dataclass
class UpsertCounts:
    """What an upsert did with the records it was given."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def _insert_for(session: Session, model: type[Any]) -> Any:
    """A dialect INSERT on ``model``'s table: a Core statement, so that a list of rows is one
    executemany (the ORM's bulk path runs a statement per row once a Python default applies)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model.__table__)
    if dialect == "sqlite":
        return sqlite.insert(model.__table__)
    raise NotImplementedError(f"upsert is not implemented for the {dialect} database")


def upsert(session: Session, model: type[Any], source: str, records: Sequence[dict[str, Any]]) -> UpsertCounts:
    """Insert new records and update changed ones of ``model`` from ``source``.

    Each record is a dict of column values with an ``external_id``. A record whose
    content hash is unchanged is not written again; when the same external id comes
    twice, the later record wins.
    """
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        row = {**record, "source": source}
        row["content_hash"] = content_hash({k: v for k, v in record.items() if k != "external_id"})
        latest[str(record["external_id"])] = row
    known: dict[str, str] = {}
    ids = list(latest)
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        query = select(model.external_id, model.content_hash).where(
            model.source == source, model.external_id.in_(chunk)
        )
        known.update({external_id: digest for external_id, digest in session.execute(query)})
    counts = UpsertCounts()
    to_write = []
    for external_id, row in latest.items():
        previous = known.get(external_id)
        if previous is None:
            counts.inserted += 1
        elif previous != row["content_hash"]:
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        to_write.append(row)
    by_columns: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in to_write:
        by_columns.setdefault(frozenset(row), []).append(row)
    for columns, rows in by_columns.items():
        statement = _insert_for(session, model)
        statement = statement.on_conflict_do_update(
            index_elements=["source", "external_id"],
            set_={name: statement.excluded[name] for name in columns - {"source", "external_id"}},
        )
        session.execute(statement, rows)
    return counts
