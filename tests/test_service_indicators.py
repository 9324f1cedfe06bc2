"""The service-centre indicators (tasks 3, 4, 5, 6 and 8) against small hand-made data.

Every expected value is worked out by hand next to its assertion. The campaign year is
2026 in Asia/Shanghai local time (UTC+8, no daylight saving); times are stored in UTC, so
the period is 2025-12-31T16:00Z .. 2026-12-31T16:00Z and months and working days follow
the local (UTC+8) calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from models import indicators
from models.campaign import Unit, UnitKind
from models.indicators import Breakdown, IndicatorValues, Scope
from models.indicators.service import MEASURES, baseline_window, compression_items, items_short_of_cut
from models.service import ApprovalItem, Case
from models.upsert import upsert
from models.workdays import is_workday, workdays_between

UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai
YEAR = 2026
START = dt.datetime(YEAR, 1, 1, tzinfo=UTC) - dt.timedelta(hours=8)  # 2025-12-31T16:00Z
END = dt.datetime(YEAR + 1, 1, 1, tzinfo=UTC) - dt.timedelta(hours=8)  # 2026-12-31T16:00Z
SCOPE = Scope(start=START, end=END)

# The last minute of 2025 and the first of 2026, local time, as UTC.
JUST_BEFORE = dt.datetime(2025, 12, 31, 15, 59, tzinfo=UTC)
JUST_INSIDE = dt.datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
# The last minute of 2026 and the first of 2027, local time, as UTC.
LAST_MINUTE = dt.datetime(2026, 12, 31, 15, 59, tzinfo=UTC)
JUST_AFTER = dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC)

RATIO_MEASURES = [
    "T03.courtesy_rating",
    "T04.on_time_rate",
    "T04.one_time_notice_rate",
    "T04.satisfaction",
    "T05.limit_compression",
    "T05.limit_days_compression",
    "T05.actual_compression",
    "T05.original_limit_saving",
    "T05.in_center_rate",
    "T08.online_case_share",
    "T08.online_item_share",
]


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A local (UTC+8) wall-clock time, as the aware UTC time the store keeps."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=CST).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def case(
    external_id: str,
    *,
    unit: str | None,
    accepted: dt.datetime,
    completed: dt.datetime | None = None,
    due: dt.datetime | None = None,
    item: str = "item-x",
    level: str = "district",
    point: str | None = None,
    channel: str = "window",
    supplements: int = 0,
    rating: str | None = None,
    project: str | None = None,
) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "item_id": item,
        "unit_code": unit,
        "point_level": level,
        "point_unit_code": point,
        "channel": channel,
        "accepted_at": accepted,
        "due_at": due,
        "completed_at": completed,
        "supplement_count": supplements,
        "rating": rating,
        "agency_project_id": project,
        "agency_project_name": None if project is None else f"项目 {project}",
        "updated_at": None,
    }


def item(
    external_id: str,
    *,
    unit: str | None,
    original: int | None = 10,
    promised: int | None = 10,
    online: bool = False,
    in_center_required: bool = False,
    in_center: bool = False,
    retained: bool = True,
) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "name": f"事项 {external_id}",
        "unit_code": unit,
        "unit_name": None,
        "legal_days": None if original is None else original + 10,
        "original_promised_days": original,
        "promised_days": promised,
        "online": online,
        "in_center_required": in_center_required,
        "in_center": in_center,
        "retained": retained,
        "updated_at": None,
    }


def insert(store, model: type[Any], records: list[dict[str, Any]]) -> None:
    with store.begin() as session:
        upsert(session, model, "test", records)


def compute(store, indicator: str, scope: Scope = SCOPE) -> IndicatorValues:
    with store.begin() as session:
        return indicators.compute(session, MEASURES[indicator], scope)


def keyed(breakdowns: list[Breakdown]) -> dict[str, Breakdown]:
    keys = [b.key for b in breakdowns]
    assert len(keys) == len(set(keys)), keys
    return {b.key: b for b in breakdowns}


def assert_ratio(b: Breakdown | IndicatorValues, numerator: float, denominator: float) -> None:
    assert b.numerator == pytest.approx(numerator)
    assert b.denominator == pytest.approx(denominator)
    assert b.value == pytest.approx(numerator / denominator)


@pytest.fixture
def units(campaign) -> tuple[str, str]:
    """Two window departments of the campaign (A, B)."""
    codes = [u["code"] for u in campaign.units if u["kind"] == "department" and u.get("window")]
    assert len(codes) >= 2
    return codes[0], codes[1]


@pytest.fixture
def towns(campaign, store) -> list[str]:
    """Every township and street of the campaign, as loaded into the store."""
    codes = [u["code"] for u in campaign.units if u["kind"] in (UnitKind.TOWNSHIP, UnitKind.STREET)]
    with store.begin() as session:
        stored = session.scalars(
            select(Unit.code).where(Unit.kind.in_((UnitKind.TOWNSHIP.value, UnitKind.STREET.value)))
        ).all()
    assert sorted(stored) == sorted(codes)
    assert len(codes) >= 5
    return codes


def test_the_measures_under_test_are_all_the_service_measures() -> None:
    assert set(MEASURES) == {
        "T03.courtesy_rating",
        "T04.on_time_rate",
        "T04.one_time_notice_rate",
        "T04.satisfaction",
        "T04.network_coverage",
        "T05.limit_compression",
        "T05.limit_days_compression",
        "T05.actual_compression",
        "T05.original_limit_saving",
        "T05.in_center_rate",
        "T06.agency_projects",
        "T06.agency_days",
        "T08.online_case_share",
        "T08.online_item_share",
    }


# --- empty data ------------------------------------------------------------------------


@pytest.mark.parametrize("indicator", RATIO_MEASURES + ["T06.agency_days"])
def test_without_data_ratios_and_medians_have_no_value(store, indicator: str) -> None:
    values = compute(store, indicator)
    assert values.value is None
    assert values.by_unit == []
    assert values.by_month == []


def test_without_data_agency_projects_count_zero(store) -> None:
    values = compute(store, "T06.agency_projects")
    assert values.value == 0
    assert values.numerator == 0
    assert values.by_unit == []
    assert values.by_month == []


def test_without_cases_no_township_is_covered(store, towns) -> None:
    # The denominator is every township and street whether or not there are cases: 0 / n.
    values = compute(store, "T04.network_coverage")
    assert_ratio(values, 0, len(towns))
    assert values.value == 0.0
    assert set(keyed(values.by_unit)) == set(towns)
    assert all(b.value == 0.0 and b.denominator == 1 for b in values.by_unit)
    assert values.by_month == []


def test_data_outside_the_period_only_gives_no_value(store, units) -> None:
    a, _ = units
    insert(store, Case, [
        case("before", unit=a, accepted=JUST_BEFORE, completed=JUST_BEFORE, due=JUST_BEFORE,
             rating="good", channel="online", project="P-old"),
        case("after", unit=a, accepted=JUST_AFTER, completed=JUST_AFTER, due=JUST_AFTER,
             rating="good", channel="online", project="P-new"),
    ])
    for indicator in ("T04.on_time_rate", "T04.one_time_notice_rate", "T04.satisfaction",
                      "T05.original_limit_saving", "T08.online_case_share", "T06.agency_days"):
        assert compute(store, indicator).value is None, indicator
    assert compute(store, "T06.agency_projects").value == 0


# --- T04.on_time_rate -------------------------------------------------------------------


def test_on_time_rate(store, units) -> None:
    a, b = units
    insert(store, Case, [
        # A, inside: completed at local 2026-01-01 00:00, due later -> on time, month 2026-01.
        case("a-edge-in", unit=a, accepted=local(2025, 12, 30), completed=JUST_INSIDE, due=local(2026, 1, 5)),
        # A, outside: completed at local 2025-12-31 23:59 (late; would lower the rate if counted).
        case("a-edge-out", unit=a, accepted=local(2025, 12, 1), completed=JUST_BEFORE, due=local(2025, 12, 30)),
        # A, completed exactly at the due time -> on time, month 2026-03.
        case("a-exact", unit=a, accepted=local(2026, 3, 2), completed=utc(2026, 3, 10, 8), due=utc(2026, 3, 10, 8)),
        # A, late, month 2026-03.
        case("a-late", unit=a, accepted=local(2026, 3, 2), completed=utc(2026, 3, 12, 2), due=utc(2026, 3, 11, 9)),
        # A, late by one minute, month 2026-02.
        case("a-late2", unit=a, accepted=local(2026, 2, 2), completed=local(2026, 2, 15, 10, 1),
             due=local(2026, 2, 15, 10, 0)),
        # B, on time; completed 2026-02-28T17:00Z = local 2026-03-01 01:00 -> month 2026-03.
        case("b-on", unit=b, accepted=local(2026, 2, 20), completed=utc(2026, 2, 28, 17), due=utc(2026, 3, 2, 9)),
        # B, late, month 2026-01.
        case("b-late", unit=b, accepted=local(2026, 1, 5), completed=local(2026, 1, 20), due=local(2026, 1, 19)),
        # B, open and past its due time (local 2026-02-01): late, in the month it fell due, 2026-02.
        case("b-open", unit=b, accepted=local(2026, 1, 5), completed=None, due=local(2026, 2, 1)),
        # B, no due time -> excluded.
        case("b-no-due", unit=b, accepted=local(2026, 2, 1), completed=local(2026, 2, 10), due=None),
        # B, inside: completed at local 2026-12-31 23:59, on time -> month 2026-12.
        case("b-end-in", unit=b, accepted=local(2026, 12, 1), completed=LAST_MINUTE, due=local(2027, 1, 4)),
        # B, completed at local 2027-01-01 00:00, after the period, but due local 2026-12-01: still
        # open and past its due time when judged (today, December 2026 or later): late, month 2026-12.
        case("b-end-out", unit=b, accepted=local(2026, 12, 1), completed=JUST_AFTER, due=local(2026, 12, 1)),
        # B, open but due only in 2100: not yet late, not counted.
        case("b-not-due", unit=b, accepted=local(2026, 6, 1), completed=None, due=local(2100, 1, 1)),
    ])
    values = compute(store, "T04.on_time_rate")
    # On time: a-edge-in, a-exact, b-on, b-end-in = 4;
    # completed with a due time in the period: those + a-late, a-late2, b-late = 7;
    # open past their due time: b-open, b-end-out = 2 -> 4 / 9.
    assert_ratio(values, 4, 9)
    assert values.value == pytest.approx(4 / 9)
    by_unit = keyed(values.by_unit)
    assert set(by_unit) == {a, b}
    assert_ratio(by_unit[a], 2, 4)  # a-edge-in, a-exact on time; a-late, a-late2 late
    assert_ratio(by_unit[b], 2, 5)  # b-on, b-end-in on time; b-late late, b-open, b-end-out open and late
    by_month = keyed(values.by_month)
    assert set(by_month) == {"2026-01", "2026-02", "2026-03", "2026-12"}
    assert_ratio(by_month["2026-01"], 1, 2)  # a-edge-in on time, b-late late
    assert_ratio(by_month["2026-02"], 0, 2)  # a-late2, b-open (b-no-due excluded)
    assert_ratio(by_month["2026-03"], 2, 3)  # a-exact, b-on on time; a-late late
    assert_ratio(by_month["2026-12"], 1, 2)  # b-end-in on time; b-end-out late


def test_on_time_rate_judges_open_cases_at_the_end_of_a_past_period(store, units) -> None:
    a, _ = units
    march = Scope(start=local(2026, 3, 1, 0), end=local(2026, 4, 1, 0))
    insert(store, Case, [
        # Due 03-10, completed 04-02 (after March): open and late at March's end -> 0 / 1.
        case("late-after", unit=a, accepted=local(2026, 3, 2), completed=local(2026, 4, 2), due=local(2026, 3, 10)),
        # Due 04-05 (after March), still open: not due in March, not counted.
        case("due-april", unit=a, accepted=local(2026, 3, 20), completed=None, due=local(2026, 4, 5)),
        # Completed in March by its due time: on time.
        case("on-time", unit=a, accepted=local(2026, 3, 2), completed=local(2026, 3, 5), due=local(2026, 3, 6)),
    ])
    assert_ratio(compute(store, "T04.on_time_rate", march), 1, 2)  # on-time of on-time, late-after


# --- T04.one_time_notice_rate -----------------------------------------------------------


def test_one_time_notice_rate(store, units) -> None:
    a, b = units
    insert(store, Case, [
        # Accepted at local 2026-01-01 00:00 -> inside, month 2026-01; 0 supplements pass.
        case("a0", unit=a, accepted=JUST_INSIDE, completed=local(2026, 1, 6), supplements=0),
        case("a1", unit=a, accepted=local(2026, 1, 20), completed=local(2026, 1, 26), supplements=1),
        case("a2", unit=a, accepted=local(2026, 2, 3), completed=local(2026, 2, 12), supplements=2),
        case("a3", unit=a, accepted=local(2026, 2, 4), completed=local(2026, 2, 27), supplements=3),
        case("b0", unit=b, accepted=local(2026, 2, 5), completed=local(2026, 2, 6), supplements=0),
        case("b2", unit=b, accepted=local(2026, 3, 2), completed=local(2026, 3, 9), supplements=2),
        # Still open: accepted cases count whether or not completed; 1 supplement passes.
        case("b1-open", unit=b, accepted=local(2026, 3, 16), supplements=1),
        # Accepted at local 2025-12-31 23:59 -> outside (would fail if counted).
        case("a-out", unit=a, accepted=JUST_BEFORE, completed=local(2026, 1, 6), supplements=5),
    ])
    values = compute(store, "T04.one_time_notice_rate")
    # Pass (supplements <= 1): a0, a1, b0, b1-open = 4 of 7 accepted in the period.
    assert_ratio(values, 4, 7)
    by_unit = keyed(values.by_unit)
    assert_ratio(by_unit[a], 2, 4)  # a0, a1 pass; a2, a3 fail
    assert_ratio(by_unit[b], 2, 3)  # b0, b1-open pass; b2 fails
    by_month = keyed(values.by_month)  # months of acceptance
    assert set(by_month) == {"2026-01", "2026-02", "2026-03"}
    assert_ratio(by_month["2026-01"], 2, 2)  # a0, a1
    assert_ratio(by_month["2026-02"], 1, 3)  # b0 pass; a2, a3 fail
    assert_ratio(by_month["2026-03"], 1, 2)  # b1-open pass; b2 fails


# --- T04.satisfaction -------------------------------------------------------------------


def test_satisfaction(store, units) -> None:
    a, b = units
    insert(store, Case, [
        case("a-good-jan", unit=a, accepted=local(2026, 1, 5), completed=local(2026, 1, 7), rating="good"),
        case("a-good-mar", unit=a, accepted=local(2026, 3, 2), completed=local(2026, 3, 4), rating="good"),
        case("a-bad-mar", unit=a, accepted=local(2026, 3, 2), completed=local(2026, 3, 5), rating="bad"),
        case("a-unrated", unit=a, accepted=local(2026, 3, 2), completed=local(2026, 3, 6), rating=None),
        case("b-good-apr", unit=b, accepted=local(2026, 4, 7), completed=local(2026, 4, 8), rating="good"),
        case("b-unrated", unit=b, accepted=local(2026, 1, 5), completed=local(2026, 1, 9), rating=None),
        # Completed at local 2025-12-31 23:59 -> outside.
        case("b-bad-out", unit=b, accepted=local(2025, 12, 29), completed=JUST_BEFORE, rating="bad"),
    ])
    values = compute(store, "T04.satisfaction")
    # good / (good + bad) = 3 / (3 + 1); the two unrated cases are not in the denominator.
    assert_ratio(values, 3, 3 + 1)
    by_unit = keyed(values.by_unit)
    assert_ratio(by_unit[a], 2, 3)  # good, good, bad (unrated left out)
    assert_ratio(by_unit[b], 1, 1)  # good (unrated left out, bad one outside the period)
    by_month = keyed(values.by_month)
    assert set(by_month) == {"2026-01", "2026-03", "2026-04"}  # January's b-unrated adds nothing
    assert_ratio(by_month["2026-01"], 1, 1)
    assert_ratio(by_month["2026-03"], 1, 2)
    assert_ratio(by_month["2026-04"], 1, 1)


def test_courtesy_rating_counts_window_cases_only(store, units) -> None:
    a, b = units
    insert(store, Case, [
        case("a-good", unit=a, accepted=local(2026, 7, 1), completed=local(2026, 7, 2), rating="good"),
        case("a-bad", unit=a, accepted=local(2026, 7, 1), completed=local(2026, 7, 3), rating="bad"),
        # Online: no face at a window to smile at, left out.
        case("a-online-bad", unit=a, accepted=local(2026, 7, 1), completed=local(2026, 7, 3), rating="bad",
             channel="online"),
        case("b-good", unit=b, accepted=local(2026, 8, 3), completed=local(2026, 8, 4), rating="good"),
        case("b-unrated", unit=b, accepted=local(2026, 8, 3), completed=local(2026, 8, 4)),
    ])
    values = compute(store, "T03.courtesy_rating")
    assert_ratio(values, 2, 3)  # a-good, b-good of a-good, a-bad, b-good
    assert_ratio(keyed(values.by_unit)[a], 1, 2)


# --- T04.network_coverage ---------------------------------------------------------------


def test_network_coverage(store, towns, units) -> None:
    dept, _ = units
    t_covered, t_village, t_before, t_edge, t_district = towns[:5]
    insert(store, Case, [
        # Two township-centre cases at the same town: the town counts once.
        case("t1-a", unit=dept, accepted=local(2026, 3, 2), level="township", point=t_covered),
        case("t1-b", unit=dept, accepted=local(2026, 5, 6), level="township", point=t_covered,
             completed=local(2026, 5, 7)),
        # A village point alone does not cover its town.
        case("t2-village", unit=dept, accepted=local(2026, 3, 2), level="village", point=t_village),
        # A township-centre case accepted at local 2025-12-31 23:59 is outside the period.
        case("t3-before", unit=dept, accepted=JUST_BEFORE, level="township", point=t_before),
        # ... and one accepted at local 2026-01-01 00:00 is inside.
        case("t4-edge", unit=dept, accepted=JUST_INSIDE, level="township", point=t_edge),
        # A district-centre case naming a town does not cover it either.
        case("t5-district", unit=dept, accepted=local(2026, 3, 2), level="district", point=t_district),
        # A district-centre case with no point unit: no effect.
        case("district", unit=dept, accepted=local(2026, 3, 2), level="district", point=None),
    ])
    values = compute(store, "T04.network_coverage")
    # Covered: t_covered and t_edge; denominator: every township and street of the campaign.
    assert_ratio(values, 2, len(towns))
    by_unit = keyed(values.by_unit)
    assert set(by_unit) == set(towns)  # departments are not in the denominator
    assert_ratio(by_unit[t_covered], 1, 1)
    assert_ratio(by_unit[t_edge], 1, 1)
    for town in (t_village, t_before, t_district):
        assert_ratio(by_unit[town], 0, 1)
    assert sum(b.numerator for b in values.by_unit) == 2
    assert values.by_month == []


# --- T05.limit_compression --------------------------------------------------------------


LIMIT_ITEMS = [
    item("a1", unit="A", original=20, promised=14),  # cut 6/20 = 30% exactly: enough
    item("a2", unit="A", original=10, promised=7),  # 30%: enough
    item("a3", unit="A", original=20, promised=15),  # 25%: short
    item("b1", unit="B", original=30, promised=15),  # 50%: enough
    item("b2", unit="B", original=9, promised=8),  # 1/9 = 11.1%: short
    # Not retained (cancelled or delegated): excluded, although it was not compressed at all.
    item("b-gone", unit="B", original=40, promised=40, retained=False),
    # No current limit given: excluded.
    item("b-unknown", unit="B", original=40, promised=None),
]


def _limit_items(a: str, b: str) -> list[dict[str, Any]]:
    return [{**row, "unit_code": {"A": a, "B": b}[row["unit_code"]]} for row in LIMIT_ITEMS]


def test_limit_compression_is_the_share_of_items_cut_by_30_percent(store, units) -> None:
    a, b = units
    insert(store, ApprovalItem, _limit_items(a, b))
    values = compute(store, "T05.limit_compression")
    # Cut by at least 30%: a1, a2, b1 of the 5 retained items with both limits -> 3 / 5.
    assert_ratio(values, 3, 5)
    by_unit = keyed(values.by_unit)
    assert_ratio(by_unit[a], 2, 3)  # a1, a2 of a1, a2, a3
    assert_ratio(by_unit[b], 1, 2)  # b1 of b1, b2
    assert values.by_month == []  # items have no dates
    with store.begin() as session:
        short = items_short_of_cut(session, SCOPE)
    # Least cut first: b2 (11.1%), a3 (25%).
    assert [(row.name, row.original_days, row.promised_days) for row in short] == [
        ("事项 b2", 9, 8), ("事项 a3", 20, 15)]
    assert short[0].cut == pytest.approx(1 / 9) and short[1].unit == a


def test_limit_days_compression_totals_days(store, units) -> None:
    a, b = units
    insert(store, ApprovalItem, _limit_items(a, b))
    values = compute(store, "T05.limit_days_compression")
    # 1 - Σ current / Σ original = 1 - (14 + 7 + 15 + 15 + 8) / (20 + 10 + 20 + 30 + 9) = 1 - 59/89,
    # 33.7%: the total passes 30% although two of five items fall short.
    assert values.value == pytest.approx(1 - 59 / 89)
    assert values.numerator == 59 and values.denominator == 89
    assert keyed(values.by_unit)[a].value == pytest.approx(1 - (14 + 7 + 15) / (20 + 10 + 20))  # 0.28


# --- T05.actual_compression -------------------------------------------------------------


def test_the_calendar_facts_the_working_day_tests_rely_on() -> None:
    # National Day 2026: 10-01 (Thu) .. 10-07 (Wed) are holidays, 10-08 (Thu) and 10-09 (Fri)
    # are workdays, Saturday 10-10 is a make-up workday, Sunday 10-11 is a rest day.
    assert is_workday(dt.date(2026, 9, 30))
    assert not any(is_workday(dt.date(2026, 10, d)) for d in range(1, 8))
    assert is_workday(dt.date(2026, 10, 8)) and is_workday(dt.date(2026, 10, 9))
    assert dt.date(2026, 10, 10).weekday() == 5 and is_workday(dt.date(2026, 10, 10))
    assert not is_workday(dt.date(2026, 10, 11))
    assert workdays_between(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2
    assert workdays_between(dt.date(2026, 9, 30), dt.date(2026, 10, 12)) == 4
    # New Year 2026: 01-01 .. 01-03 are holidays, Sunday 01-04 is a make-up workday.
    assert not any(is_workday(dt.date(2026, 1, d)) for d in (1, 2, 3))
    assert dt.date(2026, 1, 4).weekday() == 6 and is_workday(dt.date(2026, 1, 4))
    # The ordinary weeks used below have no holidays.
    for day in (dt.date(2026, 3, 2) + dt.timedelta(days=n) for n in range(29)):
        assert is_workday(day) == (day.weekday() < 5), day
    for day in (dt.date(2026, 4, 9) + dt.timedelta(days=n) for n in range(7)):
        assert is_workday(day) == (day.weekday() < 5), day
    assert dt.date(2026, 3, 6).weekday() == 4 and dt.date(2026, 4, 10).weekday() == 4  # Fridays


CAMPAIGN_START = local(2026, 6, 1, 0)
IN_CAMPAIGN = Scope(start=CAMPAIGN_START, end=END, campaign_start=CAMPAIGN_START)
"""The campaign year from the campaign's first day, 2026-06-01, as the report computes it."""


def test_the_weeks_actual_compression_uses_have_no_holidays() -> None:
    for first, days in ((dt.date(2026, 3, 2), 26), (dt.date(2026, 9, 7), 12)):  # to 03-27, to 09-18
        for day in (first + dt.timedelta(days=n) for n in range(days)):
            assert is_workday(day) == (day.weekday() < 5), day
    assert dt.date(2026, 3, 2).weekday() == 0 and dt.date(2026, 9, 7).weekday() == 0  # Mondays


def test_actual_compression_against_each_items_baseline(store, units) -> None:
    a, b = units
    insert(store, ApprovalItem, [item("item-x", unit=a), item("item-y", unit=b), item("item-z", unit=a),
                                 item("item-w", unit=b)])
    insert(store, Case, [
        # Baseline (the 365 days before 2026-06-01): item-x Mon 03-02 -> Fri 03-06 = 4 working days,
        # Mon 03-09 -> Tue 03-17 = 4 + 2 = 6: mean 5. item-y Mon 03-23 -> Wed 03-25 = 2: mean 2.
        case("bx1", unit=a, item="item-x", accepted=local(2026, 3, 2), completed=local(2026, 3, 6)),
        case("bx2", unit=a, item="item-x", accepted=local(2026, 3, 9), completed=local(2026, 3, 17)),
        case("by1", unit=b, item="item-y", accepted=local(2026, 3, 23), completed=local(2026, 3, 25)),
        # item-w only in the baseline, item-z only in the campaign: left out.
        case("bw1", unit=b, item="item-w", accepted=local(2026, 3, 2), completed=local(2026, 3, 20)),
        case("cz1", unit=a, item="item-z", accepted=local(2026, 9, 7), completed=local(2026, 9, 25)),
        # Completed before the baseline window (2025-06-01): not in it (it would raise item-x's mean).
        case("old", unit=a, item="item-x", accepted=local(2025, 3, 3), completed=local(2025, 5, 30)),
        # Campaign: item-x Mon 09-07 -> Thu 09-10 = 3, Mon 09-14 -> Fri 09-18 = 4 (mean 3.5);
        # item-y Mon 09-07 -> Wed 09-09 = 2 (mean 2).
        case("cx1", unit=a, item="item-x", accepted=local(2026, 9, 7), completed=local(2026, 9, 10)),
        case("cx2", unit=a, item="item-x", accepted=local(2026, 9, 14), completed=local(2026, 9, 18)),
        case("cy1", unit=b, item="item-y", accepted=local(2026, 9, 7), completed=local(2026, 9, 9)),
    ])
    values = compute(store, "T05.actual_compression", IN_CAMPAIGN)
    # item-x: 3.5 / 5 = 0.7, 2 campaign cases; item-y: 2 / 2 = 1, 1 case.
    # Weighted by campaign cases: 1 - (2 × 0.7 + 1 × 1) / 3 = 1 - 2.4 / 3 = 0.2 (the per-case
    # mean of days ÷ baseline mean is the same: 1 - (3/5 + 4/5 + 2/2) / 3).
    assert values.value == pytest.approx(0.2)
    assert values.denominator == 3
    by_unit = keyed(values.by_unit)
    assert by_unit[a].value == pytest.approx(1 - 3.5 / 5)  # 0.3
    assert by_unit[b].value == pytest.approx(0.0)
    assert keyed(values.by_month)["2026-09"].value == pytest.approx(0.2)
    with store.begin() as session:
        found = compression_items(session, IN_CAMPAIGN)
    assert [(i.name, i.baseline_cases, i.baseline_days, i.cases, i.days) for i in found] == [
        ("事项 item-x", 2, 5.0, 2, 3.5), ("事项 item-y", 1, 2.0, 1, 2.0)]
    assert found[0].compression == pytest.approx(0.3)
    assert baseline_window(IN_CAMPAIGN) == (CAMPAIGN_START - dt.timedelta(days=365), CAMPAIGN_START)


def test_actual_compression_is_zero_when_handling_time_is_unchanged(store, units) -> None:
    a, _ = units
    insert(store, ApprovalItem, [item("item-x", unit=a)])
    insert(store, Case, [
        # Baseline 4 and 6 working days (mean 5); campaign Mon 09-07 -> Mon 09-14 and Tue 09-08 ->
        # Tue 09-15, 5 and 5 (mean 5): no compression at all,
        # however far inside the item's promised limit (10 days) the cases are.
        case("bx1", unit=a, item="item-x", accepted=local(2026, 3, 2), completed=local(2026, 3, 6)),
        case("bx2", unit=a, item="item-x", accepted=local(2026, 3, 9), completed=local(2026, 3, 17)),
        case("cx1", unit=a, item="item-x", accepted=local(2026, 9, 7), completed=local(2026, 9, 14)),
        case("cx2", unit=a, item="item-x", accepted=local(2026, 9, 8), completed=local(2026, 9, 15)),
    ])
    assert compute(store, "T05.actual_compression", IN_CAMPAIGN).value == pytest.approx(0.0)
    # The promised-limit figure still says 50% (5 of 10 days): why it is only a reference.
    assert compute(store, "T05.original_limit_saving", IN_CAMPAIGN).value == pytest.approx(0.5)


def test_actual_compression_baseline_window_is_configurable(store, units) -> None:
    a, _ = units
    insert(store, ApprovalItem, [item("item-x", unit=a)])
    insert(store, Case, [
        case("bx1", unit=a, item="item-x", accepted=local(2026, 3, 2), completed=local(2026, 3, 6)),  # 4 days
        case("cx1", unit=a, item="item-x", accepted=local(2026, 9, 7), completed=local(2026, 9, 9)),  # 2 days
    ])
    assert compute(store, "T05.actual_compression", IN_CAMPAIGN).value == pytest.approx(1 - 2 / 4)
    # A 30-day baseline (2026-05-02 .. 06-01) holds no case of item-x: no item, no value.
    short = Scope(IN_CAMPAIGN.start, IN_CAMPAIGN.end, {"compression_baseline_days": 30}, CAMPAIGN_START)
    assert compute(store, "T05.actual_compression", short).value is None


def test_original_limit_saving(store, units) -> None:
    a, b = units
    insert(store, ApprovalItem, [
        item("item-x", unit=a, original=10, promised=8),
        item("item-y", unit=b, original=4, promised=3),
    ])
    insert(store, Case, [
        # Wed 09-30 -> Fri 10-09 across National Day: workdays after 09-30 up to 10-09 are
        # 10-08, 10-09 (10-01..10-07 holidays) = 2 -> 2 / 10. Month 2026-10.
        case("a-national-day", unit=a, item="item-x", accepted=local(2026, 9, 30, 10),
             completed=local(2026, 10, 9, 16)),
        # Wed 09-30 -> Mon 10-12: 10-08, 10-09, Sat 10-10 (make-up workday), 10-12 = 4 -> 4 / 10.
        case("a-make-up", unit=a, item="item-x", accepted=local(2026, 9, 30, 10), completed=local(2026, 10, 12, 16)),
        # Accepted Fri 03-06 07:00 local = Thu 03-05 23:00Z; completed Mon 03-09 10:00 local.
        # Local dates Fri -> Mon = 1 working day (the UTC dates Thu -> Mon would give 2) -> 1 / 4.
        case("b-weekend", unit=b, item="item-y", accepted=local(2026, 3, 6, 7), completed=local(2026, 3, 9, 10)),
        # Accepted Tue 04-14 09:00 local; completed Wed 04-15 07:30 local = Tue 04-14 23:30Z.
        # Local dates Tue -> Wed = 1 working day (the UTC dates would give 0) -> 1 / 4. Month 2026-04.
        case("b-overnight", unit=b, item="item-y", accepted=local(2026, 4, 14, 9),
             completed=local(2026, 4, 15, 7, 30)),
        # Accepted Wed 2025-12-31, completed local 2026-01-01 00:00 (a holiday): inside the period,
        # 0 working days -> 0 / 10, month 2026-01.
        case("a-edge-in", unit=a, item="item-x", accepted=local(2025, 12, 31, 10), completed=JUST_INSIDE),
        # Completed at local 2025-12-31 23:59: outside.
        case("a-edge-out", unit=a, item="item-x", accepted=local(2025, 12, 1), completed=JUST_BEFORE),
        # Open: not completed, excluded.
        case("b-open", unit=b, item="item-y", accepted=local(2026, 3, 2)),
    ])
    values = compute(store, "T05.original_limit_saving")
    # 1 - mean(working days / original promised days) over the 5 completed cases:
    # 1 - (2/10 + 4/10 + 1/4 + 1/4 + 0/10) / 5 = 1 - 1.1 / 5 = 0.78
    assert values.value == pytest.approx(1 - (2 / 10 + 4 / 10 + 1 / 4 + 1 / 4 + 0 / 10) / 5)
    assert values.value == pytest.approx(0.78)
    assert values.denominator == 5
    by_unit = keyed(values.by_unit)
    assert set(by_unit) == {a, b}
    assert by_unit[a].value == pytest.approx(1 - (2 / 10 + 4 / 10 + 0 / 10) / 3)  # 0.8
    assert by_unit[a].denominator == 3
    assert by_unit[b].value == pytest.approx(1 - (1 / 4 + 1 / 4) / 2)  # 0.75
    assert by_unit[b].denominator == 2
    by_month = keyed(values.by_month)  # months of completion
    assert set(by_month) == {"2026-01", "2026-03", "2026-04", "2026-10"}
    assert by_month["2026-01"].value == pytest.approx(1 - 0 / 10)
    assert by_month["2026-03"].value == pytest.approx(1 - 1 / 4)
    assert by_month["2026-04"].value == pytest.approx(1 - 1 / 4)
    assert by_month["2026-10"].value == pytest.approx(1 - (2 / 10 + 4 / 10) / 2)  # 0.7


def test_original_limit_saving_friday_to_monday_is_one_working_day(store, units) -> None:
    a, _ = units
    insert(store, ApprovalItem, [item("item-x", unit=a, original=5, promised=5)])
    # Fri 2026-04-10 16:00 local -> Mon 2026-04-13 10:00 local: 1 working day -> 1 - 1/5.
    insert(store, Case, [
        case("fri-mon", unit=a, item="item-x", accepted=local(2026, 4, 10, 16), completed=local(2026, 4, 13, 10)),
    ])
    values = compute(store, "T05.original_limit_saving")
    assert values.value == pytest.approx(1 - 1 / 5)
    assert values.denominator == 1


# --- T05.in_center_rate -----------------------------------------------------------------


def test_in_center_rate(store, units) -> None:
    a, b = units
    insert(store, ApprovalItem, [
        item("a-in", unit=a, in_center_required=True, in_center=True),
        item("a-out", unit=a, in_center_required=True, in_center=False),
        # Not required to be in the centre: excluded even though it is there.
        item("a-free", unit=a, in_center_required=False, in_center=True),
        item("b-in", unit=b, in_center_required=True, in_center=True),
        # Not retained: excluded (it would lower the rate).
        item("b-gone", unit=b, in_center_required=True, in_center=False, retained=False),
    ])
    values = compute(store, "T05.in_center_rate")
    assert_ratio(values, 2, 3)  # a-in, b-in of a-in, a-out, b-in
    by_unit = keyed(values.by_unit)
    assert_ratio(by_unit[a], 1, 2)
    assert_ratio(by_unit[b], 1, 1)
    assert values.by_month == []


# --- T06.agency_projects ----------------------------------------------------------------


def test_agency_projects(store, units) -> None:
    a, b = units
    insert(store, Case, [
        # P1: three cases (two units), first accepted at local 2026-01-01 00:00 -> month 2026-01.
        case("p1-1", unit=a, accepted=JUST_INSIDE, completed=local(2026, 1, 9), project="P1"),
        case("p1-2", unit=b, accepted=local(2026, 1, 12), completed=local(2026, 1, 20), project="P1"),
        case("p1-3", unit=a, accepted=local(2026, 2, 2), project="P1"),
        # P2: one open case -> still a project under agency service, month 2026-03.
        case("p2-1", unit=b, accepted=local(2026, 3, 3), project="P2"),
        # P3: first accepted in March, second in April -> one project, month 2026-03.
        case("p3-1", unit=a, accepted=local(2026, 3, 20), completed=local(2026, 3, 27), project="P3"),
        case("p3-2", unit=b, accepted=local(2026, 4, 1), completed=local(2026, 4, 8), project="P3"),
        # P0: accepted at local 2025-12-31 23:59 only -> outside the period.
        case("p0-1", unit=a, accepted=JUST_BEFORE, completed=local(2026, 1, 9), project="P0"),
        # Cases not under agency service.
        case("plain-1", unit=a, accepted=local(2026, 3, 3)),
        case("plain-2", unit=b, accepted=local(2026, 5, 3), completed=local(2026, 5, 6)),
    ])
    values = compute(store, "T06.agency_projects")
    assert values.value == 3  # P1, P2, P3 (distinct projects, not their 6 cases)
    assert values.numerator == 3
    assert values.by_unit == []  # a project spans units
    by_month = keyed(values.by_month)  # month of the project's first acceptance
    assert set(by_month) == {"2026-01", "2026-03"}
    assert by_month["2026-01"].value == 1  # P1
    assert by_month["2026-03"].value == 2  # P2, P3


# --- T06.agency_days --------------------------------------------------------------------


def test_agency_days_median_odd_then_even(store, units) -> None:
    a, b = units
    insert(store, Case, [
        # P1: first accepted Mon 03-02, last completed Fri 03-13 (the earlier case's completion
        # 03-04 is not the last): 03-03..03-06 (4) + 03-09..03-13 (5) = 9 working days.
        case("p1-1", unit=a, accepted=local(2026, 3, 2), completed=local(2026, 3, 4), project="P1"),
        case("p1-2", unit=b, accepted=local(2026, 3, 3), completed=local(2026, 3, 13, 15), project="P1"),
        # P2: accepted Fri 04-10 07:00 local (= Thu 04-09 23:00Z), completed Mon 04-13: 1.
        case("p2-1", unit=a, accepted=local(2026, 4, 10, 7), completed=local(2026, 4, 13, 11), project="P2"),
        # P3: Mon 03-02 -> Mon 03-30: 4 + 5 + 5 + 5 + 1 (03-30) = 20 working days.
        case("p3-1", unit=a, accepted=local(2026, 3, 2), completed=local(2026, 3, 30), project="P3"),
        # P4: one case done (03-30, which would give 20) but one still open -> not finished, excluded.
        case("p4-1", unit=b, accepted=local(2026, 3, 2), completed=local(2026, 3, 30), project="P4"),
        case("p4-2", unit=b, accepted=local(2026, 3, 5), completed=None, project="P4"),
    ])
    values = compute(store, "T06.agency_days")
    # Finished projects: P2 = 1, P1 = 9, P3 = 20 -> median of [1, 9, 20] = 9.
    assert values.value == pytest.approx(9)
    assert values.denominator == 3
    assert values.by_unit == []
    by_month = keyed(values.by_month)  # month of first acceptance
    assert set(by_month) == {"2026-03", "2026-04"}
    assert by_month["2026-03"].value == pytest.approx((9 + 20) / 2)  # P1, P3: even -> mean of both
    assert by_month["2026-04"].value == pytest.approx(1)  # P2

    insert(store, Case, [
        # P5: Mon 03-16 -> Thu 03-19: 03-17, 03-18, 03-19 = 3 working days.
        case("p5-1", unit=a, accepted=local(2026, 3, 16), completed=local(2026, 3, 19), project="P5"),
    ])
    values = compute(store, "T06.agency_days")
    # [1, 3, 9, 20]: an even number -> the mean of the two middle values, (3 + 9) / 2 = 6.
    assert values.value == pytest.approx((3 + 9) / 2)
    assert values.denominator == 4
    by_month = keyed(values.by_month)
    assert by_month["2026-03"].value == pytest.approx(9)  # P5 = 3, P1 = 9, P3 = 20 -> 9
    assert by_month["2026-04"].value == pytest.approx(1)


def test_agency_days_of_two_projects_is_their_mean(store, units) -> None:
    a, _ = units
    insert(store, Case, [
        # Mon 03-02 -> Tue 03-03: 1 working day; Mon 03-02 -> Mon 03-09: 5 working days.
        case("q1", unit=a, accepted=local(2026, 3, 2), completed=local(2026, 3, 3), project="Q1"),
        case("q2", unit=a, accepted=local(2026, 3, 2), completed=local(2026, 3, 9), project="Q2"),
    ])
    values = compute(store, "T06.agency_days")
    assert values.value == pytest.approx((1 + 5) / 2)


# --- T08.online_case_share --------------------------------------------------------------


def test_online_case_share(store, units) -> None:
    a, b = units
    insert(store, Case, [
        case("a-online-jan", unit=a, accepted=local(2026, 1, 6), channel="online"),
        case("a-window-jan", unit=a, accepted=local(2026, 1, 7), channel="window", completed=local(2026, 1, 8)),
        case("a-online-feb", unit=a, accepted=local(2026, 2, 3), channel="online", completed=local(2026, 2, 4)),
        # Accepted at local 2026-01-01 00:00 -> inside, month 2026-01.
        case("b-online-edge", unit=b, accepted=JUST_INSIDE, channel="online"),
        case("b-window-feb", unit=b, accepted=local(2026, 2, 10), channel="window"),
        # Accepted at local 2025-12-31 23:59 -> outside.
        case("b-online-out", unit=b, accepted=JUST_BEFORE, channel="online"),
    ])
    values = compute(store, "T08.online_case_share")
    assert_ratio(values, 3, 5)  # a-online-jan, a-online-feb, b-online-edge of 5
    by_unit = keyed(values.by_unit)
    assert_ratio(by_unit[a], 2, 3)
    assert_ratio(by_unit[b], 1, 2)
    by_month = keyed(values.by_month)
    assert set(by_month) == {"2026-01", "2026-02"}
    assert_ratio(by_month["2026-01"], 2, 3)  # a-online-jan, b-online-edge; a-window-jan
    assert_ratio(by_month["2026-02"], 1, 2)  # a-online-feb; b-window-feb


# --- T08.online_item_share --------------------------------------------------------------


def test_online_item_share(store, units) -> None:
    a, b = units
    insert(store, ApprovalItem, [
        item("a-online", unit=a, online=True),
        item("a-offline", unit=a, online=False),
        item("b-online-1", unit=b, online=True),
        item("b-online-2", unit=b, online=True),
        item("b-offline", unit=b, online=False),
        # Not retained: excluded (it would raise the share).
        item("b-gone", unit=b, online=True, retained=False),
    ])
    values = compute(store, "T08.online_item_share")
    assert_ratio(values, 3, 5)
    by_unit = keyed(values.by_unit)
    assert_ratio(by_unit[a], 1, 2)
    assert_ratio(by_unit[b], 2, 3)
    assert values.by_month == []
