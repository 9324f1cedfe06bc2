"""Data versions: a number per source that grows whenever the source's rows are stored, updated or deleted.

The runner and uploads bump their source's version in the transaction that changed its rows;
a run that changed nothing leaves it as it was. Caches of what is computed from the data are
keyed on these versions (those of the sources a view reads), so that they are recomputed only
when data they depend on changed. :data:`INDICATORS` is bumped when indicator cells are rebuilt
for a new definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

INDICATORS = "*indicators"
"""The version of the indicators' definitions (cells rebuilt), beside those of the sources."""


class SourceVersion(Base):
    """How many times a source's rows changed, and when they last did."""

    __tablename__ = "source_versions"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    changed_at: Mapped[dt.datetime]


def bump(session: Session, source: str) -> None:
    """Record in the caller's transaction that ``source``'s rows changed."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(SourceVersion).values(source=source, version=1, changed_at=utcnow())
    session.execute(statement.on_conflict_do_update(
        index_elements=["source"],
        set_={"version": SourceVersion.version + 1, "changed_at": statement.excluded.changed_at},
    ))


def versions(session: Session, sources: Iterable[str] | None = None) -> tuple[tuple[str, int], ...]:
    """The versions of ``sources`` (None: every source), sorted by source; a source never changed is left out."""
    query = select(SourceVersion.source, SourceVersion.version).order_by(SourceVersion.source)
    if sources is not None:
        query = query.where(SourceVersion.source.in_(list(sources)))
    return tuple((source, version) for source, version in session.execute(query))
