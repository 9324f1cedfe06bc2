"""The indicator engine: turns a measure's rows into a value, by unit and by month, in SQL.

A measure is a query returning one row per thing counted, with the columns

- ``unit``: the unit code the row belongs to (NULL when it belongs to none),
- ``at``: the time that puts it in a month (NULL when months do not apply),
- ``num`` and ``den`` for ratios and counts, or ``x`` for means and medians.

The engine wraps that query and aggregates it overall, by unit and by local month; the rows
never leave the database. Sums, counts and means are first summed per (unit, month) into
*cells* in one pass over the rows (:func:`cell_rows`), and the three groupings are taken from
those cells (:func:`from_cells`, with ``GROUPING SETS`` on PostgreSQL); the cells may be the
ones kept in the store (:mod:`models.indicators.cells`). Medians cannot be summed: they are
computed from the rows by their own three queries.

A measure also says what the cells it keeps depend on (:attr:`Measure.months_from`,
:attr:`Measure.baseline`, :attr:`Measure.clock`), so that a write or the passing of time
recomputes only the cells it can change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Float,
    Select,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from models.indicators.sql import LOCAL_OFFSET_HOURS, month_of


class Aggregate(StrEnum):
    """How a measure's rows become one number."""

    RATIO = "ratio"  # sum(num) / sum(den)
    COMPLEMENT_RATIO = "complement_ratio"  # 1 - sum(num) / sum(den)
    COMPLEMENT_MEAN = "complement_mean"  # 1 - mean(x)
    COUNT = "count"  # sum(num)
    MEDIAN = "median"  # median(x)


class Clock(StrEnum):
    """How a measure's rows change as time passes, with no data written."""

    NONE = "none"
    """They do not: nothing depends on the time now."""
    DUE = "due"
    """Rows appear in the month they fall due in once that moment has passed (open cases past
    due): only the months from the last refresh to now change."""
    ALL = "all"
    """Any cell may change (a deadline judged now, in the month something was received)."""


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
    months_from: tuple[str, ...] = ()
    """The tables whose rows alone place the measure's rows in months: each row of the measure
    comes from one row of these tables, in the month of one of its dates, and depends on no other
    row. A write to them changes only the cells of the months of the written rows' dates (before
    and after the write); a write to any other table of the measure's sources recomputes every
    cell. Empty (the default, always right): every write recomputes every cell."""
    baseline: Callable[[Scope], tuple[dt.datetime, dt.datetime]] | None = None
    """A period whose rows feed every month (a baseline the months are compared with): a write
    to a month that overlaps it recomputes every cell."""
    clock: Clock = Clock.ALL
    """How the rows change as time passes (:class:`Clock`; the default is always right)."""


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


def _overall(aggregate: Aggregate, rows: Any) -> Select[Any]:
    """The aggregate of ``rows`` as one overall row (key, value, numerator, denominator)."""
    return select(literal(None).label("key"), *_labelled(_aggregates(aggregate, rows)))


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


def is_time(type_: Any) -> bool:
    """Whether a column of ``type_`` holds dates or times."""
    try:
        return getattr(type_, "impl", type_).python_type in (dt.date, dt.datetime)
    except NotImplementedError:
        return False


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of local month ``month`` ("2026-03") and of the next one, in UTC."""
    year, number = (int(part) for part in month.split("-"))
    after = (year + number // 12, number % 12 + 1)
    offset = dt.timedelta(hours=LOCAL_OFFSET_HOURS)
    return (dt.datetime(year, number, 1, tzinfo=dt.UTC) - offset, dt.datetime(*after, 1, tzinfo=dt.UTC) - offset)


def _in_months(at: Any, months: Collection[str | None]) -> ColumnElement[bool]:
    """``at`` falls in one of ``months`` (None: no month). On a time column, the months' bounds
    come first, so that the database can read the rows of those months alone."""
    named = sorted(month for month in months if month is not None)
    conditions: list[ColumnElement[bool]] = [month_of(at).in_(named)] if named else []
    if named and is_time(at.type) and getattr(at.type, "impl", at.type).python_type is dt.datetime:
        ranges = [and_(at >= start, at < end) for start, end in map(month_bounds, named)]
        conditions = [and_(or_(*ranges), conditions[0])]
    if None in months:
        conditions.append(at.is_(None))
    return or_(*conditions) if conditions else literal(False)


def cell_rows(
    measure: Measure, scope: Scope, months: Collection[str | None] | None = None,
    where: ColumnElement[bool] | None = None,
) -> Select[Any]:
    """The measure's cells: (unit, month, num, den) summed per unit and local month over its rows,
    only those of ``months`` when given (None in it: the rows of no month), and only the rows of the
    row query meeting ``where`` when given (the row query must then be a plain SELECT). ``num`` and
    ``den`` are what a decomposable aggregate needs: for a mean, the sum of ``x`` and the count of
    rows with one."""
    if measure.aggregate is Aggregate.MEDIAN:
        raise ValueError("a median cannot be summed into cells")
    query = measure.rows(scope)
    rows = (query if where is None else query.where(where)).subquery("rows")
    if measure.aggregate is Aggregate.COMPLEMENT_MEAN:
        sums = [func.sum(cast(rows.c.x, Float)), func.count(rows.c.x)]
    else:
        sums = [func.sum(rows.c.num), func.sum(rows.c.den) if "den" in rows.c else literal(None)]
    month = month_of(rows.c.at)
    cells = select(rows.c.unit.label("unit"), month.label("month"), sums[0].label("num"), sums[1].label("den"))
    if months is not None:
        cells = cells.where(_in_months(rows.c.at, months))
    return cells.group_by(rows.c.unit, month)


@dataclass(frozen=True)
class _Plain:
    """A row query that is one SELECT from one table: its table, unit, time, sums' inputs and condition."""

    table: Table
    unit: Any
    at: Any
    values: tuple[Any, Any]
    where: Any


def _plain(measure: Measure, scope: Scope) -> _Plain | None:
    """The parts of the measure's row query if it is one SELECT from one table (else None)."""
    query = measure.rows(scope)
    if measure.aggregate is Aggregate.MEDIAN or not isinstance(query, Select) or query._group_by_clauses \
            or query._having_criteria or query._distinct or query._limit_clause is not None:
        return None
    where = query.whereclause
    froms = {*query._from_obj, *query.columns_clause_froms, *(where._from_objects if where is not None else ())}
    if len(froms) != 1 or not isinstance(table := next(iter(froms)), Table):
        return None
    columns = {column.name: getattr(column, "element", column) for column in query.selected_columns}
    if measure.aggregate is Aggregate.COMPLEMENT_MEAN:
        values = (cast(columns["x"], Float), columns["x"])
    else:
        values = (columns["num"], columns.get("den"))
    return _Plain(table, columns["unit"], columns["at"], values, where if where is not None else literal(True))


def fused_groups(measures: Sequence[tuple[Measure, Scope]]) -> list[list[int]]:
    """The measures (by position) whose cells one pass over one table gives: plain row queries from the
    same table with the same unit and time (see :func:`fused_cell_rows`); every other measure alone."""
    groups: list[tuple[_Plain | None, list[int]]] = []
    for position, (measure, scope) in enumerate(measures):
        plain = _plain(measure, scope)
        same = next((members for first, members in groups if plain is not None and first is not None
                     and first.table is plain.table and first.unit.compare(plain.unit)
                     and first.at.compare(plain.at)), None)
        if same is None:
            groups.append((plain, [position]))
        else:
            same.append(position)
    return [members for _, members in groups]


def fused_cell_rows(measures: Sequence[tuple[Measure, Scope]]) -> Select[Any]:
    """The cells of several measures of one group of :func:`fused_groups` in one pass over their table:
    (unit, month, then for each measure n<i>, num<i>, den<i>), n<i> the rows of measure i in the cell
    (its cell exists when n<i> > 0); the same sums as :func:`cell_rows`."""
    plains = [_plain(measure, scope) for measure, scope in measures]
    first = plains[0]
    assert first is not None and all(plain is not None for plain in plains)
    month = month_of(first.at)
    columns: list[Any] = [first.unit.label("unit"), month.label("month")]
    for position, ((measure, _), plain) in enumerate(zip(measures, plains, strict=True)):
        assert plain is not None
        num, den = plain.values
        counted = func.count(case((plain.where, 1)))
        if measure.aggregate is Aggregate.COMPLEMENT_MEAN:
            sums = [func.sum(case((plain.where, num))), func.count(case((plain.where, den)))]
        else:
            sums = [func.sum(case((plain.where, num))),
                    literal(None) if den is None else func.sum(case((plain.where, den)))]
        columns += [counted.label(f"n{position}"), sums[0].label(f"num{position}"), sums[1].label(f"den{position}")]
    where = or_(*(plain.where for plain in plains if plain is not None))
    return select(*columns).select_from(first.table).where(where).group_by(first.unit, month)


def _from_cells(aggregate: Aggregate, cells: Any) -> list[Any]:
    """(value, numerator, denominator) columns over the summed ``cells``."""
    if aggregate is Aggregate.COMPLEMENT_MEAN:
        count = func.coalesce(func.sum(cells.c.den), 0)
        return [1.0 - _fraction(func.sum(cells.c.num), count), literal(None), count]
    return _aggregates(aggregate, cells)


def _all_groupings(aggregate: Aggregate, cells: Any) -> CompoundSelect[Any]:
    """Overall, by unit and by month in one statement: rows of (grouping, key, value, numerator, denominator)."""
    columns = _labelled(_from_cells(aggregate, cells))
    overall = select(literal(0).label("grouping"), literal(None).label("key"), *columns)
    parts = [overall] + [
        select(literal(n).label("grouping"), key.label("key"), *columns).where(key.is_not(None)).group_by(key)
        for n, key in ((1, cells.c.unit), (2, cells.c.month))
    ]
    return union_all(*parts).order_by("grouping", "key")


GROUPING_OF_SET = {3: 0, 1: 1, 2: 2}
"""PostgreSQL's ``grouping(unit, month)`` (a bit for each column left out) → 0 overall, 1 by unit, 2 by month."""


def _grouping_sets(aggregate: Aggregate, cells: Any) -> Select[Any]:
    """The same rows as :func:`_all_groupings` in one pass over the cells (PostgreSQL's ``GROUPING SETS``);
    the grouping is :data:`GROUPING_OF_SET`'s key, and groups of a NULL unit or month are left to the caller."""
    grouping = func.grouping(cells.c.unit, cells.c.month)
    key = func.coalesce(cells.c.unit, cells.c.month)
    return select(grouping.label("grouping"), key.label("key"), *_labelled(_from_cells(aggregate, cells))).group_by(
        func.grouping_sets(tuple_(), cells.c.unit, cells.c.month)
    )


def from_cells(session: Session, aggregate: Aggregate, cells: Any, breakdowns: bool = True) -> IndicatorValues:
    """The values over ``cells`` (a selectable of unit, month, num, den): overall, and by unit and month
    if ``breakdowns``."""
    grouped: dict[int, list[Any]] = {0: [], 1: [], 2: []}
    if not breakdowns:
        grouped[0] = list(session.execute(select(literal(None), *_labelled(_from_cells(aggregate, cells)))))
    elif session.get_bind().dialect.name == "postgresql":
        for grouping, key, *row in session.execute(_grouping_sets(aggregate, cells)):
            if grouping == 3 or key is not None:
                grouped[GROUPING_OF_SET[grouping]].append((key, *row))
        for rows in grouped.values():
            rows.sort(key=lambda row: row[0])
    else:
        for grouping, *row in session.execute(_all_groupings(aggregate, cells)):
            grouped[grouping].append(row)
    return _values(aggregate, grouped[0][0] if grouped[0] else None, grouped[1], grouped[2])


def _breakdown(row: Any) -> Breakdown:
    key, value, numerator, denominator = row
    return Breakdown(
        key=str(key),
        value=None if value is None else float(value),
        numerator=None if numerator is None else float(numerator),
        denominator=None if denominator is None else float(denominator),
    )


def _values(aggregate: Aggregate, overall: Any, by_unit: list[Any], by_month: list[Any]) -> IndicatorValues:
    _, value, numerator, denominator = overall if overall else (None, None, None, None)
    if denominator in (0, None) and aggregate is not Aggregate.COUNT:
        value = None
    return IndicatorValues(
        value=None if value is None else float(value),
        numerator=None if numerator is None else float(numerator),
        denominator=None if denominator is None else float(denominator),
        by_unit=[_breakdown(row) for row in by_unit],
        by_month=[_breakdown(row) for row in by_month],
    )


NO_VALUES = IndicatorValues(value=None, numerator=None, denominator=None, by_unit=[], by_month=[])
"""The values of an indicator whose source holds no data yet."""


def has_no_data(session: Session, measure: Measure) -> bool:
    """Whether the measure's source holds no data yet (:attr:`Measure.has_data`)."""
    return measure.has_data is not None and not session.scalar(select(measure.has_data))


def median(session: Session, measure: Measure, scope: Scope, breakdowns: bool = True) -> IndicatorValues:
    """A median measure's values, from its rows (medians are not kept in cells)."""
    rows = measure.rows(scope).subquery("rows")
    overall = session.execute(_median(rows, None)).first()
    by_unit = list(session.execute(_median(rows, rows.c.unit))) if breakdowns else []
    by_month = list(session.execute(_median(rows, month_of(rows.c.at)))) if breakdowns else []
    return _values(measure.aggregate, overall, by_unit, by_month)


def compute(session: Session, measure: Measure, scope: Scope, breakdowns: bool = True) -> IndicatorValues:
    """Compute ``measure`` over ``scope`` from its rows: overall, and by unit and month if ``breakdowns``."""
    if has_no_data(session, measure):
        return NO_VALUES
    if measure.aggregate is Aggregate.MEDIAN:
        return median(session, measure, scope, breakdowns)
    if not breakdowns:
        overall = session.execute(_overall(measure.aggregate, measure.rows(scope).subquery("rows"))).first()
        return _values(measure.aggregate, overall, [], [])
    return from_cells(session, measure.aggregate, cell_rows(measure, scope).cte("cells"))
