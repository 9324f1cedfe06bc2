"""``storm bench`` at a tiny scale, end to end, and its baselines against the indicator engine.

No timing is asserted: the figures depend on the machine. What is checked is that the bench
runs through (every source loaded by its collector, every page rendered), that its report has
its shape, and that DuckDB and pandas compute the same headline numbers as the engine, so that
comparing their times is fair.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from collectors.config import Config
from collectors.demo import demo_context
from collectors.registry import Registry
from models.base import utcnow
from models.indicators.complaints import MEASURES as COMPLAINT_MEASURES
from models.indicators.service import MEASURES as SERVICE_MEASURES
from models.runs import CollectorRun
from models.service import Case
from models.store import Store
from storm.bench import baselines, same_work
from storm.bench.indicators import engine_values, indicator_scopes, scope_of, window
from storm.bench.ingest import load
from storm.bench.pages import PAGES
from storm.bench.run import BenchOptions, run_bench
from storm.bench.same_work import DEFINITIONS
from storm.bench.scale import Scale
from storm.bench.synthetic import write_sources
from storm.cli import main
from tests.conftest import CAMPAIGN_YEAR

TINY = Scale(cases=500, complaints=300, tenders=60, ledger_rows=150)
SOURCES = ["approval_items", "cases", "complaints", "tenders", "ledgers"]
SESSIONS = (1, 3)


@pytest.fixture
def quiet_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No storm.toml of the working tree in the way of the pages the bench renders."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STORM_CONFIG", raising=False)
    return tmp_path


def bench(registry: Registry, database_url: str | None = None) -> dict[str, Any]:
    report = run_bench(BenchOptions(TINY, database_url, sessions=SESSIONS), Config(path=None), registry)
    return json.loads(json.dumps(report))  # one JSON document: everything in it serialises


def check_shape(report: dict[str, Any], dialect: str) -> None:
    assert report["scale"] == {"cases": 500, "complaints": 300, "tenders": 60, "ledger_rows": 150}
    assert report["database"]["dialect"] == dialect
    machine = report["machine"]
    assert machine["cpus"] >= 1 and machine["cpu_model"] and machine["python"] and machine["sqlite"]
    assert (machine["postgresql"] is not None) == (dialect == "postgresql")
    runs = report["ingest"]["runs"]
    assert [run["source"] for run in runs] == SOURCES
    assert all(run["rows"] > 0 and run["rejected"] == 0 and run["rows_per_second"] > 0 for run in runs)
    assert report["stored"]["ledgers"] == 150 and report["stored"]["cases"] >= 500
    for way in ("driver", "core"):
        assert report["raw"][way]["rows"] >= report["ingest"]["rows"] and report["raw"][way]["rows_per_second"] > 0
    assert report["indicators"]["computed_with_value"] >= 40
    for part in (report["indicators"], report["headlines"]["ours"], *report["pages"].values()):
        assert set(part) >= {"cold", "warm"}
        assert all(part[when]["seconds"] > 0 and part[when]["peak_rss_mib"] > 0 for when in ("cold", "warm"))
    assert set(report["pages"]) == set(PAGES) == {"overview", "action_2", "screen"}
    assert all(page["after_run"]["seconds"] > 0 for page in report["pages"].values())
    assert report["headlines"]["pandas"]["agrees"] is True
    assert report["stored"]["held_back_days"] == 1 + len(PAGES)
    refresh = report["refresh"]
    assert refresh["run"]["rows"] > 0 and refresh["run"]["rejected"] == 0 and refresh["seconds"] > 0
    assert refresh["full_recompute"]["seconds"] > 0 and report["indicators"]["full_recompute"]["seconds"] > 0
    assert set(report["sessions"]) == {str(n) for n in SESSIONS}
    for level in report["sessions"].values():
        assert level["rerun"]["count"] == level["sessions"] * 3 and level["rerun"]["p50"] > 0
        assert level["rerun"]["p95"] >= level["rerun"]["p50"] and level["first_render"]["count"] == level["sessions"]
    storage = report["storage"]
    assert storage["cases"] >= 500 and storage["database_bytes_per_case"] > 0
    ratios = report["ratios"]
    assert set(ratios) >= {"ours_vs_duckdb", "same_work_vs_duckdb", "refresh_vs_full", "pandas_vs_ours",
                           "ingest_vs_raw", "cases_ingest_vs_raw"}
    assert ratios["pandas_vs_ours"] > 0 and ratios["ingest_vs_raw"] > 0 and ratios["cases_ingest_vs_raw"] > 0
    assert ratios["refresh_vs_full"] > 0
    assert report["notes"]["memory"]


def test_bench_on_sqlite(registry: Registry, quiet_cwd: Path) -> None:
    report = bench(registry)
    check_shape(report, "sqlite")
    duckdb = report["headlines"]["duckdb"]
    assert duckdb["agrees"] is True and duckdb["values"] == pytest.approx(report["headlines"]["ours"]["values"])
    same = report["same_work"]
    assert same["agrees"] is True and same["differences"] == []
    assert same["indicators"] == len(DEFINITIONS) and same["groups"] > same["indicators"]
    assert report["ratios"]["ours_vs_duckdb"] > 0 and report["ratios"]["same_work_vs_duckdb"] > 0
    assert report["ingest"]["maintenance"] is None
    storage = report["storage"]
    assert storage["bytes_per_case"] == pytest.approx(storage["table_bytes_per_case"] + storage["index_bytes_per_case"],
                                                      abs=0.2)
    assert set(storage["indexes_per_case"]) >= {"ix_cases_completed_at", "ix_cases_accepted_at"}


@pytest.mark.postgres
def test_bench_on_postgresql(registry: Registry, quiet_cwd: Path, postgres_server) -> None:
    report = bench(registry, postgres_server.create_database("storm_bench"))
    check_shape(report, "postgresql")
    assert "PostgreSQL" in report["headlines"]["duckdb"]["skipped"]
    assert "PostgreSQL" in report["same_work"]["skipped"]
    assert report["ratios"]["ours_vs_duckdb"] is None and report["ratios"]["same_work_vs_duckdb"] is None
    assert report["ingest"]["maintenance"]["seconds"] > 0


def test_the_baselines_compute_the_engines_numbers(store: Store, registry: Registry, tmp_path: Path) -> None:
    config = Config(path=None)
    with store.begin() as session:
        context = demo_context(session, seed=11)
    assert context.year == CAMPAIGN_YEAR
    sources = write_sources(tmp_path, registry, context, Scale(3000, 2000, 300, 0))
    load(store, registry, config, sources)
    scope = scope_of(store, config)
    ours = engine_values(store, registry, scope)
    assert all(value is not None for value in ours.values())
    assert 0 < ours["T04.on_time_rate"] < 1 and 0 < ours["T07.open_method_share"] < 1 and ours["T13.complaints"] > 100
    assert baselines.pandas_values(store, window(scope)) == pytest.approx(ours, rel=1e-12)
    if store.dialect != "sqlite":
        assert baselines.duckdb_skipped(store)
        return
    connection = baselines.duckdb_connection(store)
    try:
        assert baselines.duckdb_values(connection, window(scope)) == pytest.approx(ours, rel=1e-12)
        scopes = indicator_scopes(store, config, DEFINITIONS)
        engine, duckdb = same_work.engine_values(store, registry, scopes), same_work.duckdb_values(connection, scopes)
    finally:
        connection.close()
    assert same_work.differences(engine, duckdb) == []
    assert all(engine[id_]["by_unit"] and engine[id_]["by_month"] for id_ in ("T04.on_time_rate", "T13.handled_rate",
                                                                              "T05.actual_compression"))
    assert engine["T06.agency_days"]["by_month"] and engine["T05.limit_compression"]["by_unit"]


def test_duckdb_has_every_case_and_complaint_indicator() -> None:
    assert DEFINITIONS.keys() == SERVICE_MEASURES.keys() | COMPLAINT_MEASURES.keys()
    for id_, definition in DEFINITIONS.items():
        assert definition.aggregate is (SERVICE_MEASURES | COMPLAINT_MEASURES)[id_].aggregate, id_


def test_a_store_holding_data_is_refused(store: Store, capsys: pytest.CaptureFixture) -> None:
    with store.begin() as session:
        session.add(CollectorRun(collector="complaints", started_at=utcnow(), status="success"))
    assert main(["bench", "--database-url", store.url, "--cases", "10"]) == 2
    assert "already holds collected data" in capsys.readouterr().err
    with store.begin() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize(("arguments", "message"), [
    (["--cases", "-1"], "--cases is -1; give a number of rows, 0 or more"),
    (["--ledger-rows", "-5"], "--ledger-rows is -5"),
    (["--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none"], "cannot connect to the store"),
    (["--database-url", "nonsense://"], "cannot use database URL"),
])
def test_bad_input_is_one_line_and_exit_2(arguments: list[str], message: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["bench", *arguments]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and error.startswith("storm: error: ")
