"""The complaint indicators (tasks 12, 13, 14, 15 and 18) against small hand-made data.

Every expected value is worked out next to its assertion. The scope is the campaign year
2025 in Beijing time (UTC+8), so it has ended and deadlines are judged as of its end,
2025-12-31T16:00Z; months follow local time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import visitors

from models import indicators
from models.base import utcnow
from models.complaints import Complaint, escalation_query, escalations, personal_columns
from models.indicators import Breakdown, IndicatorValues, Scope
from models.indicators.complaints import MEASURES, as_of
from models.upsert import upsert

UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2024, 12, 31, 16, tzinfo=UTC)  # 2025-01-01 00:00 local
END = dt.datetime(2025, 12, 31, 16, tzinfo=UTC)  # 2026-01-01 00:00 local
SCOPE = Scope(start=START, end=END)
JUST_BEFORE = START - dt.timedelta(minutes=1)


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CST).astimezone(UTC)


def complaint(
    external_id: str,
    *,
    unit: str | None,
    received: dt.datetime,
    category: str = "other",
    deadline: dt.datetime | None = None,
    closed: dt.datetime | None = None,
    channel: str = "hotline",
    verified: bool | None = None,
    outcome: str | None = None,
    four_chaos: str | None = None,
    rehandled: int = 0,
    satisfaction: str | None = None,
) -> dict[str, Any]:
    return {
        "external_id": external_id, "service_code": None, "service_name": None, "category_text": None,
        "channel": channel, "category": category, "four_chaos": four_chaos, "unit_code": unit, "unit_name": unit,
        "agency_responsible": None, "received_at": received, "deadline_at": deadline, "expected_at": None,
        "status": "closed" if closed else "open", "status_notes": None, "closed_at": closed, "updated_at": None,
        "verified": verified, "outcome": outcome, "satisfaction": satisfaction, "rehandled_count": rehandled,
        "zipcode": None, "subject": "主题", "description": "诉求内容", "complainant_name": "张某",
        "complainant_phone": "138****0000", "complainant_contact": None, "address": "某路某号", "address_id": None,
        "lat": 30.5, "long": 114.3, "media_url": None,
    }


def insert(store, records: list[dict[str, Any]]) -> None:
    with store.begin() as session:
        upsert(session, Complaint, "test", records)


def compute(store, indicator: str, scope: Scope = SCOPE) -> IndicatorValues:
    with store.begin() as session:
        return indicators.compute(session, MEASURES[indicator], scope)


def keyed(breakdowns: list[Breakdown]) -> dict[str, Breakdown]:
    return {b.key: b for b in breakdowns}


def assert_ratio(b: Breakdown | IndicatorValues, numerator: float, denominator: float) -> None:
    assert (b.numerator, b.denominator) == (numerator, denominator)
    assert b.value == pytest.approx(numerator / denominator)


@pytest.fixture
def units(campaign) -> tuple[str, str]:
    codes = [u["code"] for u in campaign.units]
    return codes[0], codes[1]


def test_the_measures():
    assert set(MEASURES) == {
        "T12.followup_rate", "T13.complaints", "T13.handled_rate", "T14.complaints", "T14.handled_rate",
        "T15.complaints", "T15.handled_rate", "T18.traced_rate",
        "T13.callback_satisfaction", "T14.callback_satisfaction", "T15.callback_satisfaction",
    }


def test_callback_satisfaction_counts_satisfied_and_basically_satisfied_of_rated(store):
    insert(store, [
        complaint("s1", unit="dsz", received=local(2025, 3, 2), category="lax", satisfaction="satisfied"),
        complaint("s2", unit="dsz", received=local(2025, 3, 9), category="lax", satisfaction="basically_satisfied"),
        complaint("s3", unit="dsz", received=local(2025, 4, 1), category="lax", satisfaction="unsatisfied"),
        complaint("s4", unit="xhz", received=local(2025, 4, 2), category="lax", satisfaction="satisfied"),
        complaint("s5", unit="xhz", received=local(2025, 4, 3), category="lax"),  # no follow-up rating: left out
        complaint("s6", unit="xhz", received=local(2025, 4, 3), category="obstruction", satisfaction="unsatisfied"),
        complaint("s7", unit="xhz", received=local(2025, 4, 3), category="misconduct", satisfaction="satisfied"),
    ])
    lax = compute(store, "T13.callback_satisfaction")
    assert_ratio(lax, 3, 4)  # s1, s2, s4 of s1..s4
    assert_ratio(keyed(lax.by_unit)["dsz"], 2, 3)
    assert_ratio(keyed(lax.by_month)["2025-04"], 1, 2)  # s4 of s3, s4
    assert_ratio(compute(store, "T14.callback_satisfaction"), 0, 1)
    assert_ratio(compute(store, "T15.callback_satisfaction"), 1, 1)  # 乱作为 belongs to task 15


def test_deadlines_are_judged_at_the_end_of_a_past_scope_or_now():
    assert as_of(SCOPE) == END
    running = Scope(start=START, end=dt.datetime(2100, 1, 1, tzinfo=UTC))
    assert abs(as_of(running) - utcnow()) < dt.timedelta(seconds=5)


def test_without_data(store):
    for indicator, measure in MEASURES.items():
        values = compute(store, indicator)
        assert values.value == (0 if measure.aggregate == "count" else None), indicator
        assert values.by_unit == values.by_month == []


def lax_complaints(a: str, b: str) -> list[dict[str, Any]]:
    return [
        # Received at local 2025-01-01 00:00 (inside); closed before its deadline: due and handled.
        complaint("l1", unit=a, category="lax", received=START, deadline=local(2025, 1, 15), closed=local(2025, 1, 10)),
        # Closed after its deadline: due, not handled.
        complaint("l2", unit=a, category="lax", received=local(2025, 3, 3), deadline=local(2025, 3, 17),
                  closed=local(2025, 3, 20)),
        # Open, deadline passed: due, not handled.
        complaint("l3", unit=b, category="lax", received=local(2025, 3, 5), deadline=local(2025, 3, 19)),
        # Open, deadline after the scope's end: not due yet.
        complaint("l4", unit=b, category="lax", received=local(2025, 12, 20), deadline=local(2026, 1, 5)),
        # Closed early, deadline after the scope's end: due (closed) and handled.
        complaint("l5", unit=b, category="lax", received=local(2025, 12, 22), deadline=local(2026, 1, 6),
                  closed=local(2025, 12, 30)),
        # Closed only after the scope's end, deadline later still: not due as of the end.
        complaint("l6", unit=a, category="lax", received=local(2025, 12, 23), deadline=local(2026, 1, 7),
                  closed=local(2026, 1, 2)),
        # No unit matched, no deadline: counted, not in the rate.
        complaint("l7", unit=None, category="lax", received=local(2025, 6, 1), closed=local(2025, 6, 3)),
        # Closed exactly at its deadline: handled.
        complaint("l8", unit=b, category="lax", received=local(2025, 5, 5), deadline=local(2025, 5, 19, 17, 30),
                  closed=local(2025, 5, 19, 17, 30)),
        # Outside the scope (local 2024-12-31 23:59 and 2026-01-01 00:00).
        complaint("l-before", unit=a, category="lax", received=JUST_BEFORE, deadline=local(2025, 1, 2)),
        complaint("l-after", unit=a, category="lax", received=END, deadline=local(2026, 1, 2)),
        # Another category: never in T13.
        complaint("x1", unit=a, category="attitude", received=local(2025, 3, 3), deadline=local(2025, 3, 5)),
    ]


def test_t13_complaints_by_unit_and_month(store, units):
    a, b = units
    insert(store, lax_complaints(a, b))
    values = compute(store, "T13.complaints")
    assert values.value == 8  # l1–l8
    assert {k: v.value for k, v in keyed(values.by_unit).items()} == {a: 3, b: 4}  # l7 has no unit
    assert {k: v.value for k, v in keyed(values.by_month).items()} == {
        "2025-01": 1, "2025-03": 2, "2025-05": 1, "2025-06": 1, "2025-12": 3}


def test_t13_handled_rate(store, units):
    a, b = units
    insert(store, lax_complaints(a, b))
    values = compute(store, "T13.handled_rate")
    # Due: l1 (handled), l2, l3, l5 (handled), l8 (handled) -> 3 of 5.
    assert_ratio(values, 3, 5)
    by_unit = keyed(values.by_unit)
    assert_ratio(by_unit[a], 1, 2)  # l1 handled, l2 late
    assert_ratio(by_unit[b], 2, 3)  # l5, l8 handled, l3 open
    by_month = keyed(values.by_month)
    assert set(by_month) == {"2025-01", "2025-03", "2025-05", "2025-12"}
    assert_ratio(by_month["2025-01"], 1, 1)
    assert_ratio(by_month["2025-03"], 0, 2)
    assert_ratio(by_month["2025-05"], 1, 1)
    assert_ratio(by_month["2025-12"], 1, 1)  # l5; l4 and l6 are not due


def test_t14_and_t15_take_their_own_categories(store, units):
    a, b = units
    insert(store, [
        complaint("o1", unit=a, category="obstruction", received=local(2025, 2, 3), deadline=local(2025, 2, 17),
                  closed=local(2025, 2, 10)),
        complaint("o2", unit=a, category="obstruction", received=local(2025, 4, 1), deadline=local(2025, 4, 15)),
        complaint("n1", unit=b, category="inaction", received=local(2025, 2, 4), deadline=local(2025, 2, 18),
                  closed=local(2025, 2, 18)),
        complaint("m1", unit=a, category="misconduct", four_chaos="fees", received=local(2025, 4, 2),
                  deadline=local(2025, 4, 20), closed=local(2025, 5, 1)),
        complaint("m2", unit=b, category="misconduct", received=local(2025, 12, 29), deadline=local(2026, 1, 9)),
        complaint("x1", unit=b, category="lax", received=local(2025, 2, 5), deadline=local(2025, 2, 6)),
    ])
    assert compute(store, "T14.complaints").value == 2  # o1, o2
    assert_ratio(compute(store, "T14.handled_rate"), 1, 2)  # o1 handled; o2 open and overdue
    t15 = compute(store, "T15.complaints")
    assert t15.value == 3  # n1, m1, m2
    assert {k: v.value for k, v in keyed(t15.by_unit).items()} == {a: 1, b: 2}
    # Due: n1 (closed at its deadline: handled), m1 (late); m2 is not due yet.
    handled = compute(store, "T15.handled_rate")
    assert_ratio(handled, 1, 2)
    assert {k: (v.numerator, v.denominator) for k, v in keyed(handled.by_month).items()} == {
        "2025-02": (1, 1), "2025-04": (0, 1)}


def test_t12_followup_rate_counts_the_radio_programme_only(store, units):
    a, b = units
    insert(store, [
        complaint("r1", unit=a, channel="radio", received=local(2025, 6, 11), closed=local(2025, 6, 20)),
        complaint("r2", unit=b, channel="radio", received=local(2025, 6, 11)),
        complaint("r3", unit=b, channel="radio", received=local(2025, 9, 10), closed=local(2025, 9, 30)),
        complaint("r-old", unit=b, channel="radio", received=JUST_BEFORE),
        complaint("h1", unit=a, channel="hotline", received=local(2025, 6, 11)),
        complaint("m1", unit=a, channel="mailbox", received=local(2025, 6, 11)),
    ])
    values = compute(store, "T12.followup_rate")
    assert_ratio(values, 2, 3)  # r1, r3 closed of r1–r3
    by_unit = keyed(values.by_unit)
    assert_ratio(by_unit[a], 1, 1)
    assert_ratio(by_unit[b], 1, 2)
    by_month = keyed(values.by_month)
    assert_ratio(by_month["2025-06"], 1, 2)
    assert_ratio(by_month["2025-09"], 1, 1)


def test_t18_traced_rate(store, units):
    a, b = units
    passed = {"deadline": local(2025, 5, 1)}
    insert(store, [
        complaint("t1", unit=a, received=local(2025, 2, 3), closed=local(2025, 2, 10), verified=True, **passed),
        complaint("t2", unit=a, received=local(2025, 2, 4), closed=local(2025, 2, 10), verified=False, **passed),
        complaint("t3", unit=b, received=local(2025, 4, 1), closed=local(2025, 4, 9), outcome="已答复", **passed),
        complaint("t4", unit=a, received=local(2025, 4, 2), closed=local(2025, 4, 9), **passed),
        complaint("t5", unit=b, received=local(2025, 4, 3), closed=local(2025, 4, 9), outcome="  ", **passed),
        complaint("t6", unit=b, received=local(2025, 4, 4), verified=True, **passed),
        complaint("t7", unit=a, received=local(2025, 12, 29), deadline=local(2026, 1, 9), closed=local(2025, 12, 30),
                  verified=True),
        complaint("t8", unit=a, received=local(2025, 4, 5), closed=local(2025, 4, 9), verified=True),
    ])
    values = compute(store, "T18.traced_rate")
    # Past their deadline: t1–t6 (t7's deadline is after the end, t8 has none);
    # closed with a finding: t1 (查实), t2 (unfounded), t3 (an outcome). t4 and t5 have neither, t6 is open.
    assert_ratio(values, 3, 6)
    by_unit = keyed(values.by_unit)
    assert_ratio(by_unit[a], 2, 3)  # t1, t2 of t1, t2, t4
    assert_ratio(by_unit[b], 1, 3)  # t3 of t3, t5, t6
    by_month = keyed(values.by_month)
    assert_ratio(by_month["2025-02"], 2, 2)
    assert_ratio(by_month["2025-04"], 1, 4)


def test_a_running_scope_judges_deadlines_now(store, units):
    a, _ = units
    insert(store, [
        complaint("past", unit=a, category="lax", received=local(2025, 3, 3), deadline=local(2025, 3, 17)),
        complaint("future", unit=a, category="lax", received=local(2025, 3, 3), deadline=local(2099, 3, 17)),
    ])
    running = Scope(start=START, end=dt.datetime(2100, 1, 1, tzinfo=UTC))
    assert_ratio(compute(store, "T13.handled_rate", running), 0, 1)
    assert_ratio(compute(store, "T18.traced_rate", running), 0, 1)


def test_escalations(store, units):
    a, b = units
    insert(store, [
        complaint("e1", unit=a, category="lax", received=local(2025, 3, 1), rehandled=3),
        complaint("e2", unit=b, category="inaction", received=local(2025, 4, 1), rehandled=4),
        complaint("e3", unit=b, received=local(2025, 5, 1), closed=local(2025, 6, 1), rehandled=5),
        complaint("e4", unit=b, received=local(2025, 6, 1), rehandled=2),
    ])
    with store.begin() as session:
        rows = escalations(session)
    assert [(r.external_id, r.unit_code, r.rehandled_count, r.category) for r in rows] == [
        ("e2", b, 4, "inaction"), ("e1", a, 3, "lax")]
    assert rows[0].received_at == local(2025, 4, 1)
    assert not set(rows[0]._fields) & set(personal_columns(Complaint))


def test_personal_columns():
    assert personal_columns(Complaint) == [
        "subject", "description", "complainant_name", "complainant_phone", "complainant_contact", "address",
        "address_id", "lat", "long", "media_url"]


@pytest.mark.parametrize("query", [*MEASURES, "escalations"])
def test_no_aggregate_query_reads_personal_data(query: str):
    statement = escalation_query() if query == "escalations" else MEASURES[query].rows(SCOPE)
    personal = set(personal_columns(Complaint))
    read = {element.key for element in visitors.iterate(statement)
            if isinstance(element, Column) and element.table is Complaint.__table__}
    assert read, "the walk finds the columns the query reads"
    assert not read & personal, read
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql = str(statement.compile(dialect=dialect))
        assert not [name for name in personal if f"complaints.{name}" in sql], sql
