"""One run of a collector at a time, across processes: a lock held in the database.

PostgreSQL: a session-level advisory lock on a connection held for the run (released if
the process dies). Other databases: a lease row in ``collector_locks`` taken with an
atomic conditional UPDATE, expiring after the run's time limit, and taken over at once
when its holder was a process of this host that no longer exists (a killed run).
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


def _dead_here(holder: str | None) -> bool:
    """Whether ``holder`` was a process of this host that is gone."""
    host, _, rest = (holder or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@contextmanager
def _lease_lock(store: Store, name: str, lease: dt.timedelta) -> Iterator[bool]:
    holder = holder_id()
    now = utcnow()
    insert = (postgresql if store.dialect == "postgresql" else sqlite).insert(CollectorLock)
    with store.begin() as session:
        session.execute(insert.values(collector=name, holder=None, expires_at=None).on_conflict_do_nothing())
        current = session.get(CollectorLock, name)
        free = [CollectorLock.holder.is_(None), CollectorLock.expires_at < now]
        if current is not None and _dead_here(current.holder):
            free.append(CollectorLock.holder == current.holder)
        taken = session.execute(
            update(CollectorLock)
            .where(CollectorLock.collector == name, or_(*free))
            .values(holder=holder, expires_at=now + lease)
            .execution_options(synchronize_session=False)
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


def lock_holder(store: Store, name: str, lease: dt.timedelta) -> str:
    """Who holds collector ``name``'s lock and since when, as a person reads it."""
    if store.dialect == "postgresql":
        return "another process's database connection (PostgreSQL advisory lock)"
    with store.begin() as session:
        row = session.get(CollectorLock, name)
    if row is None or row.holder is None or row.expires_at is None:
        return "nobody now"
    host, _, rest = row.holder.partition(":")
    since = (row.expires_at - lease).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"process {rest.partition(':')[0]} on {host}, since {since}"


def collector_lock(store: Store, name: str, lease: dt.timedelta) -> AbstractContextManager[bool]:
    """A context manager yielding whether this process may run collector ``name`` now."""
    if store.dialect == "postgresql":
        return _advisory_lock(store, name)
    return _lease_lock(store, name, lease)
