"""The service-centre collector against the demo source over real localhost HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from collectors.config import Config, collector_settings
from collectors.demo import DemoResponse
from collectors.runner import load_cursor, run_collector
from models.runs import CollectorRun
from models.service import ApprovalItem, Case
from plugins.service_center_demo import ServiceCenterDemo
from tests.conftest import serve


def settings(registry, url: str, **overrides: str) -> dict:
    return collector_settings(
        Config(path=None), registry.collector("service_center"), {"url": url, "retries": "0", **overrides}
    )


def count(store, model) -> int:
    with store.begin() as session:
        return session.scalar(select(func.count()).select_from(model))


def visible_cases(demo: ServiceCenterDemo, now: dt.datetime) -> list:
    return [case for case in demo.cases if case.accepted_at <= now]


def test_first_run_stores_every_visible_record(store, registry, service_center_url, service_center_demo, clock):
    result = run_collector(store, registry, "service_center", settings(registry, service_center_url))

    expected_cases = len(visible_cases(service_center_demo, clock.now))
    assert result.status == "success", result.error
    assert count(store, ApprovalItem) == len(service_center_demo.items)
    assert count(store, Case) == expected_cases > 100
    assert result.inserted == result.fetched == len(service_center_demo.items) + expected_cases
    with store.begin() as session:
        run = session.scalars(select(CollectorRun)).one()
        assert (run.status, run.inserted, run.rejected) == ("success", result.inserted, 0)
        assert set(load_cursor(session, "service_center")) == {"items", "cases"}
        open_cases = session.scalar(select(func.count()).where(Case.completed_at.is_(None)))
    assert open_cases > 0, "cases accepted just before the clock are still open"


def test_second_run_is_incremental_and_duplicates_nothing(store, registry, service_center_url, service_center_demo, clock):
    run_collector(store, registry, "service_center", settings(registry, service_center_url))
    again = run_collector(store, registry, "service_center", settings(registry, service_center_url))
    assert (again.status, again.fetched, again.inserted, again.updated) == ("success", 0, 0, 0)

    clock.now += dt.timedelta(days=30)
    later = run_collector(store, registry, "service_center", settings(registry, service_center_url))

    total = len(visible_cases(service_center_demo, clock.now))
    assert later.status == "success"
    assert later.inserted > 0, "cases accepted in the 30 days are new"
    assert later.updated > 0, "cases open at the first run and completed since are updated"
    assert count(store, Case) == total
    with store.begin() as session:
        distinct = session.scalar(select(func.count(func.distinct(Case.external_id))))
        still_open = set(session.scalars(select(Case.external_id).where(Case.completed_at.is_(None))))
    assert distinct == total
    should_be_open = {c.id for c in visible_cases(service_center_demo, clock.now) if c.completed_at is None
                      or c.completed_at > clock.now}
    assert still_open == should_be_open


def test_a_source_failing_midway_keeps_whole_pages_and_the_cursor_before_the_failure(
    store, registry, demo_units, clock
):
    failing = ServiceCenterDemo(demo_units, year=2026, seed=7, clock=clock, cases_per_workday=6, fail_after_pages=2)
    server = serve(failing, "/service-center", "service_center")
    url = server.base_url + "/service-center"
    try:
        result = run_collector(store, registry, "service_center", settings(registry, url, page_size="50"))
    finally:
        server.stop()

    assert result.status == "failed"
    assert "500" in result.error and "injected failure" in result.error
    items = sorted(failing.items, key=lambda item: (item.updated_at, item.id))
    assert count(store, ApprovalItem) == 100, "two pages of 50 committed, the third not at all"
    assert count(store, Case) == 0
    with store.begin() as session:
        cursor = load_cursor(session, "service_center")
        run = session.scalars(select(CollectorRun)).one()
    assert cursor == {"items": {"updated_since": items[99].record()["updated_at"], "after": items[99].id}}
    assert (run.status, run.inserted) == ("failed", 100)
    assert "injected failure" in run.error

    healthy = ServiceCenterDemo(demo_units, year=2026, seed=7, clock=clock, cases_per_workday=6)
    server = serve(healthy, "/service-center", "service_center")
    try:
        resumed = run_collector(store, registry, "service_center", settings(registry, server.base_url + "/service-center"))
    finally:
        server.stop()
    assert resumed.status == "success"
    assert resumed.inserted == len(items) - 100 + len(visible_cases(healthy, clock.now))
    assert count(store, ApprovalItem) == len(items)


def test_server_errors_are_retried(store, registry, demo_units, clock):
    class Flaky:
        """Answers 503 to every other request."""

        def __init__(self) -> None:
            self.inner = ServiceCenterDemo(demo_units, year=2026, seed=7, clock=clock, cases_per_workday=2)
            self.calls = 0

        def handle(self, method, path, query):
            self.calls += 1
            if self.calls % 2:
                return DemoResponse(503, b'{"error": "busy"}')
            return self.inner.handle(method, path, query)

    flaky = Flaky()
    server = serve(flaky, "/sc", "service_center")
    try:
        result = run_collector(store, registry, "service_center", settings(registry, server.base_url + "/sc", retries="2"))
    finally:
        server.stop()
    assert result.status == "success", result.error
    assert count(store, ApprovalItem) == len(flaky.inner.items)


def test_an_unreachable_source_is_a_failed_run_with_a_clear_error(store, registry):
    result = run_collector(store, registry, "service_center", settings(registry, "http://127.0.0.1:9/api"))
    assert result.status == "failed"
    assert result.error.startswith("GET http://127.0.0.1:9/api/api/v1/items")
    assert "cannot connect" in result.error
    assert count(store, ApprovalItem) == 0


def test_dry_run_fetches_and_stores_nothing(store, registry, service_center_url, service_center_demo):
    result = run_collector(store, registry, "service_center", settings(registry, service_center_url), dry_run=True)
    assert result.status == "dry_run"
    assert result.fetched > len(service_center_demo.items)
    assert count(store, ApprovalItem) == count(store, Case) == count(store, CollectorRun) == 0


def test_a_second_run_while_one_holds_the_lock_is_skipped(store, registry, service_center_url):
    from collectors.locks import collector_lock

    with collector_lock(store, "service_center", dt.timedelta(minutes=5)) as acquired:
        assert acquired
        result = run_collector(store, registry, "service_center", settings(registry, service_center_url))
    assert result.status == "skipped"
    assert count(store, CollectorRun) == 0
    assert run_collector(store, registry, "service_center", settings(registry, service_center_url)).status == "success"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_csv_exports_in_excel_encodings(store, registry, tmp_path, encoding):
    header = "办件编号,事项编码,办理部门,服务层级,申请渠道,受理时间,承诺办结时间,办结时间,补正次数,评价\n"
    rows = (
        "BJ001,SP-1,区市场监督管理局,区级,窗口,2026/3/5 9:32:09,2026/3/12 17:30,2026/3/10 10:00,0,好评\n"
        "BJ002,SP-1,市场监管局,乡镇(街道),网上,2026-03-06 10:00,2026-03-13 17:30,,1,\n"
        "BJ003,SP-2,未知局,区级,窗口,not a date,,,0,\n"
    )
    text = header + rows
    if encoding == "utf-16":
        text = text.replace(",", "\t")
    (tmp_path / "export.csv").write_bytes(text.encode(encoding))
    values = collector_settings(Config(path=None), registry.collector("service_center"), {"path": str(tmp_path)})

    result = run_collector(store, registry, "service_center", values)

    assert (result.status, result.inserted, result.rejected) == ("partial", 2, 1)
    assert "line 4" in result.problems[0] and "not a date" in result.problems[0]
    with store.begin() as session:
        cases = {case.external_id: case for case in session.scalars(select(Case))}
    first = cases["BJ001"]
    assert first.unit_code == cases["BJ002"].unit_code != "区市场监督管理局", "names resolve to the unit's code"
    assert first.accepted_at == dt.datetime(2026, 3, 5, 1, 32, 9, tzinfo=dt.UTC)
    assert (first.channel, first.rating, first.point_level) == ("window", "good", "district")
    assert (cases["BJ002"].channel, cases["BJ002"].completed_at, cases["BJ002"].point_level) == (
        "online", None, "township")
    again = run_collector(store, registry, "service_center", values)
    assert (again.fetched, again.inserted) == (0, 0), "a file already read is skipped"
