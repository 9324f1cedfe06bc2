"""The demo OCDS feed: generated data, paging with links.next, the clock, failures."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from plugins.tenders_demo import TendersDemo
from tests.conftest import CAMPAIGN_YEAR

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def demo(demo_units, clock) -> TendersDemo:
    return TendersDemo(demo_units, year=CAMPAIGN_YEAR, seed=2026, clock=clock)


def get(demo: TendersDemo, query: str = "", path: str = "/") -> tuple[int, dict]:
    answer = demo.handle("GET", path, parse_qs(query.lstrip("?")))
    return answer.status, json.loads(answer.body)


def all_pages(demo: TendersDemo, query: str = "?limit=100") -> tuple[list[dict], str]:
    """Every release served from ``query`` on, following links.next; and the last link."""
    releases: list[dict] = []
    while True:
        status, page = get(demo, query)
        assert status == 200
        releases += page["releases"]
        if "links" not in page:
            return releases, query
        query = page["links"]["next"]


def test_a_year_of_processes_for_the_campaign_units_deterministic_and_fast(demo_units):
    started = time.perf_counter()
    demo = TendersDemo(demo_units, year=CAMPAIGN_YEAR, seed=2026)
    assert time.perf_counter() - started < 1.0

    processes = demo.processes
    assert 600 <= len(processes) <= 1200
    assert {p.buyer.name for p in processes} == {u.name for u in demo_units}
    assert all(p.published.astimezone(CST).year == CAMPAIGN_YEAR for p in processes)
    assert [p.ocid for p in TendersDemo(demo_units, CAMPAIGN_YEAR, seed=2026).processes] == [p.ocid for p in processes]
    assert TendersDemo(demo_units, CAMPAIGN_YEAR, seed=2026).releases == demo.releases
    assert TendersDemo(demo_units, CAMPAIGN_YEAR, seed=1).releases != demo.releases
    townships = [p.title for p in processes if p.buyer.kind == "township"]
    assert any(title.endswith("道路硬化工程") for title in townships)


def test_the_data_looks_like_a_districts_procurement(demo):
    processes = demo.processes
    methods = Counter(p.method for p in processes)
    assert methods.most_common(1)[0][0] == "open" and set(methods) == {"open", "selective", "limited", "direct"}
    value = sum(p.award_value for p in processes)
    assert 0.8 < sum(p.award_value for p in processes if p.method == "open") / value < 0.95
    competitive = [p for p in processes if p.method != "direct"]
    assert 0.03 < sum(p.tenderers == 1 for p in competitive) / len(competitive) < 0.15
    tenders = [p for p in processes if p.method in ("open", "selective")]
    short = [p for p in tenders if (p.tender_end.astimezone(CST).date() - p.published.astimezone(CST).date()).days < 20]
    assert 0 < len(short) < 0.1 * len(tenders)
    delays = [(p.award_published.astimezone(CST).date() - p.award_date.astimezone(CST).date()).days for p in processes]
    late = sum(days > 7 for days in delays)
    assert 0 < late < 0.15 * len(delays) and min(delays) >= 0
    assert all(p.published < p.award_published < p.signed for p in processes)


def test_pages_follow_links_next_and_hold_every_visible_release_once_in_order(demo, clock):
    releases, last = all_pages(demo)

    expected = [r for r in demo.releases if dt.datetime.fromisoformat(r["date"]) <= clock.now]
    assert releases == expected and len(releases) > 500
    assert len({r["id"] for r in releases}) == len(releases)
    status, page = get(demo, "?limit=100")
    assert page["version"] == "1.1" and page["publisher"]["name"] == "区公共资源交易中心"
    assert len(page["releases"]) == 100 and urlsplit(page["links"]["next"]).query.startswith("since=")
    first = page["releases"][0]
    assert first["tag"] == ["tender"] and first["tender"]["value"]["currency"] == "CNY"
    assert first["buyer"]["name"] in {p.buyer.name for p in demo.processes}

    clock.now += dt.timedelta(days=30)
    newer, _ = all_pages(demo, last)
    assert newer and all(dt.datetime.fromisoformat(r["date"]) > dt.datetime.fromisoformat(releases[-1]["date"])
                         for r in newer)
    assert {"award", "contract"} <= {tag for r in newer for tag in r["tag"]}, "old processes go on"


def test_a_later_release_of_a_process_updates_it(demo):
    process = demo.processes[0]
    tender, awarded, contract = process.releases()
    assert tender["tender"]["procurementMethod"] == process.method and "awards" not in tender
    assert awarded["tender"]["numberOfTenderers"] == process.tenderers
    assert awarded["awards"][0]["documents"][0]["documentType"] == "awardNotice"
    assert contract["contracts"][0]["awardID"] == awarded["awards"][0]["id"]
    assert tender["date"] < awarded["date"] < contract["date"]


@pytest.mark.parametrize(
    ("query", "path", "status", "error"),
    [
        ("?limit=0", "/", 400, "limit must be a whole number"),
        ("?since=yesterday", "/", 400, "since must be an ISO 8601 time"),
        ("?page=2", "/", 400, "unknown parameter 'page'"),
        ("", "/nowhere", 404, "no such path"),
    ],
)
def test_bad_requests_say_what_is_wrong(demo, query, path, status, error):
    answer_status, body = get(demo, query, path)
    assert answer_status == status and error in body["error"]
    assert demo.handle("POST", "/", {}).status == 405


def test_fail_after_pages(demo_units, clock):
    failing = TendersDemo(demo_units, year=CAMPAIGN_YEAR, seed=2026, clock=clock, fail_after_pages=1)
    assert get(failing)[0] == 200
    status, body = get(failing)
    assert (status, body["error"]) == (500, "injected failure")
