"""The service-centre collector against the demo source over real localhost HTTP."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
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


# --- exports as offices send them: word tables, dates, workbooks, mappings -------------

HEADER = "办件编号,事项编码,办理部门,服务层级,申请渠道,受理时间,承诺办结时间,办结时间,补正次数,评价\n"


def export(folder, name: str, rows: list[str], header: str = HEADER):
    (folder / name).write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")


def file_settings(registry, folder, **maps) -> dict:
    overrides = {name: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                 for name, value in maps.items()}
    return collector_settings(Config(path=None), registry.collector("service_center"),
                              {"path": str(folder), **overrides})


def cases_of(store) -> dict[str, Case]:
    with store.begin() as session:
        rows = session.scalars(select(Case)).all()
        session.expunge_all()
    return {case.external_id: case for case in rows}


RATING_WORDS = {"非常满意": "good", "满意": "good", "基本满意": "good", "不满意": "bad", "非常不满意": "bad",
                "好评": "good", "差评": "bad", "未评价": None, "": None}
CHANNEL_WORDS = {"窗口": "window", "现场": "window", "网上": "online", "网办": "online", "自助终端": "online",
                 "移动端": "online", "一网通办": "online", "掌上办": "online", "全程网办": "online", "小程序": "online"}
LEVEL_WORDS = {"区级": "district", "乡镇(街道)": "township", "乡镇（街道）": "township", "街道": "township",
               "村(社区)": "village", "社区": "village", "便民服务站": "village"}


def test_every_rating_channel_and_level_word_is_stored_as_its_value(store, registry, tmp_path):
    rows = [f"R{n},SP-1,区市场监督管理局,区级,窗口,2026/3/5 9:00,,2026/3/6 10:00,0,{word}"
            for n, word in enumerate(RATING_WORDS)]
    rows += [f"C{n},SP-1,区市场监督管理局,区级,{word},2026/3/5 9:00,,,0," for n, word in enumerate(CHANNEL_WORDS)]
    rows += [f"L{n},SP-1,区市场监督管理局,{word},窗口,2026/3/5 9:00,,,0," for n, word in enumerate(LEVEL_WORDS)]
    export(tmp_path, "words.csv", rows)

    result = run_collector(store, registry, "service_center", file_settings(registry, tmp_path))

    assert (result.status, result.inserted, result.unknown_words) == ("success", len(rows), {})
    cases = cases_of(store)
    assert {word: cases[f"R{n}"].rating for n, word in enumerate(RATING_WORDS)} == RATING_WORDS
    assert {word: cases[f"C{n}"].channel for n, word in enumerate(CHANNEL_WORDS)} == CHANNEL_WORDS
    assert {word: cases[f"L{n}"].point_level for n, word in enumerate(LEVEL_WORDS)} == LEVEL_WORDS


def test_an_unknown_word_is_stored_as_unknown_counted_and_a_changed_map_reads_the_file_again(store, registry, tmp_path):
    export(tmp_path, "export.csv", [
        "BJ1,SP-1,区市场监督管理局,区级,窗口,2026/3/5 9:00,,2026/3/6,0,很差",
        "BJ2,SP-1,区市场监督管理局,区级,电话预约,2026/3/5 9:00,,2026/3/6,0,很差",
        "BJ3,SP-1,区市场监督管理局,区级,窗口,2026/3/5 9:00,,2026/3/6,0,满意",
    ])
    first = run_collector(store, registry, "service_center", file_settings(registry, tmp_path))

    assert (first.status, first.inserted, first.rejected) == ("success", 3, 0), "an unknown word rejects nothing"
    assert first.unknown_words == {"channel": {"电话预约": 1}, "rating": {"很差": 2}}
    assert [cases_of(store)[key].rating for key in ("BJ1", "BJ2", "BJ3")] == ["unknown", "unknown", "good"]
    assert cases_of(store)["BJ2"].channel == "unknown"

    mapped = file_settings(registry, tmp_path, rating_map={"很差": "bad"}, channel_map={"电话预约": "window"})
    again = run_collector(store, registry, "service_center", mapped)
    assert (again.status, again.fetched, again.updated, again.unknown_words) == ("success", 3, 2, {})
    assert [cases_of(store)[key].rating for key in ("BJ1", "BJ2")] == ["bad", "bad"]
    assert run_collector(store, registry, "service_center", mapped).fetched == 0, "the same mapping: not read again"

    wrong = run_collector(store, registry, "service_center", file_settings(registry, tmp_path, rating_map={"很差": "差"}))
    assert wrong.status == "failed" and "rating_map['很差'] = '差' is not a rating; use one of bad, good" in wrong.error


def test_us_dates_and_excel_serials(store, registry, tmp_path):
    export(tmp_path, "us.csv", [
        "US1,SP-1,区市场监督管理局,区级,窗口,11/30/2016 9:30,12/31/2016,12/5/2016 16:00,0,",
        "US2,SP-1,区市场监督管理局,区级,窗口,3/4/2016 9:30,3/11/2016,,0,",
    ])
    export(tmp_path, "serial.csv", ["XS1,SP-1,区市场监督管理局,区级,窗口,46086.375,46093,46087.5,0,"])
    result = run_collector(store, registry, "service_center", file_settings(registry, tmp_path))

    assert (result.status, result.inserted) == ("success", 3), result.problems
    cases = cases_of(store)
    assert cases["US1"].accepted_at == dt.datetime(2016, 11, 30, 1, 30, tzinfo=dt.UTC)
    assert cases["US1"].due_at == dt.datetime(2016, 12, 30, 16, tzinfo=dt.UTC)  # 31 December, Beijing midnight
    assert cases["US2"].accepted_at == dt.datetime(2016, 3, 4, 1, 30, tzinfo=dt.UTC), "month first, as its column"
    assert cases["XS1"].accepted_at == dt.datetime(2026, 3, 5, 1, tzinfo=dt.UTC)  # 46086 is 2026-03-05, 9:00
    assert cases["XS1"].completed_at == dt.datetime(2026, 3, 6, 4, tzinfo=dt.UTC)
    assert "us.csv column 受理时间: dates with the year last read month first (date_order auto)" in result.notes

    dmy = run_collector(store, registry, "service_center", file_settings(registry, tmp_path, date_order="dmy"))
    assert dmy.status == "partial", "11/30/2016 cannot be day first"
    assert cases_of(store)["US2"].accepted_at == dt.datetime(2016, 4, 3, 1, 30, tzinfo=dt.UTC)


def test_a_workbook_with_two_sheets_and_a_title_row(store, registry, tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "三月"
    first.append(["某区政务服务中心办件明细（2026年3月）"])
    first.merge_cells("A1:J1")
    first.append(["办件\n编号", "事项编码", "办理部门", "服务 层级", "申请渠道", "受理时间", "承诺办结时间", "办结时间",
                  "补正次数", "评价"])
    first.append(["X1", "SP-1", "区市场监督管理局", "区级", "一网通办", dt.datetime(2026, 3, 5, 9, 30),
                  dt.datetime(2026, 3, 12, 17, 30), dt.datetime(2026, 3, 10, 10), 0, "非常不满意"])
    first.append([1002, "SP-2", "区市场监督管理局", "乡镇（街道）", "窗口", 46087.5, None, None, 1, None])
    notes = workbook.create_sheet("说明")
    notes.append(["本表由系统导出"])
    second = workbook.create_sheet("四月")
    second.append(["办件编号", "事项编码", "受理时间", "评价"])
    second.append(["X3", "SP-1", "2026/4/1 9:00", "满意"])
    workbook.save(tmp_path / "办件.xlsx")

    result = run_collector(store, registry, "service_center", file_settings(registry, tmp_path))

    assert (result.status, result.inserted, result.rejected) == ("success", 3, 0), result.problems
    cases = cases_of(store)
    assert set(cases) == {"X1", "1002", "X3"}, "a whole number is its digits, not 1002.0"
    assert (cases["X1"].channel, cases["X1"].rating, cases["X1"].supplement_count) == ("online", "bad", 0)
    assert cases["X1"].accepted_at == dt.datetime(2026, 3, 5, 1, 30, tzinfo=dt.UTC)
    assert (cases["1002"].point_level, cases["1002"].accepted_at) == (
        "township", dt.datetime(2026, 3, 6, 4, tzinfo=dt.UTC))
    assert cases["X3"].rating == "good"


def test_a_field_map_key_that_matches_no_column_names_the_closest_header(store, registry, tmp_path):
    export(tmp_path, "export.csv", ["BJ1,SP-1,区市场监督管理局,区级,窗口,2026/3/5 9:00,,,0,"],
           header="流 水号,事项编码,办理部门,服务层级,申请渠道,受理时间,承诺办结时间,办结时间,补正次数,满意 程度\n")
    spaced = run_collector(store, registry, "service_center", file_settings(registry, tmp_path,
                                                                            field_map={"流水号": "external_id"}))
    assert (spaced.status, spaced.inserted) == ("success", 1), "headers match without their spaces"

    typo = run_collector(store, registry, "service_center", file_settings(
        registry, tmp_path, field_map={"流水号": "external_id", "满意度": "rating"}))
    assert typo.status == "failed"
    assert typo.problems == ["export.csv: no column 满意度 (field_map); did you mean 满意 程度?"]
