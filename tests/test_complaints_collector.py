"""The complaint-line collector: its demo Open311 server over real localhost HTTP, the real
GeoReport documents of tests/fixtures/open311, 12345 CSV exports and the real 问政 messages."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import json
import statistics
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from collectors.config import Config, collector_settings
from collectors.parsing import iso_utc
from collectors.runner import load_cursor, run_collector
from models.complaints import Complaint, escalations
from models.runs import CollectorRun
from collectors.demo import DemoResponse
from plugins.complaints_demo import ComplaintsDemo
from plugins.open311 import read_document, services_of, windows
from tests.conftest import serve

FIXTURES = Path(__file__).parent / "fixtures" / "open311"
SHARED = Path(__file__).parents[2] / "shared" / "fixtures"
SINCE = "2026-01-01"
YEAR_START = dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC)  # 2026-01-01 00:00 Beijing time
PAGE = 50
HOTLINE_HEADERS = {"一级分类": "category"}
"""What a 问政 export needs beside the default headers (留言编号, 留言时间, 答复意见 … are among them)."""


def settings(registry, **values: str) -> dict:
    return collector_settings(Config(path=None), registry.collector("complaints"), {"retries": "0", **values})


def server_settings(registry, url: str, **values: str) -> dict:
    return settings(registry, url=url, since=SINCE, **values)


def stored(store) -> dict[str, Complaint]:
    with store.begin() as session:
        rows = session.scalars(select(Complaint)).all()
        session.expunge_all()
    return {row.external_id: row for row in rows}


def count(store) -> int:
    with store.begin() as session:
        return session.scalar(select(func.count()).select_from(Complaint))


def cursor_of(store) -> dict:
    with store.begin() as session:
        return load_cursor(session, "complaints")


def visible(demo: ComplaintsDemo, now: dt.datetime) -> dict:
    return {c.id: c for c in demo.complaints if c.received_at <= now}


@pytest.fixture
def demo(demo_units, clock) -> ComplaintsDemo:
    return ComplaintsDemo(demo_units, year=2026, seed=7, clock=clock, page_size=PAGE)


@pytest.fixture
def url(demo):
    server = serve(demo, "/complaints", "complaints")
    yield server.base_url + "/complaints"
    server.stop()


def assert_matches_demo(store, demo: ComplaintsDemo, now: dt.datetime) -> None:
    """Every visible complaint is stored once, as the server shows it at ``now``."""
    rows = stored(store)
    expected = visible(demo, now)
    assert set(rows) == set(expected)
    for external_id, complaint in expected.items():
        version = complaint.version_at(now)
        row = rows[external_id]
        assert (row.status, row.rehandled_count, row.closed_at, row.verified) == (
            version.status, version.rehandled, version.closed_at, version.verified), external_id
        assert row.updated_at == version.at.replace(microsecond=0)


# --- the demo server over HTTP ---------------------------------------------------------


def test_first_run_stores_every_visible_complaint(store, registry, url, demo, clock):
    result = run_collector(store, registry, "complaints", server_settings(registry, url))

    assert result.status == "success", result.error
    expected = visible(demo, clock.now)
    assert result.inserted == result.fetched == len(expected) > 900
    assert result.rejected == 0
    assert_matches_demo(store, demo, clock.now)
    rows = stored(store).values()
    assert {row.channel for row in rows} == {"hotline", "mailbox", "letter", "radio"}
    assert {row.category for row in rows} == {"lax", "obstruction", "inaction", "misconduct", "attitude", "other"}
    assert {row.four_chaos for row in rows} == {None, "fees", "levies", "fines", "inspections"}
    assert all(row.unit_code for row in rows), "the demo names campaign units"
    assert all(row.deadline_at and row.complainant_phone.count("*") == 4 for row in rows)
    latest = max(c.version_at(clock.now).at for c in expected.values())
    assert cursor_of(store) == {"updated": iso_utc(latest)}


def test_runs_are_incremental_and_later_versions_replace_earlier_ones(store, registry, url, demo, clock):
    first = run_collector(store, registry, "complaints", server_settings(registry, url))
    again = run_collector(store, registry, "complaints", server_settings(registry, url))
    assert (again.status, again.inserted, again.updated) == ("success", 0, 0)
    assert 0 < again.fetched < first.fetched, "only the last revisit_days are read again"

    before = clock.now
    clock.now += dt.timedelta(days=30)
    later = run_collector(store, registry, "complaints", server_settings(registry, url))

    expected = visible(demo, clock.now)
    changed = [c for c in visible(demo, before).values() if c.version_at(clock.now) != c.version_at(before)]
    assert later.status == "success"
    assert later.inserted == len(expected) - len(visible(demo, before)) > 0
    assert later.updated == len(changed) > 0
    assert_matches_demo(store, demo, clock.now)
    closed_since = next(c for c in changed if c.version_at(before).status == "open"
                        and c.version_at(clock.now).status == "closed")
    row = stored(store)[closed_since.id]
    assert (row.status, row.closed_at) == ("closed", closed_since.version_at(clock.now).closed_at)


def test_a_failure_keeps_whole_windows_and_the_cursor_before_the_failing_one(store, registry, demo_units, clock):
    failing = ComplaintsDemo(demo_units, year=2026, seed=7, clock=clock, page_size=PAGE, fail_after_pages=5)
    shown = sorted(visible(failing, clock.now).values(), key=lambda c: c.received_at)
    # Answers per window: full pages, then one short or empty page.
    done, answers = [], 0
    for start, end in windows(YEAR_START, dt.datetime.now(dt.UTC), 30):
        inside = [c for c in shown if start <= c.received_at <= end]
        answers += pages_read(len(inside))
        if answers > 5:
            break
        done.append((end, inside))
    assert done, "at least one window is read in full before the failure"
    server = serve(failing, "/complaints", "complaints")
    try:
        result = run_collector(store, registry, "complaints", server_settings(registry, server.base_url + "/complaints"))
    finally:
        server.stop()

    assert result.status == "failed"
    assert "500" in result.error and "injected failure" in result.error
    kept = {c.id for _, inside in done for c in inside}
    assert set(stored(store)) == kept
    last_end = done[-1][0]
    latest = max(c.version_at(clock.now).at for c in shown if c.id in kept)
    assert cursor_of(store) == {"updated": iso_utc(min(last_end, latest))}
    with store.begin() as session:
        run = session.scalars(select(CollectorRun)).one()
    assert (run.status, run.inserted) == ("failed", len(kept))

    healthy = ComplaintsDemo(demo_units, year=2026, seed=7, clock=clock, page_size=PAGE)
    server = serve(healthy, "/complaints", "complaints")
    try:
        resumed = run_collector(store, registry, "complaints", server_settings(registry, server.base_url + "/complaints"))
    finally:
        server.stop()
    assert resumed.status == "success"
    assert_matches_demo(store, healthy, clock.now)


def pages_read(requests: int) -> int:
    """Answers the collector asks for in a window: its pages and the empty or short page that ends it
    (a window under one page takes a second, empty page to tell a paging server from one that does not page)."""
    if requests == 0:
        return 1
    return 2 if requests < PAGE else requests // PAGE + 1


class Flaky:
    """Wraps a demo: answers 503 to every other request, or is slow for the first requests of some windows."""

    def __init__(self, inner: ComplaintsDemo, slow_from: dt.datetime | None = None, slow_times: int = 0) -> None:
        self.inner, self.slow_from, self.slow_times = inner, slow_from, slow_times
        self.calls = 0
        assert inner.complaints, "generated before serving, so that only the slow answers are slow"

    def handle(self, method, path, query):
        self.calls += 1
        start = query.get("start_date", [""])[0]
        if self.slow_from is not None and start and dt.datetime.fromisoformat(start) >= self.slow_from:
            if self.slow_times != 0:
                self.slow_times -= 1
                time.sleep(1.0)
        elif self.slow_from is None and self.calls % 2:
            return DemoResponse(503, b'[{"code": 503, "description": "busy"}]')
        return self.inner.handle(method, path, query)


def test_server_errors_are_retried(store, registry, demo, clock):
    flaky = Flaky(demo)
    server = serve(flaky, "/c", "complaints")
    try:
        result = run_collector(store, registry, "complaints", server_settings(registry, server.base_url + "/c",
                                                                              retries="2"))
    finally:
        server.stop()
    assert result.status == "success", result.error
    assert_matches_demo(store, demo, clock.now)


def test_a_timeout_is_retried(store, registry, demo, clock):
    slow = Flaky(demo, slow_from=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), slow_times=1)
    server = serve(slow, "/c", "complaints")
    try:
        result = run_collector(store, registry, "complaints", server_settings(
            registry, server.base_url + "/c", timeout="0.4", retries="2"))
    finally:
        server.stop()
    assert result.status == "success", result.error
    assert_matches_demo(store, demo, clock.now)


def test_a_source_that_keeps_timing_out_is_a_failed_run_with_nothing_half_written(store, registry, demo, clock):
    slow_from = YEAR_START + dt.timedelta(days=60)  # the third window
    slow = Flaky(demo, slow_from=slow_from, slow_times=-1)
    server = serve(slow, "/c", "complaints")
    try:
        result = run_collector(store, registry, "complaints", server_settings(
            registry, server.base_url + "/c", timeout="0.3", retries="1"))
    finally:
        server.stop()
    assert result.status == "failed"
    # After the retries requests reports the read timeout as a connection error.
    assert result.error.startswith(f"GET {server.base_url}/c/requests.json: ")
    assert set(stored(store)) == {c.id for c in demo.complaints if c.received_at <= slow_from}
    assert cursor_of(store) == {"updated": iso_utc(slow_from)}, "the end of the second window, the last read"


def test_a_server_answering_xml(store, registry, demo, clock):
    class Xml:
        def handle(self, method, path, query):
            return demo.handle(method, path.replace(".json", ".xml"), query)

    server = serve(Xml(), "/c", "complaints")
    try:
        result = run_collector(store, registry, "complaints", server_settings(registry, server.base_url + "/c"))
    finally:
        server.stop()
    assert result.status == "success", result.error
    assert_matches_demo(store, demo, clock.now)


def test_escalations_list_the_open_complaints_sent_back_three_times(store, registry, demo_units):
    late_clock = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    full = ComplaintsDemo(demo_units, year=2026, seed=7, clock=lambda: late_clock, page_size=500)
    server = serve(full, "/c", "complaints")
    try:
        result = run_collector(store, registry, "complaints", server_settings(registry, server.base_url + "/c"))
    finally:
        server.stop()
    assert result.status == "success", result.error
    read_until = dt.datetime.now(dt.UTC)
    expected = {c.id for c in full.complaints if c.received_at <= read_until
                and c.version_at(late_clock).rehandled >= 3 and c.version_at(late_clock).status == "open"}
    with store.begin() as session:
        alerts = escalations(session)
    assert [a.external_id for a in alerts] == sorted(expected, reverse=True), "newest first"
    assert expected and all(a.rehandled_count >= 3 and a.unit_code for a in alerts)


def test_an_unreachable_or_misconfigured_source_fails_with_one_clear_line(store, registry):
    unreachable = run_collector(store, registry, "complaints", server_settings(registry, "http://127.0.0.1:9/o"))
    assert unreachable.status == "failed"
    assert unreachable.error.startswith("GET http://127.0.0.1:9/o/services.json: cannot connect")
    for values, words in (
        ({}, "neither 'url' nor 'path'"),
        ({"url": "http://127.0.0.1:9", "window_days": "120"}, "window_days must be from 1 to 90"),
        ({"path": str(FIXTURES), "category_map": '{"扯皮": "推诿"}'}, "category '推诿' (for '扯皮') is not one of"),
        ({"path": str(FIXTURES), "header_map": '{"编号": "id"}'}, "header_map['编号'] = 'id' is not a field"),
        ({"path": str(FIXTURES), "unit_map": '{"某公司": "nowhere"}'}, "unit_map['某公司'] = 'nowhere' is not a unit"),
        ({"path": str(FIXTURES), "service_map": '{"XN-01": {"days": 5}}'}, "service_map['XN-01'] must be a category"),
        ({"path": "/no/such/folder"}, "path /no/such/folder does not exist"),
    ):
        result = run_collector(store, registry, "complaints", settings(registry, **values))
        assert result.status == "failed" and words in result.error, result.error
    assert count(store) == 0


# --- real GeoReport documents ----------------------------------------------------------

REQUEST_FILES = {
    # file: (requests, open, without a geocode)
    "bloomington_requests_2012.json": (21, 18, 8),
    "san_francisco_requests_2012.xml": (56, 52, 9),
    "toronto_requests_multi_2018.xml": (2, 2, 0),
    "toronto_requests_single_2018.xml": (1, 1, 0),
    "chicago_requests_2014.json": (2, 2, 0),
}
SERVICE_FILES = {"bloomington_services_2012.json": 46, "san_francisco_services_2012.xml": 38,
                 "giessen_services_2018.xml": 8}


def test_the_copies_are_every_shared_open311_file_unchanged():
    shared = SHARED / "open311"
    if not shared.is_dir():
        pytest.skip("../shared/fixtures is not here")
    names = sorted(p.name for p in shared.iterdir())
    assert names == sorted([*REQUEST_FILES, *SERVICE_FILES])
    assert filecmp.cmpfiles(shared, FIXTURES, names, shallow=False)[0] == names


@pytest.mark.parametrize("name", sorted(REQUEST_FILES))
def test_each_request_file(store, registry, name):
    requests, still_open, no_geocode = REQUEST_FILES[name]
    result = run_collector(store, registry, "complaints", settings(registry, path=str(FIXTURES / name)))
    assert (result.status, result.fetched, result.inserted, result.rejected) == ("success", requests, requests, 0)
    rows = stored(store).values()
    assert sum(row.status == "open" for row in rows) == still_open
    assert sum(row.lat is None for row in rows) == no_geocode
    assert all(row.channel == "other" and row.unit_code is None for row in rows)
    # A service name that names no campaign category is stored as unknown and counted, for service_map.
    assert all(row.category == ("unknown" if row.service_name else "other") for row in rows)
    assert set(result.unknown_words) == ({"category"} if any(row.service_name for row in rows) else set())


@pytest.mark.parametrize("name", sorted(SERVICE_FILES))
def test_each_service_file_is_read_as_a_service_list(store, registry, name):
    result = run_collector(store, registry, "complaints", settings(registry, path=str(FIXTURES / name)))
    assert (result.status, result.fetched, result.rejected) == ("success", 0, 0)
    assert len(services_of(read_document((FIXTURES / name).read_bytes()))) == SERVICE_FILES[name]


def test_service_lists_keep_codes_as_strings_and_names_intact():
    bloomington = services_of(read_document((FIXTURES / "bloomington_services_2012.json").read_bytes()))
    first = next(iter(bloomington.values()))
    assert (first.code, first.name) == ("4e09c863992b94b915000000", "City Performance")
    assert Counter(s.group for s in bloomington.values())["Streets, Parking & Traffic"] == 14
    san_francisco = services_of(read_document((FIXTURES / "san_francisco_services_2012.xml").read_bytes()))
    assert "001" in san_francisco and Counter(s.group for s in san_francisco.values())["Graffiti"] == 8
    giessen = services_of(read_document((FIXTURES / "giessen_services_2018.xml").read_bytes()))
    assert giessen["011"].name == "Straßen- und Gehwegschäden"
    assert giessen["011"].group is None


def test_the_whole_folder(store, registry):
    result = run_collector(store, registry, "complaints", settings(registry, path=str(FIXTURES)))

    assert (result.status, result.rejected) == ("success", 0)
    assert result.fetched == sum(n for n, _, _ in REQUEST_FILES.values()) == 82
    assert count(store) == 81, "the two Toronto files share request 101005420892"
    rows = stored(store)
    assert rows["4fbd40b2b1fe2c4b02000001"].description.startswith("I'm not sure if this intersection")
    assert "\r\n" in rows["4fbd40b2b1fe2c4b02000001"].description
    first_sf = rows["1129806"]
    # 2012-05-22 23:57:23.97 has no zone: taken as Beijing time.
    assert first_sf.received_at == dt.datetime(2012, 5, 22, 15, 57, 23, 970000, tzinfo=dt.UTC)
    assert (first_sf.status, first_sf.service_code, first_sf.lat, first_sf.zipcode) == ("open", "280", None, "0")
    closed_sf = [row for row in rows.values() if row.external_id.isdigit() and len(row.external_id) == 7
                 and row.status == "closed"]
    assert len(closed_sf) == 4 and all(row.closed_at == row.updated_at is not None for row in closed_sf)
    toronto = rows["101005420892"]
    assert toronto.expected_at == toronto.deadline_at == dt.datetime(2018, 8, 3, 4, 1, tzinfo=dt.UTC)
    assert (toronto.lat, toronto.long, toronto.description) == (43.691104288, -79.272306875, None)
    assert toronto.status_notes == "In progress - The request has been scheduled."
    assert rows["14-01100627"].status_notes == "Locked" and rows["14-01100669"].status_notes is None
    assert rows["4fbd40b2b1fe2c4b02000001"].received_at == dt.datetime(2012, 5, 23, 19, 55, 28, tzinfo=dt.UTC)

    again = run_collector(store, registry, "complaints", settings(registry, path=str(FIXTURES)))
    assert (again.status, again.fetched) == ("success", 0), "files already read are skipped"


def test_malformed_documents_are_rejected_item_by_item_and_the_rest_is_stored(store, registry, tmp_path):
    (tmp_path / "a_not_json.json").write_text("502 Bad Gateway", encoding="utf-8")
    (tmp_path / "b_wrong_schema.json").write_text('{"error": "no such jurisdiction"}', encoding="utf-8")
    (tmp_path / "c_requests.json").write_text(
        '[{"service_request_id": "ok-1", "status": "open", "requested_datetime": "2026-03-01T09:00:00+08:00"},'
        ' {"status": "open", "requested_datetime": "2026-03-01T10:00:00+08:00"},'
        ' {"service_request_id": "bad-time", "status": "open", "requested_datetime": "yesterday"},'
        ' "not an object",'
        ' {"service_request_id": 42, "status": "closed", "requested_datetime": "2026-03-02T09:00:00Z",'
        '  "updated_datetime": "2026-03-03T09:00:00Z"}]', encoding="utf-8")
    (tmp_path / "d_broken.xml").write_text("<service_requests><request>", encoding="utf-8")
    (tmp_path / "e_export.csv").write_text("编号,内容\n1,x\n", encoding="utf-8")
    (tmp_path / "f_entities.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><service_requests>&a;</service_requests>',
        encoding="utf-8")

    result = run_collector(store, registry, "complaints", settings(registry, path=str(tmp_path)))

    assert (result.status, result.inserted, result.rejected) == ("partial", 2, 8)
    problems = "\n".join(result.problems)
    for words in ("a_not_json.json: not JSON or XML", "b_wrong_schema.json: wrong schema: expected a list",
                  "c_requests.json, item 2: a request without service_request_id",
                  "bad-time: c_requests.json, item 3: 'yesterday' is not a date",
                  "c_requests.json, item 4: not an object but str", "d_broken.xml: not well-formed XML",
                  "e_export.csv: no 工单编号 column", "f_entities.xml: XML with entities or a DTD, refused"):
        assert words in problems, words
    rows = stored(store)
    assert set(rows) == {"ok-1", "42"}
    assert rows["42"].closed_at == dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)


# --- 12345 work-order exports ----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_work_order_exports(store, registry, tmp_path, campaign, encoding):
    unit = next(u for u in campaign.units if u["kind"] == "department")
    text = (
        "工单编号,受理时间,来源渠道,诉求类别,诉求内容,承办单位,办理时限,办结时间,办理状态,回访满意度,是否属实,处理结果,"
        "发回重办次数,诉求人,联系电话\n"
        f"GD001,2026/3/2 9:30:00,12345热线,效能投诉-推诿扯皮,窗口互相推诿,{unit['name']},5,2026/3/6 16:00,已办结,"
        "基本满意,属实,已责令整改,0,张某,138****0001\n"
        "GD002,2026-03-03 10:00,政风行风热线,乱收费,收取工本费,某某公司,2026-03-20 17:30,,办理中,,,,3,李某,\n"
        "GD003,2026/3/4,网上信箱,其他,咨询,,10,2026/3/5,已办结,不满意,不属实,,1,,\n"
        "GD004,not a time,来信,其他,,,,,,,,,,,\n"
    )
    (tmp_path / "工单导出.csv").write_bytes(text.encode(encoding))
    values = settings(registry, path=str(tmp_path), unit_map=json.dumps({"某某公司": unit["code"]}))

    result = run_collector(store, registry, "complaints", values)

    assert (result.status, result.inserted, result.rejected) == ("partial", 3, 1)
    assert "工单导出.csv line 5" in result.problems[0] and "not a time" in result.problems[0]
    rows = stored(store)
    first, second, third = rows["GD001"], rows["GD002"], rows["GD003"]
    assert (first.channel, first.category, first.unit_code, first.unit_name) == (
        "hotline", "obstruction", unit["code"], unit["name"])
    assert first.received_at == dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
    # 5 working days after Monday 2 March 2026 is Monday 9 March, to its last second (Beijing time).
    assert first.deadline_at == dt.datetime(2026, 3, 9, 15, 59, 59, tzinfo=dt.UTC)
    assert (first.status, first.verified, first.satisfaction, first.outcome) == (
        "closed", True, "basically_satisfied", "已责令整改")
    assert (first.description, first.complainant_name, first.complainant_phone) == ("窗口互相推诿", "张某", "138****0001")
    assert (second.channel, second.category, second.four_chaos, second.status) == ("radio", "misconduct", "fees", "open")
    assert (second.unit_code, second.rehandled_count, second.closed_at) == (unit["code"], 3, None)
    assert second.deadline_at == dt.datetime(2026, 3, 20, 9, 30, tzinfo=dt.UTC)
    assert (third.channel, third.verified, third.satisfaction, third.unit_code) == ("mailbox", False, "unsatisfied", None)
    again = run_collector(store, registry, "complaints", values)
    assert (again.fetched, again.inserted) == (0, 0), "a file already read is skipped"


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (unlicensed data, read in place)")
    return path


def hotline_settings(registry, path: Path, **header_map: str) -> dict:
    return settings(registry, path=str(path), header_map=json.dumps(header_map, ensure_ascii=False))


def test_real_wenzheng_messages_with_replies(store, registry):
    path = shared_file("hotline-cn", "wenzheng_messages_with_replies.csv")
    result = run_collector(store, registry, "complaints", hotline_settings(registry, path))

    assert (result.status, result.inserted, result.rejected) == ("success", 120, 0)
    rows = stored(store)
    first = rows["2549"]
    assert first.received_at == dt.datetime(2019, 4, 25, 1, 32, 9, tzinfo=dt.UTC)
    assert first.closed_at == dt.datetime(2019, 5, 10, 6, 56, 53, tzinfo=dt.UTC)
    assert rows["2759"].received_at == dt.datetime(2019, 4, 8, 0, 37, 20, tzinfo=dt.UTC)
    assert all(row.status == "closed" and row.outcome and row.complainant_name for row in rows.values())
    days = [(row.closed_at - row.received_at).total_seconds() / 86400 for row in rows.values()]
    assert min(days) == pytest.approx(0.79, abs=0.01)
    assert statistics.median_high(days) == pytest.approx(10.1, abs=0.05)  # the fixtures README's "median"
    assert max(days) == pytest.approx(893.7, abs=0.05)
    received = sorted(row.received_at for row in rows.values())
    assert (received[0], received[-1]) == (dt.datetime(2011, 4, 2, 10, 0, 54, tzinfo=dt.UTC),
                                           dt.datetime(2019, 12, 31, 6, 51, 42, tzinfo=dt.UTC))


def test_the_gb18030_export_reads_as_the_same_messages(store, registry):
    utf8 = shared_file("hotline-cn", "wenzheng_messages_with_replies.csv")
    gb18030 = shared_file("csv-encodings", "wenzheng_messages_with_replies.gb18030.csv")
    run_collector(store, registry, "complaints", hotline_settings(registry, utf8))
    expected = {key: (row.received_at, row.closed_at, row.description, row.outcome)
                for key, row in stored(store).items()}
    with store.begin() as session:
        session.query(Complaint).delete()

    result = run_collector(store, registry, "complaints", hotline_settings(registry, gb18030))

    assert (result.status, result.inserted) == ("success", 120)
    assert {key: (row.received_at, row.closed_at, row.description, row.outcome)
            for key, row in stored(store).items()} == expected
    assert any("\u00a0" in row.description for row in stored(store).values()), "what GBK cannot hold survives"


def test_the_real_messages_as_a_workbook_read_as_the_csv_does(store, registry, tmp_path):
    """The 问政 messages came as XLSX (the fixtures hold them converted to CSV): as a workbook with a
    title row, numeric ids and the one real date cell, the same 120 complaints."""
    path = shared_file("hotline-cn", "wenzheng_messages_with_replies.csv")
    run_collector(store, registry, "complaints", hotline_settings(registry, path))
    # The CSV kept the workbook's escape of a carriage return (_x000D_) as text; a workbook reader decodes it.
    expected = {key: (row.received_at, row.closed_at, row.description.replace("_x000D_", "\r"), row.outcome,
                      row.status) for key, row in stored(store).items()}
    with store.begin() as session:
        session.query(Complaint).delete()
    header, *rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines(keepends=True)))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["附件4 留言及答复意见"])
    sheet.append(header)
    for row in rows:
        sheet.append([int(row[0]), *row[1:3], dt.datetime.fromisoformat(row[3]) if "-" in row[3] else row[3], *row[4:]])
    workbook.save(tmp_path / "附件4.xlsx")

    result = run_collector(store, registry, "complaints", settings(registry, path=str(tmp_path)))

    assert (result.status, result.inserted, result.rejected) == ("success", 120, 0), result.problems
    assert {key: (row.received_at, row.closed_at, row.description, row.outcome, row.status)
            for key, row in stored(store).items()} == expected


def test_real_labelled_messages_with_a_duplicate(store, registry):
    path = shared_file("hotline-cn", "wenzheng_messages_labelled.csv")
    result = run_collector(store, registry, "complaints", hotline_settings(registry, path, **HOTLINE_HEADERS))

    assert (result.status, result.fetched, result.inserted, result.rejected) == ("success", 495, 494, 0)
    rows = stored(store).values()
    assert len(rows) == 494
    # 37042 comes twice, the same message filed under 城乡建设 and then 劳动和社会保障: the later row wins.
    assert Counter(row.category_text for row in rows) == {
        "劳动和社会保障": 104, "城乡建设": 100, "教育文体": 96, "卫生计生": 58, "交通运输": 55, "商贸旅游": 48, "环境保护": 33}
    assert all(row.category == "unknown" and row.status == "open" for row in rows), "no 效能 words, no replies"
    assert result.unknown_words["category"]["劳动和社会保障"] == 104, "each row read counts, the duplicate too"


# --- word tables, dates, workbooks and mappings of exports ------------------------------

CLOSING_WORDS = ("已办结", "办结", "已完成", "完成", "已答复", "已回复", "已反馈", "已回访", "待回访", "已办理", "已处理",
                 "处理完毕", "办理完毕", "已关闭", "已结案", "结案", "办毕", "已归档", "closed", "Closed")
OPEN_WORDS = ("待办理", "办理中", "处理中", "已受理", "待受理", "已派单", "已转办", "待签收", "已退回", "发回重办", "open")
CHANNELS = {"12345热线": "hotline", "投诉专线": "hotline", "电话": "hotline", "政风行风热线": "radio",
            "网上信箱": "mailbox", "领导留言板": "mailbox", "微信": "mailbox", "小程序": "mailbox", "移动端": "mailbox",
            "来信": "letter", "来访": "other"}
SATISFACTIONS = {"非常满意": "satisfied", "满意": "satisfied", "基本满意": "basically_satisfied",
                 "不满意": "unsatisfied", "非常不满意": "unsatisfied", "未回访": None}
ORDER_HEADER = "工单编号,受理时间,来源渠道,办理状态,办结时间,回访满意度\n"


def orders_file(folder: Path, name: str, rows: list[str], header: str = ORDER_HEADER) -> None:
    (folder / name).write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")


def json_settings(registry, folder: Path, **maps) -> dict:
    return settings(registry, path=str(folder), **{name: value if isinstance(value, str) else
                                                   json.dumps(value, ensure_ascii=False) for name, value in maps.items()})


def test_every_status_channel_and_satisfaction_word(store, registry, tmp_path):
    rows = [f"S{n},2026/3/2 9:00,12345热线,{word},2026/3/3 9:00," for n, word in enumerate(CLOSING_WORDS)]
    rows += [f"O{n},2026/3/2 9:00,12345热线,{word},," for n, word in enumerate(OPEN_WORDS)]
    rows += [f"C{n},2026/3/2 9:00,{word},,," for n, word in enumerate(CHANNELS)]
    rows += [f"M{n},2026/3/2 9:00,,已办结,2026/3/3,{word}" for n, word in enumerate(SATISFACTIONS)]
    orders_file(tmp_path, "words.csv", rows)

    result = run_collector(store, registry, "complaints", settings(registry, path=str(tmp_path)))

    assert (result.status, result.inserted, result.unknown_words) == ("success", len(rows), {})
    rows_stored = stored(store)
    assert all(rows_stored[f"S{n}"].status == "closed" for n in range(len(CLOSING_WORDS)))
    assert rows_stored["S0"].closed_at == dt.datetime(2026, 3, 3, 1, tzinfo=dt.UTC)
    assert all((rows_stored[f"O{n}"].status, rows_stored[f"O{n}"].closed_at) == ("open", None)
               for n in range(len(OPEN_WORDS)))
    assert {word: rows_stored[f"C{n}"].channel for n, word in enumerate(CHANNELS)} == CHANNELS
    assert {word: rows_stored[f"M{n}"].satisfaction for n, word in enumerate(SATISFACTIONS)} == SATISFACTIONS


def test_an_unknown_status_is_stored_as_unknown_not_closed_and_status_map_reads_the_file_again(store, registry,
                                                                                               tmp_path):
    orders_file(tmp_path, "export.csv", [
        "U1,2026/3/2 9:00,抖音,已办复,2026/3/5 10:00,",
        "U2,2026/3/2 9:00,12345,已办复,,一言难尽",
        "U3,2026/3/2 9:00,12345,已办理,2026/3/4,",
    ])
    first = run_collector(store, registry, "complaints", settings(registry, path=str(tmp_path)))

    assert (first.status, first.inserted) == ("success", 3)
    assert first.unknown_words == {"channel": {"抖音": 1}, "status": {"已办复": 2}, "satisfaction": {"一言难尽": 1}}
    rows = stored(store)
    assert (rows["U1"].status, rows["U1"].closed_at, rows["U1"].channel) == ("unknown", None, "unknown"), "not closed"
    assert (rows["U2"].satisfaction, rows["U3"].status) == ("unknown", "closed")

    mapped = json_settings(registry, tmp_path, status_map={"已办复": "closed"}, channel_map={"抖音": "mailbox"},
                           satisfaction_map={"一言难尽": "basically_satisfied"})
    again = run_collector(store, registry, "complaints", mapped)
    assert (again.status, again.fetched, again.unknown_words) == ("success", 3, {})
    rows = stored(store)
    assert (rows["U1"].status, rows["U1"].channel, rows["U2"].status, rows["U2"].satisfaction) == (
        "closed", "mailbox", "closed", "basically_satisfied")
    assert rows["U1"].closed_at == dt.datetime(2026, 3, 5, 2, tzinfo=dt.UTC)
    assert run_collector(store, registry, "complaints", mapped).fetched == 0

    wrong = run_collector(store, registry, "complaints", json_settings(registry, tmp_path, status_map={"已办复": "done"}))
    assert wrong.status == "failed" and "status_map['已办复'] = 'done' is not a status" in wrong.error


def test_us_date_text_and_excel_serials(store, registry, tmp_path):
    orders_file(tmp_path, "us.csv", [f"D{day},11/{day}/2016 9:30,,,," for day in range(1, 31)]
                + ["D31,12/31/2016 23:59,,已办结,1/3/2017 9:00,"], header="工单编号,时间,来源渠道,办理状态,办结时间,回访满意度\n")
    orders_file(tmp_path, "serial.csv", ["X1,46086.375,,已办结,46087,"])
    values = json_settings(registry, tmp_path, header_map={"时间": "requested_datetime"})

    result = run_collector(store, registry, "complaints", values)

    assert (result.status, result.inserted, result.rejected) == ("success", 32, 0), result.problems
    rows = stored(store)
    assert rows["D30"].received_at == dt.datetime(2016, 11, 30, 1, 30, tzinfo=dt.UTC)
    assert rows["D1"].received_at == dt.datetime(2016, 11, 1, 1, 30, tzinfo=dt.UTC), "month first, as its column"
    assert rows["D31"].closed_at == dt.datetime(2017, 1, 3, 1, tzinfo=dt.UTC)
    assert rows["X1"].received_at == dt.datetime(2026, 3, 5, 1, tzinfo=dt.UTC)
    assert rows["X1"].closed_at == dt.datetime(2026, 3, 5, 16, tzinfo=dt.UTC)
    assert "us.csv column 时间: dates with the year last read month first (date_order auto)" in result.notes


def test_workbooks_in_the_folder_and_named_directly(store, registry, tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "工单"
    first.append(["12345热线工单导出", None, None])
    first.append(["导出时间：2026-04-01", None, None])
    first.append(["工单\n编号", "受理时间", "办理状态"])
    first.append([20260001, dt.datetime(2026, 3, 2, 9, 30), "已办理"])
    first.append(["GD-2", "2026/3/3 10:00", "办理中"])
    workbook.create_sheet("统计").append(["合计", 3])
    second = workbook.create_sheet("三月补录")
    second.append(["工单编号", "受理时间", "办理状态"])
    second.append(["GD-3", 46085.5, "已答复"])
    workbook.save(tmp_path / "工单导出.xlsx")

    result = run_collector(store, registry, "complaints", settings(registry, path=str(tmp_path)))

    assert (result.status, result.inserted, result.rejected) == ("success", 3, 0), result.problems
    rows = stored(store)
    assert (rows["20260001"].status, rows["GD-2"].status, rows["GD-3"].status) == ("closed", "open", "closed")
    assert rows["20260001"].received_at == dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
    assert rows["GD-3"].received_at == dt.datetime(2026, 3, 4, 4, tzinfo=dt.UTC)

    named = tmp_path / "named" / "工单.xlsx"
    named.parent.mkdir()
    named.write_bytes((tmp_path / "工单导出.xlsx").read_bytes())
    alone = run_collector(store, registry, "complaints", settings(registry, path=str(named)))
    assert (alone.status, alone.fetched, alone.unchanged) == ("success", 3, 3), "not 'not JSON or XML'"


def test_header_map_keys_match_headers_without_spaces_and_a_key_matching_nothing_is_named(store, registry, tmp_path):
    orders_file(tmp_path, "留言板.csv", ["L1,2026/3/2 9:00,领导留言板"], header="工单编号,受理时间,信息 来源\n")
    spaced = run_collector(store, registry, "complaints", json_settings(
        registry, tmp_path, header_map={"信息来源": "channel"}))
    assert (spaced.status, stored(store)["L1"].channel) == ("success", "mailbox")

    orders_file(tmp_path, "留言板.csv", ["L1,2026/3/2 9:00,领导留言板"], header="工单编号,受理时间,信息 来源渠道\n")
    typo = run_collector(store, registry, "complaints", json_settings(
        registry, tmp_path, header_map={"信息来源": "channel"}))
    assert typo.status == "failed"
    assert typo.problems == ["留言板.csv: no column 信息来源 (header_map); did you mean 信息 来源渠道?"]


def test_a_quote_that_never_closes_rejects_the_file_with_its_line(store, registry, tmp_path):
    orders_file(tmp_path, "a_quote.csv", ["Q1,2026/3/2 9:00,12345,已办结,,", 'Q2,2026/3/2 9:00,"12345,办理中,,',
                                          "Q3,2026/3/2 9:00,12345,办理中,,"])
    orders_file(tmp_path, "b_good.csv", ["G1,2026/3/2 9:00,12345,已办结,,"])

    result = run_collector(store, registry, "complaints", settings(registry, path=str(tmp_path)))

    assert (result.status, result.inserted, result.rejected) == ("partial", 1, 1)
    assert result.problems[0].startswith("a_quote.csv: line 3: a quote (\") opens a cell that is not closed")
    assert set(stored(store)) == {"G1"}, "nothing of the file with the broken quote"
