"""Indicator cells kept in the store: each indicator's numerator and denominator per unit and local month.

A cell holds what :func:`models.indicators.engine.cell_rows` sums for one (unit, month) of one
indicator: ``num`` and ``den`` (for a mean, the sum of ``x`` and the count of rows with one); a
row of no unit or of no month is kept under ``""``. Overall, by-unit and by-month values are
read from the cells (:func:`read`) and are those the engine computes from the rows.

Each indicator's cells are kept for one scope (the campaign year, or from the campaign's first
day), written down in its :class:`CellBasis` with the *fingerprint* of its definition: cells
whose fingerprint is not the indicator's definition now are rebuilt whole (:func:`rebuild`).
Writes of data recompute only the months they touched, or add the sums of the rows they added
(:func:`refresh`), in the writer's transaction; the cells of measures that depend on the time
now are recomputed as time passes (:func:`tick`). Medians cannot be summed: they are not kept
in cells but computed from the rows when read, over the kept scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    Table,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import visitors

from models.base import Base, utcnow
from models.indicators.engine import (
    NO_VALUES,
    Aggregate,
    Clock,
    IndicatorValues,
    Measure,
    Scope,
    cell_rows,
    from_cells,
    fused_cell_rows,
    fused_groups,
    has_no_data,
    is_time,
    median,
    month_bounds,
)
from models.indicators.sql import LOCAL_OFFSET_HOURS, month_of

NONE_KEY = ""
"""The unit or month a cell of rows without one is kept under."""
CLOCK_TICK = dt.timedelta(minutes=10)
"""How long the cells of a measure that depends on the time now are used before they are
recomputed as of the new time (:func:`tick`)."""

Months = Collection[str | None]
"""Local months ("2026-03"), None for rows of no month."""


class IndicatorCell(Base):
    """One indicator's sums over the rows of one unit and one local month."""

    __tablename__ = "indicator_cells"

    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    num: Mapped[float | None]
    den: Mapped[float | None]


CELL_COLUMNS = ["indicator", "unit", "month", "num", "den"]


class CellBasis(Base):
    """What an indicator's cells were computed for: the definition's fingerprint and the scope."""

    __tablename__ = "indicator_cell_bases"

    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    scope: Mapped[dict[str, Any]]
    built_at: Mapped[dt.datetime]
    clock_at: Mapped[dt.datetime]
    """The time now the cells that depend on it were computed as of."""


def scope_json(scope: Scope) -> dict[str, Any]:
    """``scope`` as JSON, to keep beside the cells."""
    start = scope.campaign_start.isoformat() if scope.campaign_start else None
    return {"start": scope.start.isoformat(), "end": scope.end.isoformat(), "params": dict(scope.params),
            "campaign_start": start}


def scope_of(data: dict[str, Any]) -> Scope:
    """The scope :func:`scope_json` wrote."""
    start = data.get("campaign_start")
    return Scope(start=dt.datetime.fromisoformat(data["start"]), end=dt.datetime.fromisoformat(data["end"]),
                 params=data.get("params", {}), campaign_start=dt.datetime.fromisoformat(start) if start else None)


def basis(session: Session, indicator: str, lock: bool = False) -> CellBasis | None:
    """The indicator's basis; with ``lock``, locked until the transaction ends (PostgreSQL), so that
    writers of the same indicator's cells take turns."""
    query = select(CellBasis).where(CellBasis.indicator == indicator).execution_options(populate_existing=True)
    return session.scalar(query.with_for_update() if lock else query)


def _write(session: Session, indicator: str, measure: Measure, scope: Scope, months: Months | None) -> None:
    """Replace the indicator's cells (of ``months`` only, when given) by those computed from the rows."""
    kept = delete(IndicatorCell).where(IndicatorCell.indicator == indicator)
    if months is not None:
        named = [month for month in months if month is not None]
        keys = named + ([NONE_KEY] if None in months else [])
        if not keys:
            return
        kept = kept.where(IndicatorCell.month.in_(keys))
    session.execute(kept)
    if measure.aggregate is Aggregate.MEDIAN:
        return
    # The rows of named months and those of no month apart: each statement can then read its rows alone.
    parts = [None] if months is None else [part for part in ([m for m in months if m is not None], [None]) if
                                           set(part) & set(months)]
    for part in parts:
        cells = cell_rows(measure, scope, part).subquery("cells")
        rows = select(literal(indicator, String), func.coalesce(cells.c.unit, NONE_KEY),
                      func.coalesce(cells.c.month, NONE_KEY), cast(cells.c.num, Float), cast(cells.c.den, Float))
        session.execute(insert(IndicatorCell).from_select(CELL_COLUMNS, rows))


def rebuild(session: Session, indicators: Sequence[tuple[str, Measure, Scope, str]]) -> None:
    """Compute every cell of each (indicator, measure, scope, fingerprint) over its scope from the rows,
    for the definition ``fingerprint``; the cells of measures over the same table with the same unit
    and time (:func:`~models.indicators.engine.fused_groups`) in one pass."""
    now = utcnow()
    for indicator, _, scope, fingerprint in indicators:
        kept = basis(session, indicator, lock=True)
        if kept is None:
            kept = CellBasis(indicator=indicator)
            session.add(kept)
        kept.fingerprint, kept.scope, kept.built_at, kept.clock_at = fingerprint, scope_json(scope), now, now
        session.execute(delete(IndicatorCell).where(IndicatorCell.indicator == indicator))
    session.flush()
    measures = [(measure, scope) for _, measure, scope, _ in indicators]
    for group in fused_groups(measures):
        if len(group) == 1:
            indicator, measure, scope, _ = indicators[group[0]]
            _write(session, indicator, measure, scope, None)
            continue
        cells = fused_cell_rows([measures[position] for position in group]).cte("fused")
        parts = [
            select(literal(indicators[position][0], String), func.coalesce(cells.c.unit, NONE_KEY),
                   func.coalesce(cells.c.month, NONE_KEY), cast(cells.c[f"num{n}"], Float),
                   cast(cells.c[f"den{n}"], Float)).where(cells.c[f"n{n}"] > 0)
            for n, position in enumerate(group)
        ]
        session.execute(insert(IndicatorCell).from_select(CELL_COLUMNS, union_all(*parts)))


def reach(measure: Measure, scope: Scope, touched: dict[str, Months | None]) -> Months | None:
    """The months whose cells a write changed: ``touched`` gives, per table written, the months of the
    written rows' dates before and after the write (None: unknown). None: every month."""
    months: set[str | None] = set()
    for table, dated in touched.items():
        if table not in measure.months_from or dated is None:
            return None
        months.update(dated)
    if measure.baseline is not None:
        start, end = measure.baseline(scope)
        bounds = (month_bounds(month) for month in months if month is not None)
        if any(first < end and after > start for first, after in bounds):
            return None
    return months


@cache
def tables_read(measure: Measure) -> frozenset[str]:
    """The names of the tables the measure's row query reads (in its subqueries too)."""
    moment = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    query = measure.rows(Scope(start=moment, end=moment, campaign_start=moment))
    return frozenset(element.name for element in visitors.iterate(query) if isinstance(element, Table))


def refresh(
    session: Session, indicator: str, measure: Measure, touched: dict[str, Months | None],
    added: Mapping[str, ColumnElement[bool]] | None = None,
) -> None:
    """Bring the indicator's cells up to date after a write in this transaction (``touched`` as for
    :func:`reach`; tables the measure does not read are passed over). Cells never built are left to
    be built when read.

    ``added``, when the write only added rows, gives per table a condition that selects them: the
    cells of a measure whose rows each come from one of them alone (its ``months_from``, no baseline
    touched, nothing depending on the time now) then have the new rows' sums added, rather than their
    months recomputed."""
    touched = {table: months for table, months in touched.items() if table in tables_read(measure)}
    if not touched:
        return
    kept = basis(session, indicator, lock=True)
    if kept is None:
        return
    scope = scope_of(kept.scope)
    months = reach(measure, scope, touched)
    (table,) = touched if len(touched) == 1 else (None,)
    if (months is not None and added is not None and table in added and measure.clock is Clock.NONE
            and isinstance(measure.rows(scope), Select)):
        _add(session, indicator, measure, scope, added[table])
    else:
        _write(session, indicator, measure, scope, months)


def _plus(kept: Any, added: Any) -> Any:
    """A kept sum plus an added one; NULL when both are (a sum over rows without a value)."""
    return case((kept.is_(None) & added.is_(None), None), else_=func.coalesce(kept, 0) + func.coalesce(added, 0))


def _add(session: Session, indicator: str, measure: Measure, scope: Scope, where: ColumnElement[bool]) -> None:
    """Add the sums of the measure's rows meeting ``where`` to the indicator's cells."""
    cells = cell_rows(measure, scope, where=where).subquery("added")
    rows = select(literal(indicator, String), func.coalesce(cells.c.unit, NONE_KEY),
                  func.coalesce(cells.c.month, NONE_KEY), cast(cells.c.num, Float), cast(cells.c.den, Float))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = IndicatorCell.__table__
    statement = dialect.insert(table).from_select(CELL_COLUMNS, rows.where(true()))
    session.execute(statement.on_conflict_do_update(
        index_elements=["indicator", "unit", "month"],
        set_={"num": _plus(table.c.num, statement.excluded.num), "den": _plus(table.c.den, statement.excluded.den)},
    ))


def tick(session: Session, indicator: str, measure: Measure, now: dt.datetime | None = None) -> bool:
    """Recompute the cells that the passing of time changed, once they are :data:`CLOCK_TICK` old
    (:attr:`Measure.clock`); whether any were."""
    now = now or utcnow()
    kept = basis(session, indicator)
    if measure.clock is Clock.NONE or kept is None or now - kept.clock_at < CLOCK_TICK:
        return False
    kept = basis(session, indicator, lock=True)
    assert kept is not None
    scope = scope_of(kept.scope)
    months = months_between(kept.clock_at, min(now, scope.end)) if measure.clock is Clock.DUE else None
    kept.clock_at = now
    _write(session, indicator, measure, scope, months)
    return True


def months_between(first: dt.datetime, last: dt.datetime) -> list[str]:
    """The local months from ``first``'s to ``last``'s, both included."""
    months, end = [local_month(first)], local_month(last)
    while months[-1] < end:
        months.append(local_month(month_bounds(months[-1])[1]))
    return months


def local_month(moment: dt.datetime) -> str:
    """The local month ("2026-03") of an aware time."""
    return (moment.astimezone(dt.UTC) + dt.timedelta(hours=LOCAL_OFFSET_HOURS)).strftime("%Y-%m")


def stored_cells(indicator: str) -> Any:
    """The indicator's kept cells as a subquery of (unit, month, num, den), NULL for no unit or month."""
    return (
        select(func.nullif(IndicatorCell.unit, NONE_KEY).label("unit"),
               func.nullif(IndicatorCell.month, NONE_KEY).label("month"), IndicatorCell.num, IndicatorCell.den)
        .where(IndicatorCell.indicator == indicator)
        .subquery("cells")
    )


def read(session: Session, indicator: str, measure: Measure, breakdowns: bool = True) -> IndicatorValues:
    """The indicator's values from its kept cells (a median from its rows, over the kept scope).
    The cells must have been built (:func:`rebuild`)."""
    if has_no_data(session, measure):
        return NO_VALUES
    if measure.aggregate is Aggregate.MEDIAN:
        kept = basis(session, indicator)
        assert kept is not None, f"the cells of {indicator} were never built"
        return median(session, measure, scope_of(kept.scope), breakdowns)
    return from_cells(session, measure.aggregate, stored_cells(indicator), breakdowns)


def dated_months(session: Session, table: Table, where: Any) -> set[str | None]:
    """The local months of the dates and times of the rows of ``table`` meeting ``where``, and None (a
    measure may place a row in no month): what :func:`refresh` is given for a write of those rows,
    before and after it."""
    dated = [column for column in table.columns if is_time(column.type)]
    months: set[str | None] = {None}
    if dated:
        for row in session.execute(select(*(month_of(column) for column in dated)).where(where).distinct()):
            months.update(row)
    return months
