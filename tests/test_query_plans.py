"""The heaviest queries read the cases and complaints tables through an index, on SQLite and PostgreSQL.

The store holds ten years of cases and complaints (the campaign year is one of them), so
that an index on the time is worth using; the planner is given statistics (ANALYZE, and
VACUUM on PostgreSQL so that index-only scans are possible). Each query the indicator
engine issues (overall, by unit, by month) and the cases alerts are explained, and no
plan may read a whole table that an index serves.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, insert, text

from collectors import runner
from collectors.alerts import Watch
from collectors.config import Config, collector_settings
from collectors.registry import Registry
from collectors.report import campaign_scope
from models.base import Base
from models.complaints import Complaint
from models.indicators import compute
from models.service import ApprovalItem, Case
from models.store import Store
from tests.conftest import CAMPAIGN_YEAR

YEARS = range(CAMPAIGN_YEAR - 8, CAMPAIGN_YEAR + 2)
CASES_PER_YEAR = 3000
COMPLAINTS_PER_YEAR = 1000
WATCHED = ("cases", "complaints")
SOURCES = ("service_center", "complaints")
FULL_SCAN = {
    "sqlite": re.compile(r"^SCAN (cases|complaints)\b"),
    "postgresql": re.compile(r"Seq Scan on (cases|complaints)\b"),
}
TOWNS = ("dsz", "xhz")
UNITS = ("scjgj", "gafj", "cgzfj", None)


def _moment(rng: random.Random, year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=rng.randrange(365 * 86400))


def _case(rng: random.Random, n: int, year: int) -> dict[str, Any]:
    accepted = _moment(rng, year)
    town = rng.random() < 0.3
    return {
        "source": "service_center", "external_id": f"BJ{n:07d}", "content_hash": "x", "collected_at": accepted,
        "item_id": f"SP-{n % 20:03d}", "unit_code": rng.choice(UNITS), "channel": rng.choice(("window", "online")),
        "point_level": "township" if town else "district", "point_unit_code": rng.choice(TOWNS) if town else None,
        "accepted_at": accepted, "due_at": accepted + dt.timedelta(days=10),
        "completed_at": None if rng.random() < 0.02 else accepted + dt.timedelta(days=rng.uniform(0.1, 14)),
        "supplement_count": rng.choice((0, 0, 0, 1, 2)), "rating": rng.choice(("good", "bad", None)),
        "agency_project_id": f"DB{n % 30:03d}" if rng.random() < 0.001 else None,
    }


def _complaint(rng: random.Random, n: int, year: int) -> dict[str, Any]:
    received = _moment(rng, year)
    closed = None if rng.random() < 0.05 else received + dt.timedelta(days=rng.uniform(1, 20))
    return {
        "source": "complaints", "external_id": f"TS{n:07d}", "content_hash": "x", "collected_at": received,
        "channel": rng.choice(("hotline", "mailbox", "radio")),
        "category": rng.choice(("lax", "obstruction", "inaction", "misconduct", "attitude")),
        "unit_code": rng.choice(UNITS), "received_at": received, "deadline_at": received + dt.timedelta(days=14),
        "status": "open" if closed is None else "closed", "closed_at": closed,
        "verified": rng.choice((True, False, None)), "outcome": "已办结" if closed else None,
    }


def _in_order(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: row["collected_at"])


@pytest.fixture
def loaded(store: Store) -> Store:
    """The store with ten years of cases and complaints, in the order they came, and planner statistics."""
    rng = random.Random(5)
    cases = _in_order(_case(rng, n, year) for year in YEARS
                      for n in range(year * CASES_PER_YEAR, (year + 1) * CASES_PER_YEAR))
    complaints = _in_order(_complaint(rng, n, year) for year in YEARS
                           for n in range(year * COMPLAINTS_PER_YEAR, (year + 1) * COMPLAINTS_PER_YEAR))
    items = [{"source": "service_center", "external_id": f"SP-{n:03d}", "content_hash": "x", "name": f"事项{n}",
              "original_promised_days": 10, "promised_days": 6} for n in range(20)]
    with store.begin() as session:
        for model, rows in ((Case, cases), (Complaint, complaints), (ApprovalItem, items)):
            session.execute(insert(model.__table__), rows)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if store.dialect == "postgresql" else "ANALYZE")
    return store


@contextmanager
def issued(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and their parameters) run on ``store`` inside the block."""
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def plan(store: Store, statement: str, parameters: Any) -> list[str]:
    """The lines of the query plan of ``statement``."""
    explain = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + statement, parameters).all()
    return [str(row[-1]) for row in rows]


def full_scans(store: Store, statements: list[tuple[str, Any]]) -> dict[str, list[str]]:
    """The statements reading the watched tables whose plan reads one of them whole, with that plan."""
    found = {}
    for statement, parameters in statements:
        if not any(re.search(rf"\b{table}\b", statement) for table in WATCHED):
            continue
        lines = plan(store, statement, parameters)
        if any(FULL_SCAN[store.dialect].search(line) for line in lines):
            found[statement] = lines
    return found


def indicator_ids(registry: Registry) -> list[str]:
    return [spec.id for spec in registry.indicators.values() if set(spec.sources) & set(SOURCES)]


def test_the_indicators_read_cases_and_complaints_through_indexes(loaded: Store, registry: Registry) -> None:
    ids = indicator_ids(registry)
    assert {"T04.on_time_rate", "T05.actual_compression", "T13.handled_rate", "T18.traced_rate"} <= set(ids)
    with loaded.begin() as session:
        scope = campaign_scope(session, Config(path=None))
        with issued(loaded) as statements:
            values = {id_: compute(session, registry.indicators[id_].measure, scope) for id_ in ids}
    assert values["T04.on_time_rate"].value is not None and values["T13.handled_rate"].value is not None
    assert len(values["T04.on_time_rate"].by_month) == 12
    assert sum(" cases" in statement for statement, _ in statements) >= 8
    assert full_scans(loaded, statements) == {}


def test_the_cases_alerts_read_cases_through_an_index(loaded: Store, registry: Registry) -> None:
    rules = [registry.alert_rules[name] for name in ("overdue_cases", "cases_due_soon")]
    with loaded.begin() as session:
        scope = campaign_scope(session, Config(path=None))
        watch = Watch(scope, dt.datetime(CAMPAIGN_YEAR, 7, 1, tzinfo=dt.UTC), "Asia/Shanghai", {})
        with issued(loaded) as statements:
            alerts = [alert for rule in rules for alert in rule.alerts(session, watch)]
    assert alerts
    assert full_scans(loaded, statements) == {}


def test_a_query_reading_every_case_is_seen_as_a_full_scan(loaded: Store) -> None:
    statement = "SELECT count(*) FROM cases WHERE supplement_count + 0 >= 0"
    assert list(full_scans(loaded, [(statement, ())])) == [statement]


def test_migrations_match_the_models(store: Store, registry: Registry) -> None:
    """What ``alembic revision --autogenerate`` would find: nothing (tables plugins declare aside)."""

    def ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return not (type_ == "table" and reflected and compare_to is None)

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        assert compare_metadata(context, Base.metadata) == []
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0011"


def test_a_first_load_refreshes_the_statistics_of_the_tables_it_fills(
    store: Store, registry: Registry, service_center_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the runner analyzes a table as a run's inserts into it grow, so that the upsert's
    lookups of known ids are planned on the table as it is (no need to wait for autovacuum)."""
    if store.dialect != "postgresql":
        pytest.skip("SQLite's planner needs no statistics to use the unique index")
    monkeypatch.setattr(runner, "ANALYZE_AFTER", 100)
    settings = collector_settings(Config(path=None), registry.collector("service_center"), {"url": service_center_url})
    result = runner.run_collector(store, registry, "service_center", settings)
    assert result.status == "success" and result.inserted > 200
    with store.engine.connect() as connection:
        query = text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
        assert "cases" in connection.execute(query).scalars().all()
