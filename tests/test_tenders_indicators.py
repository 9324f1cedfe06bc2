"""The tender indicators (tasks 7 and 14) against small hand-made data.

Every expected value is worked out by hand next to its assertion. The campaign year is
2026 in Asia/Shanghai local time (UTC+8); times are stored in UTC, and months and
calendar days follow the local calendar.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from models.indicators import Breakdown, Scope, compute
from models.indicators.tenders import MEASURES
from models.procurement import Award, Procurement
from models.upsert import upsert

UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=8))
SCOPE = Scope(start=dt.datetime(2026, 1, 1, tzinfo=CST), end=dt.datetime(2027, 1, 1, tzinfo=CST))


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A local (UTC+8) wall-clock time, as the aware UTC time the store keeps."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=CST).astimezone(UTC)


def process(ocid: str, unit: str | None, method: str | None, tenderers: int | None,
            start: dt.datetime | None = None, end: dt.datetime | None = None, **extra: Any) -> dict[str, Any]:
    return {"external_id": ocid, "unit_code": unit, "method": method, "number_of_tenderers": tenderers,
            "tender_start": start, "tender_end": end, **extra}


def award(ocid: str, key: str, value: int, date: dt.datetime | None, published: dt.datetime | None,
          currency: str = "CNY", status: str | None = "active") -> dict[str, Any]:
    return {"external_id": f"{ocid}/{key}", "ocid": ocid, "award_id": key, "value": Decimal(value),
            "currency": currency, "date": date, "published_at": published, "status": status}


PROCESSES = [
    # 19 calendar days: short. Single bidder.
    process("P1", "dsz", "open", 1, local(2026, 3, 1), local(2026, 3, 20)),
    # 20 calendar days: not short.
    process("P2", "dsz", "open", 5, local(2026, 3, 1), local(2026, 3, 21)),
    # 19 calendar days (18.6 elapsed): short.
    process("P3", "czj", "selective", 3, local(2026, 4, 1, 17, 30), local(2026, 4, 20, 8)),
    # 20 calendar days, though only 19.7 days elapse: not short.
    process("P3b", "czj", "selective", 4, local(2026, 5, 1, 17), local(2026, 5, 21, 9)),
    # limited: 5 days, but no call for tenders, so not in the tender-period rate. Single bidder.
    process("P4", "czj", "limited", 1, local(2026, 5, 10), local(2026, 5, 15)),
    # direct: one supplier by design, not in the single-bidder rate.
    process("P5", "czj", "direct", 1),
    # no period, no unit, no method; zero tenderers is a known count; its month is its release's.
    process("P6", None, None, 0, release_date=local(2026, 6, 10)),
    # bid deadline and period start before the local year began.
    process("P7", "dsz", "open", 2, local(2025, 12, 1), local(2025, 12, 31, 23)),
    # number of tenderers unknown, no period.
    process("P8", "dsz", "open", None),
]
AWARDS = [
    award("P1", "A1", 900_000, local(2026, 3, 25, 10), local(2026, 4, 1, 18)),  # 7 days (7.3 elapsed): in time
    award("P2", "A2", 100_000, local(2026, 3, 26, 10), local(2026, 4, 3, 9), status=None),  # 8 days: late
    award("P4", "A3", 300_000, local(2026, 5, 20, 10), local(2026, 5, 20, 15)),  # same day
    award("P5", "A4", 200_000, local(2026, 6, 1), None),  # not published
    award("P3", "A5", 1_000_000, local(2026, 4, 25), local(2026, 4, 30), currency="EUR"),  # 5 days
    award("P2", "A6", 500_000, local(2026, 3, 27), local(2026, 3, 28), status="cancelled"),  # 1 day
    award("P7", "A7", 400_000, local(2025, 12, 31, 20), local(2026, 1, 2)),  # awarded last year
    award("P6", "A8", 100_000, None, local(2026, 6, 15)),  # no award date: its month is June's
    award("ghost", "A9", 50_000, local(2026, 7, 1), None),  # its process was never read
    award("P3b", "A10", 700_000, local(2026, 5, 25), None, status="pending"),
]


@pytest.fixture
def tenders(store):
    with store.begin() as session:
        upsert(session, Procurement, "tenders", PROCESSES)
        upsert(session, Award, "tenders", AWARDS)
    return store


def values(store, measure: str, scope: Scope = SCOPE):
    with store.begin() as session:
        return compute(session, MEASURES[measure], scope)


def test_open_method_share(tenders):
    result = values(tenders, "T07.open_method_share")
    # In force, CNY, awarded in 2026: A1 900k open, A2 100k open (no status counts), A3 300k
    # limited, A4 200k direct, A8 100k (method unknown, June by publication), A9 50k (no
    # process). Out: A5 EUR, A6 cancelled, A7 last year, A10 pending.
    # Open 1,000,000 / 1,650,000.
    assert (result.numerator, result.denominator) == (1_000_000, 1_650_000)
    assert result.value == pytest.approx(1_000_000 / 1_650_000)
    assert result.by_unit == [Breakdown("czj", 0.0, 0, 500_000), Breakdown("dsz", 1.0, 1_000_000, 1_000_000)]
    assert result.by_month == [
        Breakdown("2026-03", 1.0, 1_000_000, 1_000_000),
        Breakdown("2026-05", 0.0, 0, 300_000),
        Breakdown("2026-06", 0.0, 0, 300_000),
        Breakdown("2026-07", 0.0, 0, 50_000),
    ]


def test_single_bidder_rate(tenders):
    result = values(tenders, "T07.single_bidder_rate")
    # Known counts, not direct, month in 2026: P1 (1), P2, P3, P3b, P4 (1), P6 (0 tenderers).
    # Out: P5 direct, P7 deadline last year, P8 unknown. 2 of 6.
    assert (result.numerator, result.denominator) == (2, 6)
    assert result.value == pytest.approx(1 / 3)
    assert result.by_unit == [Breakdown("czj", pytest.approx(1 / 3), 1, 3), Breakdown("dsz", 0.5, 1, 2)]
    # months of the bid deadlines: P1 P2 in March, P3 April, P3b P4 May, P6 (release) June
    assert result.by_month == [
        Breakdown("2026-03", 0.5, 1, 2),
        Breakdown("2026-04", 0.0, 0, 1),
        Breakdown("2026-05", 0.5, 1, 2),
        Breakdown("2026-06", 0.0, 0, 1),
    ]


def test_short_tender_period_rate(tenders):
    result = values(tenders, "T07.short_tender_period_rate")
    # Open or selective with a period begun in 2026: P1 (19 days), P2 (20), P3 (19), P3b (20).
    assert (result.numerator, result.denominator) == (2, 4)
    assert result.by_unit == [Breakdown("czj", 0.5, 1, 2), Breakdown("dsz", 0.5, 1, 2)]
    assert result.by_month == [
        Breakdown("2026-03", 0.5, 1, 2),
        Breakdown("2026-04", 1.0, 1, 1),
        Breakdown("2026-05", 0.0, 0, 1),
    ]
    stricter = values(tenders, "T07.short_tender_period_rate",
                      Scope(SCOPE.start, SCOPE.end, params={"short_tender_days": 21}))
    assert (stricter.numerator, stricter.denominator) == (4, 4), "20 days are short of 21"


def test_award_disclosure_timeliness(tenders):
    result = values(tenders, "T14.award_disclosure_timeliness")
    # Both dates, awarded in 2026: A1 (7 days), A2 (8), A3 (0), A5 (5), A6 (1). 4 of 5 in 7 days.
    assert (result.numerator, result.denominator) == (4, 5)
    assert result.value == pytest.approx(0.8)
    assert result.by_unit == [Breakdown("czj", 1.0, 2, 2), Breakdown("dsz", pytest.approx(2 / 3), 2, 3)]
    assert result.by_month == [
        Breakdown("2026-03", pytest.approx(2 / 3), 2, 3),
        Breakdown("2026-04", 1.0, 1, 1),
        Breakdown("2026-05", 1.0, 1, 1),
    ]
    for days, expected in ((6, 3), (8, 5)):
        scope = Scope(SCOPE.start, SCOPE.end, params={"award_disclosure_days": days})
        assert values(tenders, "T14.award_disclosure_timeliness", scope).numerator == expected


def test_few_bidders_rate(tenders):
    with tenders.begin() as session:
        upsert(session, Procurement, "tenders", [
            # selective, no tenderer at all (a failed tender): fewer than three.
            process("P9", "dsz", "selective", 0, local(2026, 6, 1), local(2026, 6, 25)),
            # two bids but a negotiation (limited): not a tender, not counted.
            process("P10", "czj", "limited", 2, local(2026, 6, 1), local(2026, 6, 5)),
            # a method word not recognised: not known to be a tender, not counted.
            process("P11", "czj", "unknown", 1, local(2026, 6, 1), local(2026, 6, 25)),
        ])
    result = values(tenders, "T07.few_bidders_rate")
    # Open or selective, known count, bid deadline in 2026: P1 open 1, P2 open 5, P3 selective 3,
    # P3b selective 4, P9 selective 0. Out: P4 P10 limited, P5 direct, P6 and P11 method not a
    # tender's, P7 deadline last year, P8 count unknown. Fewer than three: P1, P9. 2 of 5;
    # three bidders (P3) are enough.
    assert (result.numerator, result.denominator) == (2, 5)
    assert result.value == pytest.approx(0.4)
    assert result.by_unit == [Breakdown("czj", 0.0, 0, 2), Breakdown("dsz", pytest.approx(2 / 3), 2, 3)]
    assert result.by_month == [
        Breakdown("2026-03", 0.5, 1, 2),
        Breakdown("2026-04", 0.0, 0, 1),
        Breakdown("2026-05", 0.0, 0, 1),
        Breakdown("2026-06", 1.0, 1, 1),
    ]
    single = values(tenders, "T07.single_bidder_rate")
    assert (single.numerator, single.denominator) == (3, 9), "beside it: P11 single, P9 P10 P11 counted"


def test_award_dates_that_are_guessed_or_cannot_be_true_are_not_used_for_timeliness(tenders):
    with tenders.begin() as session:
        upsert(session, Award, "tenders", [
            # published 2 days after the award, but the date is a release's: not used.
            {**award("P2", "B1", 10_000, local(2026, 3, 2), local(2026, 3, 4)), "published_guessed": True},
            # published 400 days after the award: cannot be true, not used.
            award("P1", "B2", 10_000, local(2026, 3, 3), local(2027, 4, 7)),
            # 365 days later: late, but possible, so used (and late).
            award("P1", "B3", 10_000, local(2026, 3, 4), local(2027, 3, 4)),
            # a notice document's date, 3 days: used, in time.
            {**award("P4", "B4", 10_000, local(2026, 5, 2), local(2026, 5, 5)), "published_guessed": False},
        ])
    result = values(tenders, "T14.award_disclosure_timeliness")
    # As before A1, A2, A3, A5, A6 (4 of 5 in time), and now B3 (late) and B4 (in time): 5 of 7.
    assert (result.numerator, result.denominator) == (5, 7)
    assert result.by_month == [
        Breakdown("2026-03", 0.5, 2, 4),
        Breakdown("2026-04", 1.0, 1, 1),
        Breakdown("2026-05", 1.0, 2, 2),
    ]


def test_no_data_gives_no_value(store):
    for measure in MEASURES:
        result = values(store, measure)
        assert (result.value, result.by_unit, result.by_month) == (None, [], []), measure
