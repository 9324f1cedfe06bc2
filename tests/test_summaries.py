"""The source pages' queries (models/summaries) on a store filled by really running the service-centre,
complaint and tender collectors against their demo sources, each number checked against SQL written
here independently (plain SQL text, or rows read back and counted in Python)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import statistics
from collections import Counter
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime, bindparam, text
from sqlalchemy.orm import Session

from collectors.config import Config, collector_settings
from collectors.demo import DemoUnit
from collectors.registry import Registry
from collectors.runner import run_collector
from models.base import UTCDateTime
from models.campaign_file import load_campaign
from models.complaints import ESCALATION_REHANDLINGS, escalations, personal_columns
from models.indicators import compute
from models.indicators.service import MEASURES as SERVICE_MEASURES
from models.indicators.tenders import MEASURES as TENDER_MEASURES
from models.migrate import migrate
from models.store import Store, open_store
from models.summaries import SOURCES, Filter, Summary, complaints, service, tenders
from models.summaries.query import MAX_PAGE_SIZE
from models.workdays import workdays_between
from plugins.complaints_demo import ComplaintsDemo
from plugins.service_center_demo import ServiceCenterDemo
from plugins.tenders_demo import TendersDemo
from tests.conftest import CAMPAIGN_YEAR, Clock, serve

LOCAL = ZoneInfo("Asia/Shanghai")
COLLECTED_AT = dt.datetime(CAMPAIGN_YEAR, 7, 1, tzinfo=dt.UTC)
"""The demo sources' clock: what they have published by then is collected."""


def local_day(year: int, month: int, day: int) -> dt.datetime:
    """Local midnight of a day, as UTC."""
    return dt.datetime(year, month, day, tzinfo=LOCAL).astimezone(dt.UTC)


HALF_YEAR = Filter(local_day(CAMPAIGN_YEAR, 1, 1), local_day(CAMPAIGN_YEAR, 7, 1))
"""Ends before the sources' clock and before today: deadlines are judged at its end."""
MAY = Filter(local_day(CAMPAIGN_YEAR, 5, 1), local_day(CAMPAIGN_YEAR, 6, 1))


def demo_handlers(units: list[DemoUnit], clock: Clock) -> dict[str, Any]:
    """The three demo sources by collector name, on the given clock."""
    return {
        "service_center": ServiceCenterDemo(units, year=CAMPAIGN_YEAR, seed=7, clock=clock, cases_per_workday=6),
        "complaints": ComplaintsDemo(units, year=CAMPAIGN_YEAR, seed=7, clock=clock),
        "tenders": TendersDemo(units, year=CAMPAIGN_YEAR, seed=7, clock=clock),
    }


def collect_demo_sources(store: Store, registry: Registry, units: list[DemoUnit]) -> None:
    """Serve the three demo sources on localhost and run their collectors against them, once each."""
    extra = {"complaints": {"since": f"{CAMPAIGN_YEAR}-01-01"}}
    for name, handler in demo_handlers(units, Clock(COLLECTED_AT)).items():
        server = serve(handler, f"/{name}", name)
        try:
            values = {"url": f"{server.base_url}/{name}", "retries": "0", **extra.get(name, {})}
            settings = collector_settings(Config(path=None), registry.collector(name), values)
            result = run_collector(store, registry, name, settings)
        finally:
            server.stop()
        assert result.status == "success", (name, result.error)


def filled_store(url: str, campaign, registry: Registry) -> Store:
    """The store at ``url``, migrated, holding the campaign and what the three collectors fetched from the
    demo sources."""
    store = open_store(url)
    migrate(store)
    with store.begin() as session:
        load_campaign(session, campaign)
    units = [DemoUnit(u["code"], u["name"], u["kind"], bool(u.get("window"))) for u in campaign.units]
    collect_demo_sources(store, registry, units)
    return store


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def filled(request: pytest.FixtureRequest, tmp_path_factory, campaign, registry) -> Iterator[Store]:
    """A store holding the campaign and what the three collectors fetched from the demo sources."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('summaries') / 'storm.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"summaries_{os.getpid()}")
    store = filled_store(url, campaign, registry)
    yield store
    store.dispose()


@pytest.fixture
def session(filled: Store) -> Iterator[Session]:
    with filled.begin() as session:
        yield session


# --- independent SQL -------------------------------------------------------------------------


def _bound(query: str, params: dict[str, Any]) -> Any:
    """``query`` with the parameters it names bound, times as the naive UTC the store keeps."""
    statement = text(query)
    for name, value in params.items():
        if f":{name}" not in query:
            continue
        if isinstance(value, dt.datetime):
            statement = statement.bindparams(bindparam(name, value.astimezone(dt.UTC).replace(tzinfo=None), DateTime()))
        else:
            statement = statement.bindparams(bindparam(name, value))
    return statement


def sql_count(session: Session, query: str, **params: Any) -> int:
    return int(session.execute(_bound(query, params)).scalar_one())


def sql_groups(session: Session, query: str, **params: Any) -> dict[str, int]:
    return {str(key): int(n) for key, n in session.execute(_bound(query, params)) if key is not None}


def sql_times(session: Session, query: str, *names: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of ``query`` whose columns ``names`` are times (read back as aware UTC)."""
    statement = _bound(query, params).columns(**{name: UTCDateTime() for name in names})
    return [tuple(row) for row in session.execute(statement)]


def unit_condition(column: str, where: Filter, *others: str) -> str:
    if where.unit is None:
        return ""
    return " AND (" + " OR ".join(f"{name} = :unit" for name in (column, *others)) + ")"


def period(where: Filter) -> dict[str, Any]:
    params: dict[str, Any] = {"start": where.start, "end": where.end}
    return params | ({"unit": where.unit} if where.unit else {})


def as_dict(breakdowns) -> dict[str, int]:
    return {b.key: int(b.value) for b in breakdowns}


def busiest_unit(session: Session, table: str) -> str:
    """The unit with the most rows in ``table`` (so that a unit filter keeps plenty)."""
    query = f"SELECT unit_code FROM {table} WHERE unit_code IS NOT NULL GROUP BY unit_code ORDER BY count(*) DESC"
    return session.execute(text(query)).scalars().first()


def chosen_filter(session: Session, name: str, table: str) -> Filter:
    """The filter a check runs under: half a year, a month, or half a year of the unit with most rows in ``table``."""
    if name == "unit":
        return Filter(HALF_YEAR.start, HALF_YEAR.end, busiest_unit(session, table))
    return {"half_year": HALF_YEAR, "may": MAY}[name]


FILTER_NAMES = ["half_year", "may", "unit"]


# --- service centre --------------------------------------------------------------------------

CASES = "FROM cases WHERE accepted_at >= :start AND accepted_at < :end"


def cases_where(where: Filter) -> str:
    return CASES + unit_condition("unit_code", where, "point_unit_code")


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_service_volumes_and_groups(session: Session, name: str) -> None:
    where = chosen_filter(session, name, "cases")
    found = service.summary(session, where)
    base, params = cases_where(where), period(where)
    accepted = sql_count(session, f"SELECT count(*) {base}", **params)
    assert accepted > 0
    assert found.volumes == {
        "accepted": accepted,
        "completed": sql_count(session, f"SELECT count(*) {base} AND completed_at IS NOT NULL", **params),
        "open": sql_count(session, f"SELECT count(*) {base} AND completed_at IS NULL", **params),
        "online": sql_count(session, f"SELECT count(*) {base} AND channel = 'online'", **params),
    }
    assert set(found.groups) == {"channel", "point_level"}
    assert_groups_and_months(session, found, base, params, "accepted_at")


def assert_groups_and_months(session: Session, found: Summary, base: str, params: dict[str, Any], time: str) -> None:
    """Each grouping (named by its column) and the units, most first, as SQL counts them; the months as
    Python counts the records' ``time``."""
    for group, shown in [*found.groups.items(), ("unit_code", found.by_unit)]:
        expected = sql_groups(session, f"SELECT {group}, count(*) {base} GROUP BY {group}", **params)
        assert as_dict(shown) == expected, group
        assert [b.value for b in shown] == sorted((b.value for b in shown), reverse=True), "most first"
    assert_months(found.by_month, sql_times(session, f"SELECT {time} AS at {base}", "at", **params))


def assert_months(by_month, times: list[tuple[dt.datetime]]) -> None:
    """The counts by month are the times counted by their local month, in month order."""
    expected = Counter(moment.astimezone(LOCAL).strftime("%Y-%m") for (moment,) in times)
    assert as_dict(by_month) == dict(expected)
    assert [b.key for b in by_month] == sorted(expected)


def assert_durations(found, spans: list[tuple[dt.datetime, dt.datetime]]) -> None:
    """Median and mean of the working days between each pair of times (local dates), as Python counts them."""
    days = [workdays_between(start.astimezone(LOCAL).date(), end.astimezone(LOCAL).date()) for start, end in spans]
    assert found.count == len(days) > 0
    assert found.median == pytest.approx(statistics.median(days))
    assert found.mean == pytest.approx(statistics.fmean(days))


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_service_handling_time_in_working_days(session: Session, name: str) -> None:
    where = chosen_filter(session, name, "cases")
    query = (
        "SELECT accepted_at, completed_at FROM cases WHERE completed_at >= :start AND completed_at < :end"
        + unit_condition("unit_code", where, "point_unit_code")
    )
    spans = sql_times(session, query, "accepted_at", "completed_at", **period(where))
    assert_durations(service.handling_time(session, where), spans)


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_service_red_flags(session: Session, name: str) -> None:
    where = chosen_filter(session, name, "cases")
    params = period(where) | {"moment": where.end}
    flags = {flag.key: flag for flag in service.summary(session, where).flags}
    overdue = sql_groups(session, f"SELECT unit_code, count(*) {cases_where(where)} AND due_at < :moment "
                                  "AND (completed_at IS NULL OR completed_at > :moment) GROUP BY unit_code", **params)
    late = sql_groups(session, "SELECT unit_code, count(*) FROM cases WHERE completed_at >= :start "
                               "AND completed_at < :end AND completed_at > due_at"
                               + unit_condition("unit_code", where, "point_unit_code") + " GROUP BY unit_code",
                      **params)
    assert list(flags) == list(service.FLAGS)
    assert as_dict(flags["overdue_open"].by_unit) == overdue
    assert as_dict(flags["completed_late"].by_unit) == late and late
    assert flags["completed_late"].count == sum(late.values())
    if name == "half_year":
        # T04.on_time_rate's late cases: those completed late, and those due in the period still open at its end.
        on_time = compute(session, SERVICE_MEASURES["T04.on_time_rate"], where.scope, breakdowns=False)
        open_late = sql_count(session, "SELECT count(*) FROM cases WHERE due_at >= :start AND due_at < :end "
                                       "AND (completed_at IS NULL OR completed_at >= :end)", **params)
        assert flags["completed_late"].count + open_late == on_time.denominator - on_time.numerator


def test_a_township_has_the_cases_taken_at_its_service_point(session: Session) -> None:
    township = session.execute(text("SELECT point_unit_code FROM cases WHERE point_level = 'township' "
                                    "GROUP BY point_unit_code ORDER BY count(*) DESC")).scalars().first()
    where = Filter(HALF_YEAR.start, HALF_YEAR.end, township)
    found = service.volumes(session, where)
    expected = sql_count(session, f"SELECT count(*) {CASES} AND point_unit_code = :unit", **period(where))
    assert found["accepted"] == expected > 0


# --- complaints ------------------------------------------------------------------------------

COMPLAINTS = "FROM complaints WHERE received_at >= :start AND received_at < :end"


def complaints_where(where: Filter) -> str:
    return COMPLAINTS + unit_condition("unit_code", where)


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_complaint_volumes_and_groups(session: Session, name: str) -> None:
    where = chosen_filter(session, name, "complaints")
    found = complaints.summary(session, where)
    base, params = complaints_where(where), period(where)
    received = sql_count(session, f"SELECT count(*) {base}", **params)
    assert received > 0
    assert found.volumes == {
        "received": received,
        "closed": sql_count(session, f"SELECT count(*) {base} AND status = 'closed'", **params),
        "open": sql_count(session, f"SELECT count(*) {base} AND status <> 'closed'", **params),
        "verified": sql_count(session, f"SELECT count(*) {base} AND verified = :yes", yes=True, **params),
    }
    assert set(found.groups) == {"category", "channel", "four_chaos"}
    assert_groups_and_months(session, found, base, params, "received_at")


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_complaint_handling_time_in_working_days(session: Session, name: str) -> None:
    where = chosen_filter(session, name, "complaints")
    query = ("SELECT received_at, closed_at FROM complaints WHERE closed_at >= :start AND closed_at < :end"
             + unit_condition("unit_code", where))
    spans = sql_times(session, query, "received_at", "closed_at", **period(where))
    assert_durations(complaints.handling_time(session, where), spans)


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_complaint_red_flags(session: Session, name: str) -> None:
    where = chosen_filter(session, name, "complaints")
    base = complaints_where(where)
    params = period(where) | {"moment": where.end}
    flags = {flag.key: flag.count for flag in complaints.summary(session, where).flags}
    assert flags == {
        "overdue_open": sql_count(session, f"SELECT count(*) {base} AND deadline_at < :moment AND "
                                           "(closed_at > :moment OR (closed_at IS NULL AND status <> 'closed'))",
                                  **params),
        "closed_late": sql_count(session, f"SELECT count(*) {base} AND closed_at > deadline_at", **params),
        "escalated": sql_count(session, f"SELECT count(*) {base} AND rehandled_count >= :times AND status <> 'closed'",
                               times=ESCALATION_REHANDLINGS, **params),
    }
    if name == "half_year":
        assert flags["overdue_open"] > 0 and flags["closed_late"] > 0


def test_escalations_over_the_whole_year_are_the_alert_list(session: Session) -> None:
    year = Filter(local_day(CAMPAIGN_YEAR, 1, 1), local_day(CAMPAIGN_YEAR + 1, 1, 1))
    flag = next(f for f in complaints.summary(session, year).flags if f.key == "escalated")
    assert flag.count == len(escalations(session))


# --- tenders ---------------------------------------------------------------------------------

PROCESSES = ("FROM procurements WHERE coalesce(tender_start, tender_published_at, release_date) >= :start "
             "AND coalesce(tender_start, tender_published_at, release_date) < :end")


def processes_where(where: Filter) -> str:
    return PROCESSES + unit_condition("unit_code", where)


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_tender_volumes_and_groups(session: Session, name: str) -> None:
    where = chosen_filter(session, name, "procurements")
    found = tenders.summary(session, where)
    base, params = processes_where(where), period(where)
    processes = sql_count(session, f"SELECT count(*) {base}", **params)
    ocids = f"SELECT source, external_id {base}"
    assert processes > 0
    assert found.volumes == {
        "processes": processes,
        "awards": sql_count(session, f"SELECT count(*) FROM awards a JOIN ({ocids}) p "
                                     "ON a.source = p.source AND a.ocid = p.external_id", **params),
        "contracts": sql_count(session, f"SELECT count(*) FROM contracts c JOIN ({ocids}) p "
                                        "ON c.source = p.source AND c.ocid = p.external_id", **params),
    }
    assert set(found.groups) == {"method", "date_note", "date_note_publisher"}
    assert found.groups["date_note"] == found.groups["date_note_publisher"] == [], "the demo's dates are from notices"
    by_column = dataclasses.replace(found, groups={"method": found.groups["method"]})
    assert_groups_and_months(session, by_column, base, params,
                             "coalesce(tender_start, tender_published_at, release_date)")


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_tender_periods_in_calendar_days(session: Session, name: str) -> None:
    where = chosen_filter(session, name, "procurements")
    query = ("SELECT tender_start, tender_end FROM procurements WHERE tender_start >= :start AND tender_start < :end "
             "AND tender_end IS NOT NULL" + unit_condition("unit_code", where))
    spans = sql_times(session, query, "tender_start", "tender_end", **period(where))
    days = [(end.astimezone(LOCAL).date() - start.astimezone(LOCAL).date()).days for start, end in spans]
    found = tenders.handling_time(session, where)
    assert found.count == len(days) > 0
    assert (found.median, found.mean) == (pytest.approx(statistics.median(days)), pytest.approx(statistics.fmean(days)))


def tender_flags_in_python(session: Session, where: Filter) -> dict[str, set[str]]:
    """The flagged processes' ocids, from rows read back and judged here (20 and 7 days, as the indicators)."""
    unit = unit_condition("p.unit_code", where)
    rows = sql_times(session, "SELECT p.external_id, p.method, p.number_of_tenderers, p.tender_start, p.tender_end, "
                              "coalesce(p.tender_end, p.tender_published_at, p.release_date) AS bid_at "
                              "FROM procurements p WHERE 1 = 1" + unit,
                     "tender_start", "tender_end", "bid_at", **({"unit": where.unit} if where.unit else {}))
    awards = sql_times(session, "SELECT p.external_id, a.date, a.published_at FROM awards a JOIN procurements p "
                                "ON p.source = a.source AND p.external_id = a.ocid WHERE a.published_at IS NOT NULL"
                                + unit, "date", "published_at", **({"unit": where.unit} if where.unit else {}))

    def inside(moment: dt.datetime | None) -> bool:
        return moment is not None and where.start <= moment < where.end

    def days(start: dt.datetime, end: dt.datetime) -> int:
        return (end.astimezone(LOCAL).date() - start.astimezone(LOCAL).date()).days

    return {
        "single_bidder": {ocid for ocid, method, n, _, _, at in rows if n == 1 and method != "direct" and inside(at)},
        "short_tender_period": {ocid for ocid, method, _, start, end, _ in rows
                                if method in ("open", "selective") and end and inside(start) and days(start, end) < 20},
        "late_award_disclosure": {ocid for ocid, date, published in awards if inside(date) and days(date, published) > 7},
    }


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_tender_red_flags_are_what_the_indicators_flag(session: Session, name: str) -> None:
    where = chosen_filter(session, name, "procurements")
    expected = tender_flags_in_python(session, where)
    found = {flag.key: flag.count for flag in tenders.summary(session, where).flags}
    assert found == {key: len(ocids) for key, ocids in expected.items()}
    for key, ocids in expected.items():
        page = tenders.records(session, where, flag=key, limit=MAX_PAGE_SIZE)
        assert {row["external_id"] for row in page.rows} == ocids, key
    if name == "half_year":
        assert all(found.values()), found
        for key, measure in (("single_bidder", "T07.single_bidder_rate"), ("short_tender_period",
                                                                            "T07.short_tender_period_rate")):
            assert found[key] == compute(session, TENDER_MEASURES[measure], where.scope, breakdowns=False).numerator


# --- records ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_record_pages_cover_every_record_once_newest_first(session: Session, source: str) -> None:
    queries = SOURCES[source]
    summary = queries.summary(session, MAY)
    first = queries.records(session, MAY, limit=40)
    total = next(iter(summary.volumes.values()))
    assert first.total == total > 40 and len(first.rows) == 40
    seen: list[str] = []
    for offset in range(0, total, 40):
        page = queries.records(session, MAY, offset=offset, limit=40)
        assert (page.offset, page.limit, page.total) == (offset, 40, total)
        seen += [row["external_id"] for row in page.rows]
    assert len(seen) == len(set(seen)) == total
    assert queries.records(session, MAY, offset=total).rows == []


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_record_pages_of_a_red_flag_hold_its_records(session: Session, source: str) -> None:
    queries = SOURCES[source]
    for flag in queries.summary(session, HALF_YEAR).flags:
        page = queries.records(session, HALF_YEAR, flag=flag.key, limit=MAX_PAGE_SIZE)
        assert page.total == flag.count, flag.key
        assert len(page.rows) == min(flag.count, MAX_PAGE_SIZE)


def test_complaint_records_leave_personal_columns_out_unless_asked(session: Session) -> None:
    personal = set(personal_columns(complaints.Complaint))
    plain = complaints.records(session, HALF_YEAR, limit=5)
    full = complaints.records(session, HALF_YEAR, personal=True, limit=5)
    assert not personal & set(plain.columns) and all(not personal & set(row) for row in plain.rows)
    assert personal <= set(full.columns)
    assert any(row["complainant_name"] and row["description"] for row in full.rows)
    assert [row["external_id"] for row in plain.rows] == [row["external_id"] for row in full.rows]


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_records_of_a_source_hold_no_personal_column(source: str, session: Session) -> None:
    page = SOURCES[source].records(session, MAY, limit=1)
    assert not {"complainant_name", "complainant_phone", "description", "address", "subject"} & set(page.columns)


def test_page_sizes_are_bounded(session: Session) -> None:
    assert len(complaints.records(session, HALF_YEAR, limit=10_000).rows) == MAX_PAGE_SIZE
    assert complaints.records(session, HALF_YEAR, offset=-5, limit=0).offset == 0


def test_an_unknown_red_flag_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="unknown red flag 'nope'"):
        complaints.records(session, HALF_YEAR, flag="nope")


# --- an empty store ---------------------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_on_an_empty_store_everything_is_zero_or_none(store: Store, source: str) -> None:
    with store.begin() as session:
        summary = SOURCES[source].summary(session, HALF_YEAR)
        page = SOURCES[source].records(session, HALF_YEAR, personal=True)
    assert set(summary.volumes.values()) == {0}
    assert summary.by_month == summary.by_unit == [] and all(not rows for rows in summary.groups.values())
    assert (summary.handling.count, summary.handling.median, summary.handling.mean) == (0, None, None)
    assert [flag.count for flag in summary.flags] == [0] * len(SOURCES[source].flags)
    assert (page.total, page.rows) == (0, [])
