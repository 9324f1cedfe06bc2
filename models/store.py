"""Opening the store: one engine and one session factory per database URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///storm.db"
URL_VARIABLE = "STORM_DATABASE_URL"


class StoreError(Exception):
    """The store cannot be opened or used; the message says what to do."""


def database_url() -> str:
    """The configured database URL: ``$STORM_DATABASE_URL`` or the embedded SQLite file."""
    return os.environ.get(URL_VARIABLE) or DEFAULT_URL


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StoreError(
            f"cannot use database URL {url!r} ({exc}); set {URL_VARIABLE} to a SQLAlchemy URL "
            "such as sqlite:///storm.db or postgresql+psycopg://user@host/db"
        ) from None
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not Path(database).parent.exists():
            raise StoreError(f"cannot open {url!r}: folder {Path(database).parent} does not exist")
        event.listen(engine, "connect", _tune_sqlite)
    return engine


@dataclass
class Store:
    """A database: its engine and a session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None) -> Store:
    """Open the store at ``url`` (default :func:`database_url`) and check that it answers."""
    url = url or database_url()
    engine = _make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0]
        raise StoreError(
            f"cannot connect to the store at {engine.url.render_as_string(hide_password=True)}: "
            f"{reason}; check {URL_VARIABLE} and that the database server is running"
        ) from None
    return Store(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
