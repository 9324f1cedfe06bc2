"""Tests of the demo service-centre data source: the generator and the handler."""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from models.workdays import add_workdays, is_workday
from collectors.demo import DemoResponse, DemoUnit
from plugins.service_center_demo import ServiceCenterDemo

UTC = timezone.utc
SHANGHAI = timezone(timedelta(hours=8))
YEAR = 2026
AFTER_YEAR = datetime(YEAR + 1, 9, 1, tzinfo=UTC)  # every case completed


def _dept(code: str, name: str, window: bool = True) -> DemoUnit:
    return DemoUnit(code, name, "department", window)


UNITS = [
    _dept("fgj", "区发展和改革局"), _dept("scjgj", "区市场监管局"),
    _dept("zjj", "区住房和城乡建设局"), _dept("zrzyj", "区自然资源局"),
    _dept("bdc", "区不动产登记中心"), _dept("jtj", "区交通运输局"), _dept("swj", "区水务局"),
    _dept("sthjj", "区生态环境分局"), _dept("wjj", "区卫生健康局"),
    _dept("rsj", "区人力资源和社会保障局"), _dept("ybj", "区医疗保障局"), _dept("mzj", "区民政局"),
    _dept("gaj", "区公安分局"), _dept("sw", "区税务局"), _dept("jyj", "区教育局"),
    _dept("wlj", "区文化广电旅游体育局"), _dept("nyj", "区农业农村局"), _dept("yjj", "区应急管理局"),
    _dept("cgj", "区城市管理局"), _dept("swuj", "区商务局"), _dept("tjj", "区统计局"),
    _dept("sjj", "区审计局", window=False),
    DemoUnit("xg", "新港镇", "township", False), DemoUnit("hs", "黄山镇", "township", False),
    DemoUnit("ls", "柳树乡", "township", False), DemoUnit("dc", "东城街道", "street", False),
    DemoUnit("xc", "西城街道", "street", False), DemoUnit("nh", "南湖街道", "street", False),
]
WINDOWS = {u.code for u in UNITS if u.window and u.kind == "department"}
TOWNS = {u.code for u in UNITS if u.kind in ("township", "street")}
CASE_KEYS = {
    "id", "item_id", "department", "point_level", "point_unit", "channel", "accepted_at",
    "due_at", "completed_at", "status", "supplement_count", "rating", "agency_project_id",
    "agency_project_name", "updated_at",
}
ITEM_KEYS = {
    "id", "name", "department", "department_name", "legal_days", "original_promised_days",
    "promised_days", "online", "in_center_required", "in_center", "retained", "updated_at",
}


class Clock:
    """A settable clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def body(response: DemoResponse) -> dict:
    assert response.content_type == "application/json; charset=utf-8"
    return json.loads(response.body.decode("utf-8"))


def get(demo: ServiceCenterDemo, path: str, **params: str) -> DemoResponse:
    return demo.handle("GET", path, {k: [v] for k, v in params.items()})


def fetch_all(demo: ServiceCenterDemo, path: str, **params: str) -> list[dict]:
    """Follow ``next`` links the way the collector does; check every page."""
    response = get(demo, path, **params)
    records = []
    while True:
        assert response.status == 200, response.body
        page = body(response)
        assert page["count"] == len(page["data"])
        records += page["data"]
        if page["next"] is None:
            return records
        link = urlsplit(page["next"])
        assert link.path == path
        response = demo.handle("GET", link.path, parse_qs(link.query))


def late(case) -> bool:
    return case.completed_at > case.due_at


@pytest.fixture(scope="module")
def demo() -> ServiceCenterDemo:
    return ServiceCenterDemo(UNITS, YEAR, clock=lambda: AFTER_YEAR)


@pytest.fixture(scope="module")
def cases(demo):
    return demo.cases


# --- generator ----------------------------------------------------------------------


def test_generation_is_deterministic_and_depends_on_seed(demo):
    again = ServiceCenterDemo(UNITS, YEAR, clock=lambda: AFTER_YEAR)
    assert again.items == demo.items
    assert again.cases == demo.cases
    query = {"updated_since": ["2026-05-01T00:00:00Z"], "limit": ["50"]}
    assert again.handle("GET", "/api/v1/cases", query) == demo.handle("GET", "/api/v1/cases", query)
    other = ServiceCenterDemo(UNITS, YEAR, seed=7, clock=lambda: AFTER_YEAR)
    assert other.cases != demo.cases
    assert [i.id for i in other.items] == [i.id for i in demo.items]  # item codes are stable


def test_generation_does_not_depend_on_the_clock(demo):
    early = ServiceCenterDemo(UNITS, YEAR, clock=lambda: datetime(YEAR, 2, 1, tzinfo=UTC))
    assert get(early, "/api/v1/cases", limit="10").status == 200
    assert early.cases == demo.cases


def test_generation_is_fast():
    started = time.perf_counter()
    cases = ServiceCenterDemo(UNITS, YEAR, seed=99).cases
    assert time.perf_counter() - started < 2.0
    assert len(cases) > 14_000


def test_items_are_plausible(demo):
    items = demo.items
    assert 120 <= len(items) <= 200
    assert len({i.id for i in items}) == len(items)
    assert {i.department for i in items} == WINDOWS
    assert all(re.fullmatch(rf"SP-{i.department}-\d{{3}}", i.id) for i in items)
    names = defaultdict(set)
    for item in items:
        names[item.department].add(item.name)
        assert 1 <= item.promised_days <= item.original_promised_days <= item.legal_days
        assert not item.in_center or item.in_center_required
        assert item.updated_at == datetime(YEAR - 1, 12, 31, 16, tzinfo=UTC)
    assert {"企业设立登记", "食品经营许可"} <= names["scjgj"]
    assert "取水许可" in names["swj"]
    assert "建设工程规划许可证核发" in names["zrzyj"]
    assert "道路运输经营许可" in names["jtj"]
    retained = [i for i in items if i.retained]
    assert 0 < len(items) - len(retained) <= 15
    ratios = [i.promised_days / i.original_promised_days for i in retained]
    assert 0.6 <= statistics.median(ratios) <= 0.72
    by_dept = defaultdict(list)
    for item, ratio in zip(retained, ratios):
        by_dept[item.department].append(ratio)
    assert max(statistics.median(r) for r in by_dept.values()) > 0.78  # some compress less
    assert 0.8 <= sum(i.online for i in items) / len(items) <= 0.9
    assert any(i.in_center_required and not i.in_center for i in items)


def test_unknown_departments_get_generic_items_and_only_window_departments_count():
    units = [_dept("jgswj", "区机关事务管理局"), _dept("sjj", "区审计局", window=False),
             DemoUnit("xg", "新港镇", "township", True), _dept("scjgj", "区市场监管局")]
    items = ServiceCenterDemo(units, YEAR, cases_per_workday=1).items
    assert {i.department for i in items} == {"jgswj", "scjgj"}
    generic = [i.name for i in items if i.department == "jgswj"]
    assert generic and all(name.startswith("机关事务") for name in generic)
    licences = [i.name for i in items if i.department == "scjgj" and "（" in i.name]
    assert "食品经营许可（延续）" in licences  # short catalogues are filled with sub-items


def test_case_records_are_well_formed(demo, cases):
    items = {i.id: i for i in demo.items}
    assert len({c.id for c in cases}) == len(cases)
    for case in cases[::40]:
        record = case.record(True)
        assert set(record) == CASE_KEYS
        assert re.fullmatch(r"BJ\d{13}", case.id)
        item = items[case.item_id]
        assert item.retained and case.department == item.department
        local = case.accepted_at.astimezone(SHANGHAI)
        assert case.id[2:10] == local.strftime("%Y%m%d")
        assert is_workday(local.date()) and local.year == YEAR
        assert "09:00" <= local.strftime("%H:%M") < "17:30"
        assert not "12:00" <= local.strftime("%H:%M") < "13:30"
        # Before the campaign (06-01) due by the original promised limit, from then on by the cut one.
        limit = item.promised_days if local.date() >= date(YEAR, 6, 1) else item.original_promised_days
        due = add_workdays(local.date(), limit)
        assert case.due_at == datetime(due.year, due.month, due.day, 17, 30, tzinfo=SHANGHAI)
        assert case.completed_at > case.accepted_at
        assert is_workday(case.completed_at.astimezone(SHANGHAI).date())
        assert (case.point_unit is None) == (case.point_level == "district")
        assert case.point_unit is None or case.point_unit in TOWNS
        assert record["accepted_at"].endswith("Z") and record["completed_at"].endswith("Z")


def test_volumes_are_plausible(cases):
    workdays = sum(is_workday(date(YEAR, 1, 1) + timedelta(n)) for n in range(365))
    assert abs(len(cases) - 60 * workdays) < 0.05 * 60 * workdays
    per_dept = Counter(c.department for c in cases)
    assert set(per_dept) == WINDOWS
    assert max(per_dept.values()) > 4 * min(per_dept.values())
    levels = Counter(c.point_level for c in cases)
    assert 0.65 <= levels["district"] / len(cases) <= 0.75
    assert 0 < levels["village"] < levels["township"]
    assert {c.point_unit for c in cases if c.point_level == "township"} == TOWNS
    online = defaultdict(list)
    for case in cases:
        online[case.accepted_at.astimezone(SHANGHAI).month].append(case.channel == "online")
    first, last = (sum(online[m]) / len(online[m]) for m in (1, 12))
    assert 0.30 <= first <= 0.40
    assert 0.58 <= last <= 0.70


def test_outcomes_are_plausible(cases):
    late_share = sum(map(late, cases)) / len(cases)
    assert 0.02 <= late_share <= 0.04
    per_dept = defaultdict(list)
    for case in cases:
        per_dept[case.department].append(late(case))
    rates = sorted(sum(v) / len(v) for v in per_dept.values() if len(v) >= 100)
    assert rates[-1] > 2 * late_share  # a department clearly worse
    assert rates[len(rates) // 2] < late_share
    quick = sum(c.completed_at - c.accepted_at <= (c.due_at - c.accepted_at) / 2 for c in cases)
    assert quick / len(cases) > 0.6
    supplements = Counter(min(c.supplement_count, 2) for c in cases)
    assert supplements[0] / len(cases) > 0.8
    assert 0.01 <= supplements[2] / len(cases) <= 0.03
    ratings = Counter(c.rating for c in cases)
    rated = ratings["good"] + ratings["bad"]
    assert 0.6 <= rated / len(cases) <= 0.75
    assert 0.95 <= ratings["good"] / rated < 1


def test_agency_projects(cases):
    projects = defaultdict(list)
    for case in cases:
        assert (case.agency_project_id is None) == (case.agency_project_name is None)
        if case.agency_project_id:
            projects[(case.agency_project_id, case.agency_project_name)].append(case)
    assert 20 <= len(projects) <= 30
    assert len({name for _, name in projects}) == len(projects)
    for (_, name), members in projects.items():
        assert name.endswith("项目")
        assert 3 <= len(members) <= 8
        assert len({c.department for c in members}) >= 3
        span = max(c.accepted_at for c in members) - min(c.accepted_at for c in members)
        assert span < timedelta(days=130)
        assert all(c.point_level == "district" for c in members)


# --- handler: paging and cursor ------------------------------------------------------


def test_paging_covers_every_case_once_in_order(demo, cases):
    records = fetch_all(demo, "/api/v1/cases", limit="137")
    keys = [(r["updated_at"], r["id"]) for r in records]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys)) == len(cases)
    assert {r["id"] for r in records} == {c.id for c in cases}
    assert all(set(r) == CASE_KEYS and r["status"] == "completed" for r in records)
    assert all(r["updated_at"] == r["completed_at"] for r in records)
    assert records == fetch_all(demo, "/api/v1/cases", limit="1000")


def test_default_limit_and_next_link(demo):
    page = body(get(demo, "/api/v1/cases"))
    assert page["count"] == 500
    last = page["data"][-1]
    assert page["next"] == (f"/api/v1/cases?updated_since={last['updated_at']}"
                            f"&after={last['id']}&limit=500")


def test_items_paging_breaks_ties_by_id(demo):
    records = fetch_all(demo, "/api/v1/items", limit="7")
    assert len({r["updated_at"] for r in records}) == 1  # all on one timestamp: only `after` pages
    assert [r["id"] for r in records] == sorted(i.id for i in demo.items)
    assert all(set(r) == ITEM_KEYS for r in records)
    scjgj = next(r for r in records if r["id"] == "SP-scjgj-001")
    assert scjgj["department_name"] == "区市场监管局" and scjgj["name"] == "企业设立登记"


def test_updated_since_is_inclusive_without_after(demo):
    records = fetch_all(demo, "/api/v1/cases", limit="1000")
    pivot = records[5000]
    since = pivot["updated_at"]
    with_pivot = body(get(demo, "/api/v1/cases", updated_since=since, limit="3"))["data"]
    assert pivot in with_pivot
    assert all(r["updated_at"] >= since for r in with_pivot)
    after = body(get(demo, "/api/v1/cases", updated_since=since, after=pivot["id"], limit="3"))
    assert after["data"] == records[5001:5004]
    shifted = parse(since).astimezone(SHANGHAI).isoformat()  # same instant, +08:00 offset
    assert body(get(demo, "/api/v1/cases", updated_since=shifted, limit="3"))["data"] == with_pivot


def test_clock_decides_visibility_and_cursor_sees_completions(demo):
    t1 = datetime(YEAR, 6, 15, 4, 0, tzinfo=UTC)
    t2 = datetime(YEAR, 7, 15, 4, 0, tzinfo=UTC)
    clock = Clock(t1)
    live = ServiceCenterDemo(UNITS, YEAR, clock=clock)
    first = fetch_all(live, "/api/v1/cases")
    truth = {c.id: c for c in demo.cases}
    assert {r["id"] for r in first} == {c.id for c in demo.cases if c.accepted_at <= t1}
    open_now = [r for r in first if r["status"] == "accepted"]
    assert open_now
    for record in open_now:
        assert truth[record["id"]].completed_at > t1
        assert record["completed_at"] is None and record["rating"] is None
        assert record["updated_at"] == record["accepted_at"]
    for record in first:
        assert parse(record["updated_at"]) <= t1

    cursor = (first[-1]["updated_at"], first[-1]["id"])
    clock.now = t2
    second = fetch_all(live, "/api/v1/cases", updated_since=cursor[0], after=cursor[1])
    assert all((r["updated_at"], r["id"]) > cursor for r in second)
    seen = {r["id"]: r for r in second}
    completed_since = [r for r in open_now if truth[r["id"]].completed_at <= t2]
    assert completed_since
    for record in completed_since:
        again = seen[record["id"]]
        assert again["status"] == "completed" and again["completed_at"] is not None
        assert again["updated_at"] == again["completed_at"]
    new = {c.id for c in demo.cases if t1 < c.accepted_at <= t2}
    assert new and new <= set(seen)

    merged = {r["id"]: r for r in first} | seen
    snapshot = fetch_all(live, "/api/v1/cases", limit="1000")
    assert merged == {r["id"]: r for r in snapshot}


def test_cursor_misses_nothing_while_the_clock_moves_between_pages():
    clock = Clock(datetime(YEAR, 3, 1, tzinfo=UTC))
    live = ServiceCenterDemo(UNITS, YEAR, clock=clock, cases_per_workday=20)
    seen: dict[str, dict] = {}
    response = get(live, "/api/v1/cases", limit="200")
    while True:
        page = body(response)
        seen |= {r["id"]: r for r in page["data"]}
        clock.now += timedelta(days=1)
        if page["next"] is None:
            break
        link = urlsplit(page["next"])
        response = live.handle("GET", link.path, parse_qs(link.query))
    clock.now -= timedelta(days=1)  # the clock of the last page
    snapshot = fetch_all(live, "/api/v1/cases", limit="1000")
    assert seen == {r["id"]: r for r in snapshot}
    assert any(r["status"] == "accepted" for r in snapshot)


def test_nothing_visible_before_the_year(demo):
    before = ServiceCenterDemo(UNITS, YEAR, clock=lambda: datetime(YEAR - 1, 6, 1, tzinfo=UTC))
    assert body(get(before, "/api/v1/cases")) == {"data": [], "next": None, "count": 0}
    assert body(get(before, "/api/v1/items", limit="1000"))["count"] == len(demo.items)


# --- handler: errors ----------------------------------------------------------------------


@pytest.mark.parametrize("query, word", [
    ({"limit": ["0"]}, "limit"),
    ({"limit": ["1001"]}, "limit"),
    ({"limit": ["ten"]}, "limit"),
    ({"limit": ["-5"]}, "limit"),
    ({"limit": ["²"]}, "limit"),
    ({"limit": [""]}, "limit"),
    ({"updated_since": ["yesterday"]}, "updated_since"),
    ({"updated_since": ["2026-03-01T08:00:00"]}, "updated_since"),  # no time zone
    ({"updated_since": ["2026-03-01T08:00:00Z", "2026-04-01T08:00:00Z"]}, "updated_since"),
    ({"page": ["2"]}, "page"),
])
def test_bad_parameters_answer_400(demo, query, word):
    for path in ("/api/v1/cases", "/api/v1/items"):
        response = demo.handle("GET", path, query)
        assert response.status == 400
        assert word in body(response)["error"]


def test_unknown_path_method_and_index(demo):
    missing = demo.handle("GET", "/api/v1/nothing", {})
    assert missing.status == 404 and "error" in body(missing)
    post = demo.handle("POST", "/api/v1/cases", {})
    assert post.status == 405 and "GET" in body(post)["error"]
    for path in ("/api/v1", "/api/v1/", "/", ""):
        index = demo.handle("GET", path, {})
        assert index.status == 200
        assert set(body(index)["endpoints"]) == {"/api/v1/items", "/api/v1/cases"}
    assert get(demo, "/api/v1/cases/", limit="1").status == 200


def test_failure_injection_after_n_pages():
    flaky = ServiceCenterDemo(UNITS, YEAR, clock=lambda: AFTER_YEAR, fail_after_pages=2,
                              cases_per_workday=5)
    first = body(get(flaky, "/api/v1/cases", limit="10"))
    assert first["count"] == 10
    link = urlsplit(first["next"])
    assert flaky.handle("GET", link.path, parse_qs(link.query)).status == 200
    for path in ("/api/v1/cases", "/api/v1/items", "/api/v1"):
        failed = get(flaky, path)
        assert failed.status == 500
        assert body(failed) == {"error": "injected failure"}
    assert get(ServiceCenterDemo(UNITS, YEAR, cases_per_workday=5), "/api/v1/items").status == 200


def test_small_volume_setting(demo):
    small = ServiceCenterDemo(UNITS, YEAR, cases_per_workday=5, clock=lambda: AFTER_YEAR)
    assert 0.12 * len(demo.cases) > len(small.cases) > 0.05 * len(demo.cases)
    assert fetch_all(small, "/api/v1/cases", limit="1000")[-1]["status"] == "completed"
