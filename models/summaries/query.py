"""What the source pages ask of the store, whatever the source: a filter, counts by group, handling
times, red flags and pages of records.

Every count is a ``GROUP BY`` in SQL and records come one page at a time (``LIMIT``/``OFFSET``):
no query hands a whole table to Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, cast, func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.indicators import Aggregate, Breakdown, Measure, Scope, compute
from models.indicators.sql import month_of, workday_seq_of

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Filter:
    """Records of one unit (``unit`` None: of every unit) in the period ``start`` ≤ time < ``end`` (UTC),
    with the campaign's indicator parameters (``[indicators]`` of storm.toml) for the thresholds."""

    start: dt.datetime
    end: dt.datetime
    unit: str | None = None
    params: Mapping[str, float] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        return Scope(start=self.start, end=self.end, params=self.params)

    def during(self, time: Any) -> ColumnElement[bool]:
        """``time`` falls in the period."""
        return and_(time >= self.start, time < self.end)


@dataclass(frozen=True)
class Durations:
    """How long records took (``count`` of them): median and mean, and the median by month and by unit."""

    count: int
    median: float | None
    mean: float | None
    by_month: list[Breakdown]
    by_unit: list[Breakdown]


@dataclass(frozen=True)
class Flag:
    """A red flag: how many records raise it, and how many of them belong to each unit."""

    key: str
    count: int
    by_unit: list[Breakdown]


@dataclass(frozen=True)
class Summary:
    """A source page's numbers: volumes (in the order they are shown), records per month, counts by
    each grouping, by unit, the handling time and the red flags."""

    volumes: Mapping[str, int]
    by_month: list[Breakdown]
    groups: Mapping[str, list[Breakdown]]
    by_unit: list[Breakdown]
    handling: Durations
    flags: list[Flag]


@dataclass(frozen=True)
class RecordPage:
    """One page of records: ``rows`` (each keyed by ``columns``), of ``total`` records in all."""

    columns: list[str]
    rows: list[dict[str, Any]]
    total: int
    offset: int
    limit: int


def counts(session: Session, key: ColumnElement[Any], *conditions: Any) -> list[Breakdown]:
    """How many rows match ``conditions`` for each value of ``key`` (NULL left out), most first."""
    number = func.count()
    query = (
        select(key.label("key"), number.label("n"))
        .where(*conditions, key.is_not(None))
        .group_by(key)
        .order_by(number.desc(), key)
    )
    return [Breakdown(key=str(group), value=float(n)) for group, n in session.execute(query)]


def by_month(session: Session, time: ColumnElement[Any], *conditions: Any) -> list[Breakdown]:
    """How many rows match ``conditions`` in each local month of ``time``, in month order."""
    return sorted(counts(session, month_of(time), *conditions), key=lambda group: group.key)


def count(session: Session, *conditions: Any, of: Any = None) -> int:
    """How many rows (of ``of``'s table when the conditions do not name one) match ``conditions``."""
    query = select(func.count()).where(*conditions)
    return int(session.scalar(query if of is None else query.select_from(of)) or 0)


def working_days(unit: Any, start: Any, end: Any, *conditions: Any) -> Select[Any]:
    """Rows for :func:`durations` of the records matching ``conditions``: their ``unit``, ``end`` as ``at``,
    and as ``x`` the working days from ``start`` to ``end`` (by local date)."""
    first, on_first = workday_seq_of(start, "start_day")
    last, on_last = workday_seq_of(end, "end_day")
    return (
        select(unit.label("unit"), end.label("at"), (last.workday_seq - first.workday_seq).label("x"))
        .join(first, on_first)
        .join(last, on_last)
        .where(*conditions)
    )


def durations(session: Session, rows: Select[Any], where: Filter) -> Durations:
    """Median and mean of ``rows``' ``x`` (their ``unit`` and ``at`` columns give the breakdowns, as for an
    indicator measure: see :mod:`models.indicators.engine`)."""
    values = compute(session, Measure(Aggregate.MEDIAN, lambda scope: rows), where.scope)
    mean = session.scalar(select(func.avg(cast(rows.subquery().c.x, Float))))
    return Durations(
        count=int(values.denominator or 0),
        median=values.value,
        mean=None if mean is None else float(mean),
        by_month=values.by_month,
        by_unit=values.by_unit,
    )


def flags(session: Session, unit: ColumnElement[Any], conditions: Mapping[str, ColumnElement[bool]]) -> list[Flag]:
    """Each red flag of ``conditions`` (key → the condition a flagged record meets), counted by ``unit``."""
    found = []
    for key, condition in conditions.items():
        query = select(unit, func.count()).where(condition).group_by(unit).order_by(func.count().desc(), unit)
        groups = list(session.execute(query))
        by_unit = [Breakdown(key=str(code), value=float(n)) for code, n in groups if code is not None]
        found.append(Flag(key=key, count=sum(n for _, n in groups), by_unit=by_unit))
    return found


def flagged(conditions: Mapping[str, ColumnElement[bool]], flag: str) -> ColumnElement[bool]:
    """The condition of red flag ``flag``; a flag the source does not raise is a ``ValueError``."""
    if flag not in conditions:
        raise ValueError(f"unknown red flag {flag!r}; one of: {', '.join(conditions)}")
    return conditions[flag]


def page_of(session: Session, query: Select[Any], order: Sequence[Any], offset: int, limit: int) -> RecordPage:
    """The rows of ``query`` in ``order``, ``limit`` of them from ``offset`` on (a ``limit`` beyond
    :data:`MAX_PAGE_SIZE` is cut to it). The query's column keys name the row fields."""
    offset, limit = max(offset, 0), min(max(limit, 1), MAX_PAGE_SIZE)
    total = count(session, of=query.order_by(None).subquery())
    rows = [dict(row._mapping) for row in session.execute(query.order_by(*order).offset(offset).limit(limit))]
    columns = [column.key for column in query.selected_columns]
    return RecordPage(columns=columns, rows=rows, total=total, offset=offset, limit=limit)


@dataclass(frozen=True)
class SourceQueries:
    """A source page's queries: how the source's records are chosen, counted, timed, flagged and listed."""

    time: Any
    """The time that puts a record in a period and a month."""
    unit: Any
    """The unit a record belongs to, for the counts by unit."""
    chosen: Callable[[Filter], list[ColumnElement[bool]]]
    """The conditions a record of the filter's unit and period meets."""
    volumes: Callable[[Session, Filter], dict[str, int]]
    """The headline counts, in the order they are shown."""
    groups: Mapping[str, Any]
    """The groupings the records are counted by (besides units and months), by name."""
    handling_time: Callable[[Session, Filter], Durations]
    flag_conditions: Callable[[Filter], dict[str, ColumnElement[bool]]]
    """The condition a record raising each red flag meets, by flag, in the order they are shown."""
    listing: Callable[[bool], Select[Any]]
    """The records' columns (and joins): with True, personal columns too."""
    newest_first: tuple[Any, ...]

    @property
    def flags(self) -> tuple[str, ...]:
        """The red flags the source raises."""
        now = utcnow()
        return tuple(self.flag_conditions(Filter(now, now)))

    def summary(self, session: Session, where: Filter) -> Summary:
        """Everything the source's page shows but the records."""
        chosen = self.chosen(where)
        return Summary(
            volumes=self.volumes(session, where),
            by_month=by_month(session, self.time, *chosen),
            groups={name: counts(session, column, *chosen) for name, column in self.groups.items()},
            by_unit=counts(session, self.unit, *chosen),
            handling=self.handling_time(session, where),
            flags=flags(session, self.unit, self.flag_conditions(where)),
        )

    def records(
        self,
        session: Session,
        where: Filter,
        flag: str | None = None,
        personal: bool = False,
        offset: int = 0,
        limit: int = PAGE_SIZE,
    ) -> RecordPage:
        """A page of the records of the filter (or of those raising ``flag``), newest first; the personal
        columns only with ``personal``."""
        condition = flagged(self.flag_conditions(where), flag) if flag else and_(*self.chosen(where))
        return page_of(session, self.listing(personal).where(condition), self.newest_first, offset, limit)
