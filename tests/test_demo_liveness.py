"""The demo sources are live: as their clock moves through a working day they serve more cases, complaints and
tender releases, so the numbers, the alerts and the display screen move while someone watches ``storm demo``."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from plugins.complaints_demo import ComplaintsDemo
from plugins.service_center_demo import ServiceCenterDemo
from plugins.tenders_demo import TendersDemo
from tests.conftest import CAMPAIGN_YEAR, Clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = (9, 11, 14, 16)
"""Moments of a working day (Wednesday 1 July, local time) at which the sources are read."""


def moments() -> list[dt.datetime]:
    return [dt.datetime(CAMPAIGN_YEAR, 7, 1, hour, tzinfo=SHANGHAI).astimezone(dt.UTC) for hour in HOURS]


def served(handler: object, path: str, query: dict[str, list[str]], key: str | None = None) -> int:
    """How many records one request for ``path`` answers (the list itself, or its ``key``)."""
    response = handler.handle("GET", path, query)
    assert response.status == 200, response.body[:200]
    body = json.loads(response.body)
    return len(body[key] if key else body)


def counts_through_the_day(clock: Clock, count: callable) -> list[int]:
    found = []
    for moment in moments():
        clock.now = moment
        found.append(count())
    return found


def growing(counts: list[int]) -> bool:
    """Never fewer, and more by the end of the day than at its start."""
    return counts == sorted(counts) and counts[-1] > counts[0]


def test_the_service_centre_accepts_cases_through_the_day(demo_units, clock: Clock) -> None:
    demo = ServiceCenterDemo(demo_units, year=CAMPAIGN_YEAR, seed=7, clock=clock, cases_per_workday=60)
    since = dt.datetime(CAMPAIGN_YEAR, 7, 1, tzinfo=SHANGHAI).astimezone(dt.UTC).isoformat()
    counts = counts_through_the_day(
        clock, lambda: served(demo, "/api/v1/cases", {"updated_since": [since], "limit": ["1000"]}, "data"))
    assert growing(counts), counts


def test_the_complaint_line_receives_complaints_through_the_day(demo_units, clock: Clock) -> None:
    demo = ComplaintsDemo(demo_units, year=CAMPAIGN_YEAR, seed=7, clock=clock)
    start = dt.datetime(CAMPAIGN_YEAR, 7, 1, tzinfo=SHANGHAI).astimezone(dt.UTC).isoformat()
    counts = counts_through_the_day(
        clock, lambda: served(demo, "requests.json", {"start_date": [start], "page_size": ["1000"]}))
    assert growing(counts), counts


def test_the_tender_feed_publishes_releases_through_the_day(demo_units, clock: Clock) -> None:
    demo = TendersDemo(demo_units, year=CAMPAIGN_YEAR, seed=7, clock=clock)
    since = dt.datetime(CAMPAIGN_YEAR, 6, 1, tzinfo=SHANGHAI).astimezone(dt.UTC).isoformat()
    counts = counts_through_the_day(clock, lambda: served(demo, "/", {"since": [since], "limit": ["1000"]}, "releases"))
    assert growing(counts), counts
