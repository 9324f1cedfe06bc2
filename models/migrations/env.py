"""Alembic environment: migrations of the store's own tables, run by ``storm init``."""

from alembic import context
from sqlalchemy import create_engine

import models.schema  # noqa: F401  (every table on Base.metadata)
from models.base import Base
from models.store import database_url

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        with create_engine(database_url()).connect() as connection:
            _run(connection)
            connection.commit()
    else:
        _run(connection)


def _ours(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Only the store's own tables are migrated; tables that plugins declare (their record
    kinds, the upload ledgers) are created by ``storm init`` and left alone here."""
    return not (type_ == "table" and reflected and compare_to is None)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection, target_metadata=Base.metadata, render_as_batch=True, include_object=_ours
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
