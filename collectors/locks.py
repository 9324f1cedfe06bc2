"""One run of a collector at a time, across processes: a lock held in the database.

PostgreSQL: a session-level advisory lock on a connection held for the run (released if
the process dies). Other databases: a lease row in ``collector_locks`` taken with an
atomic conditional UPDATE, expiring after the run's time limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from models.base import utcnow
from models.runs import CollectorLock
from models.store import Store


def _advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"storm:{name}".encode(), digest_size=8).digest(), "big", signed=True)


def holder_id() -> str:
    """Who holds a lock: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def _advisory_lock(store: Store, name: str) -> Iterator[bool]:
    key = _advisory_key(name)
    with store.engine.connect() as connection:
        acquired = bool(connection.execute(select(func.pg_try_advisory_lock(key))).scalar())
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


@contextmanager
def _lease_lock(store: Store, name: str, lease: dt.timedelta) -> Iterator[bool]:
    holder = holder_id()
    now = utcnow()
    insert = (postgresql if store.dialect == "postgresql" else sqlite).insert(CollectorLock)
    with store.begin() as session:
        session.execute(insert.values(collector=name, holder=None, expires_at=None).on_conflict_do_nothing())
        taken = session.execute(
            update(CollectorLock)
            .where(
                CollectorLock.collector == name,
                or_(CollectorLock.holder.is_(None), CollectorLock.expires_at < now),
            )
            .values(holder=holder, expires_at=now + lease)
        ).rowcount
    try:
        yield taken == 1
    finally:
        if taken == 1:
            with store.begin() as session:
                session.execute(
                    update(CollectorLock)
                    .where(CollectorLock.collector == name, CollectorLock.holder == holder)
                    .values(holder=None, expires_at=None)
                )


def collector_lock(store: Store, name: str, lease: dt.timedelta) -> AbstractContextManager[bool]:
    """A context manager yielding whether this process may run collector ``name`` now."""
    if store.dialect == "postgresql":
        return _advisory_lock(store, name)
    return _lease_lock(store, name, lease)
