"""The limit the load is measured against: the same rows, inserted with a plain executemany.

The rows the collectors stored are read back and inserted, as they are, into an empty copy
of the store (same schema, same database server: a file beside a SQLite store, a schema of
its own on PostgreSQL), one executemany per :data:`CHUNK` rows, each in its own transaction:
no reading of files, no parsing, validation, hashing or conflict handling. Only the inserts
are timed, two ways:

- ``driver``: the database driver's own ``cursor.executemany`` with the values as the driver
  read them (the strict limit);
- ``core``: SQLAlchemy Core's ``insert(table)`` with a list of rows, as the store's code writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Table, func, insert, select, text
from sqlalchemy.engine import make_url

from collectors.registry import Registry
from models.base import Base
from models.migrate import migrate
from models.store import Store, open_store
from models.uploads import UploadedFile
from storm.bench.measure import Measured, measure

CHUNK = 10_000
SCHEMA = "storm_bench_raw"


def loaded_tables(registry: Registry) -> list[Table]:
    """The tables the collectors write, in an order that inserts a row's parent first."""
    tables = {kind.model.__table__ for kind in registry.record_kinds.values()}
    tables |= {template.table for template in registry.upload_templates.values()} | {UploadedFile.__table__}
    return [table for table in Base.metadata.sorted_tables if table in tables]


@contextmanager
def empty_copy(store: Store) -> Iterator[Store]:
    """An empty, migrated store beside ``store``; removed afterwards."""
    url = make_url(store.url)
    if store.dialect == "sqlite":
        path = Path(url.database or "")
        copy_path = path.with_name(path.stem + "-raw" + path.suffix)
        copy_url = url.set(database=str(copy_path)).render_as_string(hide_password=False)
    else:
        with store.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        copy_url = url.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(hide_password=False)
    copy = open_store(copy_url)
    try:
        migrate(copy)
        yield copy
    finally:
        copy.dispose()
        if store.dialect == "sqlite":
            for leftover in copy_path.parent.glob(copy_path.name + "*"):
                leftover.unlink()
        else:
            with store.engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))


def _core_rows(store: Store, copy: Store, table: Table) -> tuple[int, float]:
    """Rows of ``table`` inserted into the copy with SQLAlchemy Core, and the seconds the inserts took."""
    rows, seconds = 0, 0.0
    with store.engine.connect() as source:
        result = source.execution_options(yield_per=CHUNK).execute(select(table))
        for chunk in result.mappings().partitions(CHUNK):
            started = time.perf_counter()
            with copy.engine.begin() as target:
                target.execute(insert(table), [dict(row) for row in chunk])
            seconds += time.perf_counter() - started
            rows += len(chunk)
    return rows, seconds


def _driver_values(store: Store, table: Table) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """How a row read by the driver goes back to it (PostgreSQL's driver reads JSON as objects)."""
    if store.dialect != "postgresql":
        return tuple
    from psycopg.types.json import Json

    wrapped = {n for n, column in enumerate(table.columns) if isinstance(column.type, JSON)}
    return lambda row: tuple(Json(v) if n in wrapped and v is not None else v for n, v in enumerate(row))


def _driver_rows(store: Store, copy: Store, table: Table) -> tuple[int, float]:
    """Rows of ``table`` inserted into the copy with the driver's executemany, and the seconds it took."""
    quote = store.engine.dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in table.columns)
    mark = "?" if store.engine.dialect.paramstyle == "qmark" else "%s"
    statement = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join([mark] * len(table.columns))})"
    values = _driver_values(store, table)
    rows, seconds = 0, 0.0
    with store.engine.connect() as source:
        query = f"SELECT {names} FROM {quote(table.name)}"
        for chunk in source.execution_options(yield_per=CHUNK).exec_driver_sql(query).partitions(CHUNK):
            batch = [values(row) for row in chunk]
            started = time.perf_counter()
            with copy.engine.begin() as target:
                target.exec_driver_sql(statement, batch)  # the cursor's executemany, nothing in between
            seconds += time.perf_counter() - started
            rows += len(batch)
    return rows, seconds


WAYS: dict[str, Callable[[Store, Store, Table], tuple[int, float]]] = {"driver": _driver_rows, "core": _core_rows}


def raw_insert(store: Store, tables: Sequence[Table], way: str) -> tuple[int, Measured, dict[str, tuple[int, float]]]:
    """Every row of ``tables`` inserted into an empty copy ``way`` (see the module docstring):
    (rows, the time and memory the inserts took, and each table's rows and seconds)."""
    by_table: dict[str, tuple[int, float]] = {}
    with empty_copy(store) as copy, measure() as measured:
        for table in tables:
            by_table[table.name] = WAYS[way](store, copy, table)
        with copy.engine.connect() as connection:
            stored = sum(connection.execute(select(func.count()).select_from(table)).scalar_one() for table in tables)
    total = sum(rows for rows, _ in by_table.values())
    measured.seconds = sum(seconds for _, seconds in by_table.values())
    if stored != total:
        raise RuntimeError(f"the raw copy holds {stored} rows, not {total}")
    return total, measured, by_table
