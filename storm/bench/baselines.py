"""The baselines: the headline aggregates computed by DuckDB over the SQLite file, and by pandas
after loading the tables with ``pd.read_sql`` (the usual approach), each timed with what it loads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import make_url

from models.store import Store
from storm.bench.headlines import HEADLINES, Window
from storm.bench.measure import Measured, measure
from storm.bench.scale import BenchError

TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cases": (("accepted_at", "completed_at", "due_at", "rating", "supplement_count", "channel"),
              ("accepted_at", "completed_at", "due_at")),
    "complaints": (("received_at", "deadline_at", "closed_at", "category", "status", "verified", "outcome"),
                   ("received_at", "deadline_at", "closed_at")),
    "procurements": (("source", "external_id", "number_of_tenderers", "method", "tender_end", "tender_published_at",
                      "release_date"), ("tender_end", "tender_published_at", "release_date")),
    "awards": (("source", "ocid", "currency", "value", "status", "date", "published_at"), ("date", "published_at")),
}
"""The columns pandas loads of each table (those the headlines read), and which of them are times."""
DUCKDB_FROM = {
    "cases": "s.cases",
    "complaints": "s.complaints",
    "procurements": "s.procurements",
    "awards": "s.awards a LEFT JOIN s.procurements p ON p.source = a.source AND p.external_id = a.ocid",
}
SCANNER = "duckdb_extension_sqlite_scanner"
"""The package holding DuckDB's sqlite extension (there is no network to install it from)."""

Values = dict[str, float | None]


@dataclass
class Baseline:
    """A baseline's values by headline id and what computing them took."""

    values: Values
    measured: Measured


def _timed(compute: Callable[[], Values]) -> Baseline:
    with measure() as measured:
        values = compute()
    return Baseline(values, measured)


# --- pandas -----------------------------------------------------------------------------


def _load(store: Store, table: str) -> pd.DataFrame:
    columns, times = TABLES[table]
    with store.engine.connect() as connection:
        frame = pd.read_sql(f"SELECT {', '.join(columns)} FROM {table}", connection)
    for column in times:
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").dt.tz_localize(None)
    return frame


def pandas_values(store: Store, window: Window) -> Values:
    """Load the tables into pandas, join awards to their process there, and aggregate."""
    frames = {table: _load(store, table) for table in TABLES}
    methods = frames["procurements"][["source", "external_id", "method"]]
    frames["awards"] = frames["awards"].merge(methods, how="left", left_on=["source", "ocid"],
                                              right_on=["source", "external_id"])
    return {headline.id: headline.pandas_value(frames[headline.frame], window) for headline in HEADLINES}


def pandas_baseline(store: Store, window: Window) -> Baseline:
    return _timed(lambda: pandas_values(store, window))


# --- DuckDB -----------------------------------------------------------------------------


def duckdb_skipped(store: Store) -> str | None:
    """Why DuckDB cannot be the baseline here (None: it can)."""
    if store.dialect != "sqlite":
        return "DuckDB reads the SQLite file; on PostgreSQL there is no file of the same data to read"
    if find_spec("duckdb") is None or find_spec(SCANNER) is None:
        return "DuckDB is not installed: pip install -e '.[bench]'"
    return None


def _scanner(duckdb_version: str) -> Path:
    import duckdb_extension_sqlite_scanner as scanner

    path = Path(scanner.__file__).parent / "extensions" / f"v{duckdb_version}" / "sqlite_scanner.duckdb_extension"
    if not path.exists():
        raise BenchError(f"{SCANNER} does not hold the sqlite extension for DuckDB {duckdb_version}; "
                         "install the versions pyproject.toml's bench extra names")
    return path


def duckdb_connection(store: Store) -> Any:
    """DuckDB with its sqlite extension loaded and the store's file attached read only as ``s``:
    made once, before anything is timed, so that no figure counts connecting."""
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"LOAD '{_scanner(duckdb.__version__)}'")
    database = str(make_url(store.url).database).replace("'", "''")
    connection.execute(f"ATTACH '{database}' AS s (TYPE sqlite, READ_ONLY)")
    return connection


def duckdb_values(connection: Any, window: Window) -> Values:
    """Each headline with one query over the attached file."""
    params: dict[str, Any] = {"start": window.start, "end": window.end, "moment": window.moment}
    values: Values = {}
    for headline in HEADLINES:
        sql = headline.duckdb_sql(DUCKDB_FROM[headline.frame])
        used = {name: value for name, value in params.items() if f"${name}" in sql}
        (value,) = connection.execute(sql, used).fetchone() or (None,)
        values[headline.id] = None if value is None else float(value)
    return values


def duckdb_baselines(store: Store, window: Window) -> tuple[Baseline, Baseline]:
    """The headlines by DuckDB, cold (its first queries on the attached file) and warm (again)."""
    connection = duckdb_connection(store)
    try:
        return _timed(lambda: duckdb_values(connection, window)), _timed(lambda: duckdb_values(connection, window))
    finally:
        connection.close()
