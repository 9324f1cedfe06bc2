"""One bench run: load a synthetic district-year, compute, render, compare, and report it all as JSON."""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select, text

from collectors.config import Config
from collectors.demo import demo_context
from collectors.registry import Registry
from models.campaign_file import load_campaign, read_campaign
from models.migrate import migrate
from models.runs import CollectorRun
from models.store import Store, open_store
from storm.bench import baselines
from storm.bench.indicators import cold_and_warm, engine_values, every_indicator, scope_of, window
from storm.bench.ingest import Run, load
from storm.bench.machine import machine
from storm.bench.measure import Measured, measure, memory_note
from storm.bench.pages import render_pages
from storm.bench.raw import WAYS, loaded_tables, raw_insert
from storm.bench.scale import BenchError, Scale
from storm.bench.synthetic import write_sources

log = logging.getLogger("storm.bench")
TOLERANCE = 1e-9
NOTES = {
    "cold": "cold: the first run on a newly opened store (no connection or page cache of ours; the operating "
            "system may still cache the database file); warm: the next run on the same store",
    "ingest": "the synthetic files read by the real collectors (CSV exports, work orders, OCDS packages, the "
              "uploads inbox) through the runner into the store: parsing, validation, hashing, upsert",
    "raw": "the same rows read back and inserted into an empty copy of each table, one executemany per 10,000 "
           "rows: with the driver's own cursor (driver, the limit ingest_vs_raw compares with) and with "
           "SQLAlchemy Core (core)",
    "headlines": "the headline aggregates: ours through the indicator engine (overall values), DuckDB with one "
                 "query each over the attached SQLite file, pandas after pd.read_sql of the columns they read",
    "pages": "Streamlit AppTest in this process; cold right after clearing Streamlit's caches, warm the next run",
}


@dataclass(frozen=True)
class BenchOptions:
    """What to run: the scale, the store (None: a new SQLite file in ``folder``), where the files go
    (None: a temporary folder, removed afterwards) and the generators' seed."""

    scale: Scale
    database_url: str | None = None
    folder: Path | None = None
    seed: int = 2026


@contextmanager
def _folder(folder: Path | None) -> Iterator[Path]:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix="storm-bench-") as temporary:
        yield Path(temporary)


def _prepared(url: str, config: Config) -> Store:
    """The store, which must hold no collected data, migrated and holding the campaign."""
    store = open_store(url)
    if inspect(store.engine).has_table(CollectorRun.__tablename__):
        with store.begin() as session:
            if session.scalar(select(func.count()).select_from(CollectorRun)):
                store.dispose()
                raise BenchError(f"the store at {store.engine.url.render_as_string(hide_password=True)} already "
                                 "holds collected data; give the bench an empty database with --database-url")
    migrate(store)
    with store.begin() as session:
        load_campaign(session, read_campaign(config.campaign_file, config.campaign_year))
    return store


def _maintain(store: Store) -> Measured | None:
    """On PostgreSQL, what autovacuum does after a bulk load (statistics, the visibility map); timed."""
    if store.dialect != "postgresql":
        return None
    with measure() as measured, store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return measured


def _rate(rows: int, seconds: float) -> float | None:
    return round(rows / seconds, 1) if seconds else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator / denominator, 3) if numerator is not None and denominator else None


def _agree(ours: baselines.Values, other: baselines.Values) -> bool:
    def same(a: float | None, b: float | None) -> bool:
        return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=TOLERANCE))

    return all(same(ours[key], other.get(key)) for key in ours)


def _timings(cold: Measured, warm: Measured) -> dict[str, Any]:
    return {"cold": cold.as_json(), "warm": warm.as_json()}


def run_bench(options: BenchOptions, config: Config, registry: Registry) -> dict[str, Any]:
    """Run the bench and return its report (see the README's Performance section)."""
    with _folder(options.folder) as folder:
        url = options.database_url or f"sqlite:///{folder / 'bench.db'}"
        store = _prepared(url, config)
        try:
            return _run(store, options, config, registry, folder)
        finally:
            store.dispose()


def _run(store: Store, options: BenchOptions, config: Config, registry: Registry, folder: Path) -> dict[str, Any]:
    with store.begin() as session:
        context = demo_context(session, options.seed)
    log.info("generating the synthetic district-year in %s", folder)
    with measure() as generated:
        sources = write_sources(folder / "sources", registry, context, options.scale)
    log.info("loading it through the collectors: %s", sources.written)
    runs: list[Run] = load(store, registry, config, sources)
    maintenance = _maintain(store)
    log.info("inserting the same rows with a plain executemany")
    raw = {way: raw_insert(store, loaded_tables(registry), way) for way in WAYS}
    scope = scope_of(store, config)
    log.info("computing every indicator")
    computed, all_cold, all_warm = cold_and_warm(store.url, lambda s: every_indicator(s, registry, config))
    ours, ours_cold, ours_warm = cold_and_warm(store.url, lambda s: engine_values(s, registry, scope))
    log.info("the baselines")
    span = window(scope)
    pandas = baselines.pandas_baseline(store, span)
    skipped = baselines.duckdb_skipped(store)
    duck = None if skipped else [baselines.duckdb_baseline(store, span) for _ in range(2)]
    log.info("rendering the pages")
    pages = render_pages(store.url, config.path)
    ingest_rows = sum(run.rows for run in runs)
    ingest_seconds = sum(run.measured.seconds for run in runs)
    ingest_rate = _rate(ingest_rows, ingest_seconds)
    raw_rates = {way: _rate(rows, measured.seconds) for way, (rows, measured) in raw.items()}
    duck_seconds = duck[1].measured.seconds if duck else None
    return {
        "scale": options.scale.as_json(),
        "stored": sources.written,
        "database": {"dialect": store.dialect, "url": store.engine.url.render_as_string(hide_password=True)},
        "machine": machine(store),
        "generate": generated.as_json(),
        "ingest": {
            "runs": [run.as_json() for run in runs], "rows": ingest_rows, "seconds": round(ingest_seconds, 3),
            "rows_per_second": ingest_rate,
            "peak_rss_mib": round(max((run.measured.peak_rss_mib for run in runs), default=0.0), 1),
            "maintenance": maintenance.as_json() if maintenance else None,
        },
        "raw": {way: {"rows": rows, **measured.as_json(), "rows_per_second": raw_rates[way]}
                for way, (rows, measured) in raw.items()},
        "indicators": {"computed_with_value": computed, **_timings(all_cold, all_warm)},
        "headlines": {
            "ids": list(ours),
            "ours": {**_timings(ours_cold, ours_warm), "values": ours},
            "duckdb": ({"skipped": skipped} if duck is None else
                       {**_timings(duck[0].measured, duck[1].measured), "values": duck[1].values,
                        "agrees": _agree(ours, duck[1].values)}),
            "pandas": {**pandas.measured.as_json(), "values": pandas.values, "agrees": _agree(ours, pandas.values)},
        },
        "pages": {name: _timings(times["cold"], times["warm"]) for name, times in pages.items()},
        "ratios": {
            "ours_vs_duckdb": _ratio(ours_warm.seconds, duck_seconds),
            "all_indicators_vs_duckdb": _ratio(all_warm.seconds, duck_seconds),
            "pandas_vs_ours": _ratio(pandas.measured.seconds, ours_warm.seconds),
            "ingest_vs_raw": _ratio(ingest_rate, raw_rates["driver"]),
            "ingest_vs_core_executemany": _ratio(ingest_rate, raw_rates["core"]),
        },
        "notes": {**NOTES, "memory": memory_note()},
    }
