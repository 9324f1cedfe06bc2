"""The demo Open311 complaint server: what it generates and how it answers."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest

from collectors import DemoContext, UnitDirectory
from collectors.registry import load_registry
from collectors.demo import DemoResponse
from plugins.complaints_demo import RADIO, SERVICES, ComplaintsDemo, broadcast_days
from plugins.complaints_mapping import FieldMapping
from plugins.open311 import read_document

SHANGHAI = timezone(timedelta(hours=8))
YEAR = 2026
YEAR_AFTER = datetime(YEAR + 1, 6, 1, tzinfo=UTC)  # every course has run


@pytest.fixture
def demo(demo_units) -> ComplaintsDemo:
    return ComplaintsDemo(demo_units, YEAR, clock=lambda: YEAR_AFTER)


def get(demo: ComplaintsDemo, path: str, **params: str) -> DemoResponse:
    return demo.handle("GET", path, {key: [value] for key, value in params.items()})


def items(response: DemoResponse) -> list[dict]:
    assert response.status == 200, response.body
    return read_document(response.body).items


def window(demo: ComplaintsDemo, start: str, end: str, **params: str) -> list[dict]:
    return items(get(demo, "/requests.json", start_date=start, end_date=end, page_size="1000", **params))


def test_generation_is_deterministic_depends_on_the_seed_and_not_on_the_clock(demo, demo_units):
    again = ComplaintsDemo(demo_units, YEAR, clock=lambda: datetime(YEAR, 2, 1, tzinfo=UTC))
    assert again.complaints == demo.complaints
    assert ComplaintsDemo(demo_units, YEAR, seed=1).complaints != demo.complaints


def test_volumes_channels_and_categories_are_plausible(demo, demo_units):
    complaints = demo.complaints
    assert 1500 <= len(complaints) <= 3000
    assert all(c.received_at.astimezone(SHANGHAI).year == YEAR for c in complaints)
    channels = Counter(c.channel for c in complaints)
    assert channels["投诉专线"] > channels["网上投诉信箱"] > channels["来信"] > channels[RADIO] > 0
    shares = {name: n / len(complaints) for name, n in Counter(c.service.category.split("/")[0]
                                                                for c in complaints).items()}
    assert 0.25 <= shares["庸懒散慢"] <= 0.35
    assert 0.10 <= shares["中梗阻"] <= 0.20 and 0.13 <= shares["不作为"] <= 0.23
    assert 0.07 <= shares["乱作为"] <= 0.18 and 0.12 <= shares["服务态度"] <= 0.22
    assert {c.service.category for c in complaints} >= {"乱作为/乱收费", "乱作为/乱摊派", "乱作为/乱罚款", "乱作为/乱检查"}
    units = Counter(c.unit.code for c in complaints)
    assert set(units) == {u.code for u in demo_units}, "every unit draws complaints"
    assert max(units.values()) > 3 * min(units.values()), "some units draw many more"


def test_the_radio_programme_is_on_its_eight_days(demo):
    days = broadcast_days(YEAR)
    assert len(set(days)) == 8 and all(day.weekday() == 2 for day in days)
    on_air = [c for c in demo.complaints if c.channel == RADIO]
    assert {c.received_at.astimezone(SHANGHAI).date() for c in on_air} == set(days)
    assert all(9 <= c.received_at.astimezone(SHANGHAI).hour < 10 for c in on_air)
    assert 6 * 8 <= len(on_air) <= 10 * 8


def test_courses_are_plausible(demo):
    finals = [(c, c.version_at(YEAR_AFTER)) for c in demo.complaints]
    closed = [(c, v) for c, v in finals if v.status == "closed"]
    on_time = sum(v.closed_at <= c.deadline_at for c, v in closed) / len(closed)
    assert 0.80 <= on_time <= 0.95, on_time
    never = [c for c, v in finals if v.status == "open" and v.rehandled == 0]
    assert 10 <= len(never) <= 80, "a few are never closed"
    rehandled = Counter(v.rehandled for _, v in finals)
    assert set(rehandled) == {0, 1, 2, 3, 4}
    assert sum(1 for _, v in finals if v.rehandled >= 3 and v.status == "open") >= 3, "some to escalate"
    verified = Counter(v.verified for _, v in closed)
    assert verified[True] > 0 and verified[False] > verified[True] and verified[None] > 0
    assert all(v.outcome for _, v in closed if v.verified is not None)
    assert Counter(v.satisfaction for _, v in closed)["满意"] > len(closed) / 2
    for complaint in demo.complaints[:200]:
        times = [v.at for v in complaint.versions]
        assert times == sorted(times) and times[0] > complaint.received_at
        assert complaint.deadline_at > complaint.received_at


def test_personal_data_is_clearly_fake(demo):
    for complaint in demo.complaints:
        assert re.fullmatch(r".某", complaint.name)
        assert re.fullmatch(r"1\d\d\*{4}\d{4}", complaint.phone)
        assert complaint.address.endswith("某号")


def test_requests_are_chosen_by_requested_datetime_and_the_clock(demo_units):
    clock = datetime(YEAR, 3, 10, tzinfo=UTC)
    demo = ComplaintsDemo(demo_units, YEAR, clock=lambda: clock)
    served = window(demo, "2026-02-01T00:00:00Z", "2026-04-01T00:00:00Z")
    expected = [c for c in demo.complaints
                if datetime(YEAR, 2, 1, tzinfo=UTC) <= c.received_at <= clock]
    assert [r["service_request_id"] for r in served] == [c.id for c in expected]
    for record, complaint in zip(served, expected, strict=True):
        version = complaint.version_at(clock)
        assert (record["status"], record["rehandled"]) == (version.status, version.rehandled)
        assert datetime.fromisoformat(record["updated_datetime"]) == version.at
        assert record["requested_datetime"].endswith("+08:00")
    assert {r["status"] for r in served} == {"open", "closed"}


def test_a_later_clock_serves_later_versions(demo_units):
    now = {"at": datetime(YEAR, 3, 10, tzinfo=UTC)}
    demo = ComplaintsDemo(demo_units, YEAR, clock=lambda: now["at"])
    before = {r["service_request_id"]: r for r in window(demo, "2026-02-15T00:00:00Z", "2026-03-10T00:00:00Z")}
    now["at"] += timedelta(days=30)
    after = {r["service_request_id"]: r for r in window(demo, "2026-02-15T00:00:00Z", "2026-03-10T00:00:00Z")}
    assert set(after) == set(before)
    changed = [key for key in before if after[key] != before[key]]
    assert changed
    assert all(after[key]["updated_datetime"] > before[key]["updated_datetime"] for key in changed)
    assert any(before[key]["status"] == "open" and after[key]["status"] == "closed" for key in changed)


def test_paging_filters_and_the_default_window(demo):
    whole = window(demo, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z")
    pages, page = [], 1
    while True:
        got = items(get(demo, "/requests.json", start_date="2026-05-01T00:00:00Z", end_date="2026-06-01T00:00:00Z",
                        page=str(page), page_size="40"))
        if not got:
            break
        assert len(got) <= 40
        pages += got
        page += 1
    assert pages == whole and page - 1 == math.ceil(len(whole) / 40)
    closed = window(demo, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", status="closed")
    assert closed and all(r["status"] == "closed" for r in closed)
    chaos = window(demo, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", service_code="XN-06,XN-07")
    assert chaos and {r["service_code"] for r in chaos} <= {"XN-06", "XN-07"}



def test_without_dates_the_last_90_days_are_served(demo_units):
    clock = datetime(YEAR, 9, 1, tzinfo=UTC)
    demo = ComplaintsDemo(demo_units, YEAR, clock=lambda: clock, page_size=1000)
    served = items(get(demo, "/requests.json", jurisdiction_id="demo.gov"))
    assert [r["service_request_id"] for r in served] == [
        c.id for c in demo.complaints if clock - timedelta(days=90) <= c.received_at <= clock]
    assert len(items(get(demo, "/requests.json", page_size="100"))) == 100


@pytest.mark.parametrize(("params", "words"), [
    ({"start_date": "2026-05-01T00:00:00"}, "with a zone"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "90 days"),
    ({"start_date": "2026-05-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}, "not be after"),
    ({"page": "0"}, "page must be"),
    ({"page_size": "5000"}, "page_size must be"),
])
def test_bad_parameters_answer_400_in_the_georeport_error_format(demo, params, words):
    response = get(demo, "/requests.json", **params)
    assert response.status == 400
    (error,) = json.loads(response.body)
    assert error["code"] == 400 and words in error["description"]


def test_paths_methods_and_xml(demo):
    assert get(demo, "/requests.csv").status == 404
    assert get(demo, "/nothing").status == 404
    assert demo.handle("POST", "/requests.json", {}).status == 405
    xml = get(demo, "/requests.xml", start_date="2026-05-01T00:00:00Z", end_date="2026-05-10T00:00:00Z")
    assert xml.content_type.startswith("text/xml")
    as_json = window(demo, "2026-05-01T00:00:00Z", "2026-05-10T00:00:00Z")
    as_xml = read_document(xml.body).items
    assert [(r["service_request_id"], r["status"], r["verified"]) for r in as_xml] == [
        (r["service_request_id"], r["status"], None if r["verified"] is None else str(r["verified"]).lower())
        for r in as_json]
    error = get(demo, "/requests.xml", page="x")
    assert error.status == 400 and b"<errors>" in error.body


def test_services_and_how_the_collector_maps_their_categories(demo):
    served = read_document(get(demo, "/services.json").body)
    assert served.kind == "services" and len(served.items) == len(SERVICES)
    as_xml = read_document(get(demo, "/services.xml").body).items
    assert [(s["service_code"], s["service_name"]) for s in as_xml] == [(s.code, s.name) for s in SERVICES]
    mapping = FieldMapping.from_settings({"service_map": {}, "category_map": {}, "unit_map": {}}, UnitDirectory({}))
    request = {"service_request_id": "1", "requested_datetime": "2026-05-01T09:00:00+08:00", "status": "open"}
    mapped = {s.code: mapping.complaint({**request, "category": f"效能投诉/{s.category}"}) for s in SERVICES}
    assert {code: (m["category"], m["four_chaos"]) for code, m in mapped.items()} == {
        "XN-01": ("lax", None), "XN-02": ("lax", None), "XN-03": ("obstruction", None),
        "XN-04": ("inaction", None), "XN-05": ("misconduct", None), "XN-06": ("misconduct", "fees"),
        "XN-07": ("misconduct", "levies"), "XN-08": ("misconduct", "fines"), "XN-09": ("misconduct", "inspections"),
        "XN-10": ("attitude", None), "XN-99": ("other", None)}


def test_failure_injection_after_n_pages(demo_units):
    demo = ComplaintsDemo(demo_units, YEAR, clock=lambda: YEAR_AFTER, fail_after_pages=2)
    assert get(demo, "/requests.json").status == 200
    assert get(demo, "/services.json").status == 200, "the service list does not count"
    assert get(demo, "/requests.json").status == 200
    failed = get(demo, "/requests.json")
    assert failed.status == 500 and b"injected failure" in failed.body


def test_the_demo_source_is_mounted_for_the_collector(demo_units):
    sources = load_registry().demo_sources(DemoContext(units=demo_units, year=YEAR))
    (source,) = [s for s in sources if s.collector == "complaints"]
    assert source.mount == "/complaints"
    assert source.handler.handle("GET", "/services.json", {}).status == 200
