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
from storm.bench.indicators import (
    cold_and_warm,
    engine_values,
    every_indicator,
    full_recompute,
    indicator_scopes,
    scope_of,
    window,
)
from storm.bench.ingest import Run, load, next_day
from storm.bench.machine import machine
from storm.bench.measure import Measured, measure, memory_note
from storm.bench.pages import PAGES, Pages
from storm.bench.raw import WAYS, loaded_tables, raw_insert
from storm.bench.same_work import same_work
from storm.bench.scale import BenchError, Scale
from storm.bench.sessions import LEVELS, concurrent_sessions
from storm.bench.storage import CASES, storage
from storm.bench.synthetic import Sources, write_sources

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
                 "query each over the attached SQLite file (connected once, before the timing), pandas after "
                 "pd.read_sql of the columns they read",
    "same_work": "every case and complaint indicator overall, by unit and by local month: the engine's full "
                 "recompute, and DuckDB running the same definitions (working-day calendar included) over the "
                 "SQLite file, connected once before the timing; values compared group by group",
    "refresh": "after the load, a run of the service centre's collector over one more day's cases export, then "
               "every indicator read as the dashboard reads them; full_recompute is every indicator computed by "
               "the engine from the rows (refresh_vs_full divides the two)",
    "pages": "Streamlit AppTest in this process; cold right after clearing Streamlit's caches, warm the next run, "
             "after_run the page's next run after a run that stored one more day's cases",
    "sessions": "streamlit run dashboard/app.py on a loopback port; that many websocket sessions speaking "
                "Streamlit's protocol render the overview once (first_render), then rerun it 3 times each, "
                "all at once (rerun)",
    "storage": "the database's size; on SQLite each table's and index's pages (dbstat), per case for cases",
}


@dataclass(frozen=True)
class BenchOptions:
    """What to run: the scale, the store (None: a new SQLite file in ``folder``), where the files go
    (None: a temporary folder, removed afterwards), the generators' seed and the numbers of
    concurrent dashboard sessions to time."""

    scale: Scale
    database_url: str | None = None
    folder: Path | None = None
    seed: int = 2026
    sessions: tuple[int, ...] = LEVELS


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


def _refresh(store: Store, registry: Registry, config: Config, sources: Sources, pages: Pages,
             full: Measured) -> tuple[dict[str, Any], dict[str, Measured]]:
    """The runs after the load, a day's cases each: the first brings the indicators up to date (the run,
    then every indicator read as the dashboard reads them), each next one is followed by one page's view."""
    first, *others = sources.days
    run = next_day(store, registry, config, sources, first)
    with measure() as read:
        every_indicator(store, registry, config)
    seconds = run.measured.seconds + read.seconds
    refresh = {"seconds": round(seconds, 4), "run": run.as_json(), "read_indicators": read.as_json(),
               "full_recompute": full.as_json()}
    after_run = {}
    for name, day in zip(PAGES, others, strict=True):
        next_day(store, registry, config, sources, day)
        after_run[name] = pages.view(name)
    return refresh, after_run


def _run(store: Store, options: BenchOptions, config: Config, registry: Registry, folder: Path) -> dict[str, Any]:
    with store.begin() as session:
        context = demo_context(session, options.seed)
    log.info("generating the synthetic district-year in %s", folder)
    with measure() as generated:
        sources = write_sources(folder / "sources", registry, context, options.scale, 1 + len(PAGES))
    log.info("loading it through the collectors: %s", sources.written)
    runs: list[Run] = load(store, registry, config, sources)
    maintenance = _maintain(store)
    stored = storage(store)
    log.info("inserting the same rows with a plain executemany")
    raw = {way: raw_insert(store, loaded_tables(registry), way) for way in WAYS}
    scope = scope_of(store, config)
    log.info("computing every indicator")
    computed, all_cold, all_warm = cold_and_warm(store.url, lambda s: every_indicator(s, registry, config))
    scopes = indicator_scopes(store, config, registry.indicators)
    _, _, full = cold_and_warm(store.url, lambda s: full_recompute(s, registry, scopes))
    ours, ours_cold, ours_warm = cold_and_warm(store.url, lambda s: engine_values(s, registry, scope))
    log.info("the baselines")
    span = window(scope)
    pandas = baselines.pandas_baseline(store, span)
    skipped = baselines.duckdb_skipped(store)
    duck = None if skipped else baselines.duckdb_baselines(store, span)
    same = None if skipped else same_work(store, registry, config)
    log.info("rendering the pages, then the runs of the days after")
    with Pages(store.url, config.path) as pages:
        views = pages.first_views()
        refresh, after_run = _refresh(store, registry, config, sources, pages, full)
    log.info("concurrent sessions over the dashboard's websocket")
    sessions = concurrent_sessions(store.url, config.path, folder, options.sessions)
    ingest_rows = sum(run.rows for run in runs)
    ingest_seconds = sum(run.measured.seconds for run in runs)
    ingest_rate = _rate(ingest_rows, ingest_seconds)
    (cases_run,) = (run for run in runs if run.source == "cases")
    cases_rate = _rate(cases_run.rows, cases_run.measured.seconds)
    raw_rates = {way: _rate(rows, measured.seconds) for way, (rows, measured, _) in raw.items()}
    raw_cases = {way: _rate(*by_table[CASES]) for way, (_, _, by_table) in raw.items()}
    duck_seconds = duck[1].measured.seconds if duck else None
    return {
        "scale": options.scale.as_json(),
        "stored": {**sources.written, "held_back_days": len(sources.days)},
        "database": {"dialect": store.dialect, "url": store.engine.url.render_as_string(hide_password=True)},
        "machine": machine(store),
        "generate": generated.as_json(),
        "ingest": {
            "runs": [run.as_json() for run in runs], "rows": ingest_rows, "seconds": round(ingest_seconds, 3),
            "rows_per_second": ingest_rate,
            "peak_rss_mib": round(max((run.measured.peak_rss_mib for run in runs), default=0.0), 1),
            "maintenance": maintenance.as_json() if maintenance else None,
        },
        "raw": {way: {"rows": rows, **measured.as_json(), "rows_per_second": raw_rates[way],
                      "cases_rows_per_second": raw_cases[way]}
                for way, (rows, measured, _) in raw.items()},
        "storage": stored,
        "indicators": {"computed_with_value": computed, **_timings(all_cold, all_warm),
                       "full_recompute": full.as_json()},
        "headlines": {
            "ids": list(ours),
            "ours": {**_timings(ours_cold, ours_warm), "values": ours},
            "duckdb": ({"skipped": skipped} if duck is None else
                       {**_timings(duck[0].measured, duck[1].measured), "values": duck[1].values,
                        "agrees": _agree(ours, duck[1].values)}),
            "pandas": {**pandas.measured.as_json(), "values": pandas.values, "agrees": _agree(ours, pandas.values)},
        },
        "same_work": {"skipped": skipped} if same is None else same.as_json(),
        "refresh": refresh,
        "pages": {name: {**_timings(times["cold"], times["warm"]), "after_run": after_run[name].as_json()}
                  for name, times in views.items()},
        "sessions": sessions,
        "ratios": {
            "ours_vs_duckdb": _ratio(ours_warm.seconds, duck_seconds),
            "same_work_vs_duckdb": _ratio(same.ours[1].seconds, same.duckdb[1].seconds) if same else None,
            "refresh_vs_full": _ratio(refresh["seconds"], full.seconds),
            "pandas_vs_ours": _ratio(pandas.measured.seconds, ours_warm.seconds),
            "ingest_vs_raw": _ratio(ingest_rate, raw_rates["driver"]),
            "cases_ingest_vs_raw": _ratio(cases_rate, raw_cases["driver"]),
            "ingest_vs_core_executemany": _ratio(ingest_rate, raw_rates["core"]),
        },
        "notes": {**NOTES, "memory": memory_note()},
    }
