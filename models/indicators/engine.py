"""The indicator engine: turns a measure's rows into a value, by unit and by month, in SQL.

A measure is a query returning one row per thing counted, with the columns

- ``unit``: the unit code the row belongs to (NULL when it belongs to none),
- ``at``: the time that puts it in a month (NULL when months do not apply),
- ``num`` and ``den`` for ratios and counts, or ``x`` for means and medians.

The engine wraps that query and aggregates it overall, by unit and by local month; the rows
never leave the database. Sums, counts and means are first summed per (unit, month) in one
pass over the rows, and the three groupings are taken from those cells in the same statement;
medians are computed by their own three queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Float, Select, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from models.indicators.sql import month_of


class Aggregate(StrEnum):
    """How a measure's rows become one number."""

    RATIO = "ratio"  # sum(num) / sum(den)
    COMPLEMENT_RATIO = "complement_ratio"  # 1 - sum(num) / sum(den)
    COMPLEMENT_MEAN = "complement_mean"  # 1 - mean(x)
    COUNT = "count"  # sum(num)
    MEDIAN = "median"  # median(x)


@dataclass(frozen=True)
class Scope:
    """The period an indicator is computed over, and the campaign's tunable parameters.

    ``campaign_start`` is the campaign's first moment (local midnight of its first phase's
    first day, as UTC), when known: indicators of what the campaign does count from it
    (:meth:`from_campaign_start`), and those compared with a baseline end their baseline there.
    """

    start: dt.datetime
    end: dt.datetime
    params: Mapping[str, float] = field(default_factory=dict)
    campaign_start: dt.datetime | None = None

    def param(self, name: str, default: float) -> float:
        return float(self.params.get(name, default))

    def from_campaign_start(self) -> Scope:
        """This scope, starting no earlier than the campaign (unchanged when its start is unknown)."""
        if self.campaign_start is None or self.campaign_start <= self.start:
            return self
        return replace(self, start=min(self.campaign_start, self.end))


@dataclass(frozen=True)
class Measure:
    """An indicator's computation: a row query (see the module docstring) and its aggregate."""

    aggregate: Aggregate
    rows: Callable[[Scope], Select[Any]]
    has_data: ColumnElement[bool] | None = None
    """A SQL condition that holds once the measure's source holds any data. Without it a
    count over no rows is 0; with it, the indicator has no value until the source has data
    (a count of episodes is 0 only once the activity ledger has been uploaded)."""


@dataclass(frozen=True)
class Breakdown:
    """One group's value (a unit's code or a month such as "2026-03")."""

    key: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class IndicatorValues:
    """An indicator's value overall, by unit and by month."""

    value: float | None
    numerator: float | None
    denominator: float | None
    by_unit: list[Breakdown]
    by_month: list[Breakdown]


def _fraction(numerator: Any, denominator: Any) -> Any:
    return cast(numerator, Float) / func.nullif(denominator, 0)


def _aggregates(aggregate: Aggregate, rows: Any) -> list[Any]:
    """(value, numerator, denominator) columns over the subquery ``rows``."""
    if aggregate is Aggregate.COUNT:
        total = func.coalesce(func.sum(rows.c.num), 0)
        return [cast(total, Float), total, literal(None)]
    if aggregate in (Aggregate.RATIO, Aggregate.COMPLEMENT_RATIO):
        numerator, denominator = func.sum(rows.c.num), func.sum(rows.c.den)
        ratio = _fraction(numerator, denominator)
        value = ratio if aggregate is Aggregate.RATIO else 1.0 - ratio
        return [value, numerator, denominator]
    if aggregate is Aggregate.COMPLEMENT_MEAN:
        return [1.0 - func.avg(cast(rows.c.x, Float)), literal(None), func.count(rows.c.x)]
    raise ValueError(aggregate)


def _labelled(columns: list[Any]) -> list[Any]:
    return [column.label(name) for column, name in zip(columns, ("value", "numerator", "denominator"), strict=True)]


def _grouped(measure: Measure, rows: Any, key: Any | None) -> Select[Any]:
    """The aggregate of ``rows``, grouped by ``key`` (None: one overall row)."""
    if measure.aggregate is Aggregate.MEDIAN:
        return _median(rows, key)
    columns = _labelled(_aggregates(measure.aggregate, rows))
    if key is None:
        return select(literal(None).label("key"), *columns)
    return select(key.label("key"), *columns).where(key.is_not(None)).group_by(key).order_by(key)


def _median(rows: Any, key: Any | None) -> Select[Any]:
    """Median of ``x`` per group, with window functions that SQLite and PostgreSQL share."""
    group = key if key is not None else literal(0)
    ranked = (
        select(
            group.label("g"),
            rows.c.x.label("x"),
            func.row_number().over(partition_by=group, order_by=rows.c.x).label("rn"),
            func.count().over(partition_by=group).label("n"),
        )
        .where(rows.c.x.is_not(None))
        .subquery("ranked")
    )
    middle = ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
    value = func.avg(cast(ranked.c.x, Float))
    columns = _labelled([value, literal(None), func.max(ranked.c.n)])
    query = select(ranked.c.g.label("key"), *columns).where(middle).group_by(ranked.c.g)
    if key is not None:
        query = query.where(ranked.c.g.is_not(None)).order_by(ranked.c.g)
    return query


def _cells(measure: Measure, rows: Any) -> Any:
    """``num`` and ``den`` summed per (unit, month): everything a decomposable aggregate needs."""
    if measure.aggregate is Aggregate.COMPLEMENT_MEAN:
        sums = [func.sum(cast(rows.c.x, Float)), func.count(rows.c.x)]
    else:
        sums = [func.sum(rows.c.num), func.sum(rows.c.den) if "den" in rows.c else literal(None)]
    month = month_of(rows.c.at)
    return (
        select(rows.c.unit.label("unit"), month.label("month"), sums[0].label("num"), sums[1].label("den"))
        .group_by(rows.c.unit, month)
        .cte("cells")
    )


def _from_cells(aggregate: Aggregate, cells: Any) -> list[Any]:
    """(value, numerator, denominator) columns over the summed ``cells``."""
    if aggregate is Aggregate.COMPLEMENT_MEAN:
        count = func.coalesce(func.sum(cells.c.den), 0)
        return [1.0 - _fraction(func.sum(cells.c.num), count), literal(None), count]
    return _aggregates(aggregate, cells)


def _all_groupings(measure: Measure, rows: Any) -> CompoundSelect[Any]:
    """Overall, by unit and by month in one statement: rows of (grouping, key, value, numerator, denominator)."""
    cells = _cells(measure, rows)
    columns = _labelled(_from_cells(measure.aggregate, cells))
    overall = select(literal(0).label("grouping"), literal(None).label("key"), *columns)
    parts = [overall] + [
        select(literal(n).label("grouping"), key.label("key"), *columns).where(key.is_not(None)).group_by(key)
        for n, key in ((1, cells.c.unit), (2, cells.c.month))
    ]
    return union_all(*parts).order_by("grouping", "key")


def _breakdown(row: Any) -> Breakdown:
    key, value, numerator, denominator = row
    return Breakdown(
        key=str(key),
        value=None if value is None else float(value),
        numerator=None if numerator is None else float(numerator),
        denominator=None if denominator is None else float(denominator),
    )


def compute(session: Session, measure: Measure, scope: Scope, breakdowns: bool = True) -> IndicatorValues:
    """Compute ``measure`` over ``scope``: overall, and by unit and month if ``breakdowns``."""
    if measure.has_data is not None and not session.scalar(select(measure.has_data)):
        return IndicatorValues(value=None, numerator=None, denominator=None, by_unit=[], by_month=[])
    rows = measure.rows(scope).subquery("rows")
    by_unit: list[Breakdown] = []
    by_month: list[Breakdown] = []
    if breakdowns and measure.aggregate is not Aggregate.MEDIAN:
        grouped: dict[int, list[Any]] = {0: [], 1: [], 2: []}
        for grouping, *row in session.execute(_all_groupings(measure, rows)):
            grouped[grouping].append(row)
        overall = grouped[0][0] if grouped[0] else None
        by_unit, by_month = [_breakdown(row) for row in grouped[1]], [_breakdown(row) for row in grouped[2]]
    else:
        overall = session.execute(_grouped(measure, rows, None)).first()
        if breakdowns:
            by_unit = [_breakdown(row) for row in session.execute(_grouped(measure, rows, rows.c.unit))]
            by_month = [_breakdown(row) for row in session.execute(_grouped(measure, rows, month_of(rows.c.at)))]
    _, value, numerator, denominator = overall if overall else (None, None, None, None)
    if denominator in (0, None) and measure.aggregate is not Aggregate.COUNT:
        value = None
    return IndicatorValues(
        value=None if value is None else float(value),
        numerator=None if numerator is None else float(numerator),
        denominator=None if denominator is None else float(denominator),
        by_unit=by_unit,
        by_month=by_month,
    )
