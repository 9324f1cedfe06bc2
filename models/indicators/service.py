"""Measures over service-centre items and cases (tasks 3, 4, 5, 6 and 8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, exists, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from models.base import UTCDateTime
from models.campaign import Unit, UnitKind
from models.indicators.complaints import as_of
from models.indicators.engine import Aggregate, Clock, Measure, Scope
from models.indicators.sql import workday_seq_of
from models.service import ApprovalItem, Case

ONE = literal(1)
LIMIT_CUT = 0.30
"""Task 5: 办理时限在原承诺时限的基础上再压缩30% (``[indicators] limit_cut``)."""
BASELINE_DAYS = 365
"""Task 5, actual compression: the baseline is the cases completed in this many days before the
campaign's first day (``[indicators] compression_baseline_days``)."""
NO_TIME = cast(null(), UTCDateTime())
"""The ``at`` of rows that belong to no month (typed, so PostgreSQL can group by month on it)."""


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _in_period(column: Any, scope: Scope) -> Any:
    return and_(column >= scope.start, column < scope.end)


def _completed_cases(scope: Scope, num: Any) -> Select[Any]:
    return select(
        Case.unit_code.label("unit"), Case.completed_at.label("at"), num.label("num"), ONE.label("den")
    ).where(_in_period(Case.completed_at, scope))


def _accepted_cases(scope: Scope, num: Any) -> Select[Any]:
    return select(
        Case.unit_code.label("unit"), Case.accepted_at.label("at"), num.label("num"), ONE.label("den")
    ).where(_in_period(Case.accepted_at, scope))


def _retained_items(num: Any, den: Any = ONE) -> Select[Any]:
    return select(
        ApprovalItem.unit_code.label("unit"), NO_TIME.label("at"), num.label("num"), den.label("den")
    ).where(ApprovalItem.retained)


def on_time_rows(scope: Scope) -> Any:
    """Cases with a due time: those completed in the scope (num 1 when by their due time), and those
    due in the scope and still open at its end, or now if earlier (num 0, in the month they fell due)."""
    completed = _completed_cases(scope, _flag(Case.completed_at <= Case.due_at)).where(Case.due_at.is_not(None))
    overdue = select(
        Case.unit_code.label("unit"), Case.due_at.label("at"), literal(0).label("num"), ONE.label("den")
    ).where(
        or_(Case.completed_at.is_(None), Case.completed_at >= scope.end),
        Case.due_at >= scope.start,
        Case.due_at < literal(as_of(scope), UTCDateTime()),
    )
    return union_all(completed, overdue)


def one_time_notice_rows(scope: Scope) -> Select[Any]:
    """Accepted cases; num 1 when at most one supplement was requested (一次性告知)."""
    return _accepted_cases(scope, _flag(Case.supplement_count <= 1))


def satisfaction_rows(scope: Scope) -> Select[Any]:
    """Rated cases; num 1 when rated good."""
    return _completed_cases(scope, _flag(Case.rating == "good")).where(Case.rating.in_(("good", "bad")))


def courtesy_rows(scope: Scope) -> Select[Any]:
    """Rated cases handled at a window (the 五个一 service is given in person); num 1 when rated good."""
    return satisfaction_rows(scope).where(Case.channel == "window")


def network_coverage_rows(scope: Scope) -> Select[Any]:
    """Every township and street; num 1 when its 便民服务中心 handled a case in the period."""
    handled = exists().where(
        Case.point_unit_code == Unit.code,
        Case.point_level == "township",
        _in_period(Case.accepted_at, scope),
    )
    return select(Unit.code.label("unit"), NO_TIME.label("at"), _flag(handled).label("num"), ONE.label("den")).where(
        Unit.kind.in_((UnitKind.TOWNSHIP.value, UnitKind.STREET.value))
    )


def _with_both_limits() -> list[Any]:
    return [ApprovalItem.promised_days.is_not(None), ApprovalItem.original_promised_days > 0]


def cut_enough(scope: Scope) -> Any:
    """The item's current promised limit is at least ``limit_cut`` (30%) below its original one."""
    kept = 1.0 - scope.param("limit_cut", LIMIT_CUT)
    return ApprovalItem.promised_days <= ApprovalItem.original_promised_days * kept + 1e-9


def limit_compression_rows(scope: Scope) -> Select[Any]:
    """Retained items with both limits; num 1 when cut by at least 30%."""
    return _retained_items(_flag(cut_enough(scope))).where(*_with_both_limits())


def limit_days_rows(scope: Scope) -> Select[Any]:
    """Retained items with both limits; num current promised days, den original promised days."""
    return _retained_items(ApprovalItem.promised_days, ApprovalItem.original_promised_days).where(
        *_with_both_limits()
    )


def _taken() -> tuple[Any, Callable[[Select[Any]], Select[Any]]]:
    """The working days from a case's acceptance to its completion, and what joins a query on
    :class:`Case` to the calendar for it."""
    accepted, on_accepted = workday_seq_of(Case.accepted_at, "accepted_day")
    completed, on_completed = workday_seq_of(Case.completed_at, "completed_day")
    return completed.workday_seq - accepted.workday_seq, lambda query: query.join(accepted, on_accepted).join(
        completed, on_completed
    )


def baseline_window(scope: Scope) -> tuple[dt.datetime, dt.datetime]:
    """The baseline period of actual compression: ``compression_baseline_days`` before the campaign's
    first moment (the scope's start when the campaign's is unknown), up to it."""
    end = scope.campaign_start or scope.start
    return end - dt.timedelta(days=scope.param("compression_baseline_days", BASELINE_DAYS)), end


def _item_baselines(scope: Scope) -> Any:
    """Per item (source, item id): the mean working days of its cases completed in the baseline
    window and their number; items whose baseline mean is 0 days cannot be compressed and are left out."""
    start, end = baseline_window(scope)
    taken, with_calendar = _taken()
    mean = func.avg(cast(taken, Float))
    query = select(Case.source, Case.item_id, mean.label("mean"), func.count().label("cases")).select_from(Case)
    return (
        with_calendar(query)
        .where(Case.completed_at >= start, Case.completed_at < end)
        .group_by(Case.source, Case.item_id)
        .having(mean > 0)
        .cte("baselines")
    )


def actual_compression_rows(scope: Scope) -> Select[Any]:
    """Cases completed in the scope whose item has a baseline; x the working days taken over the
    item's baseline mean. The mean of x is the items' ratios (campaign mean ÷ baseline mean)
    weighted by their campaign-period case numbers, so 1 − mean(x) is the volume-weighted compression."""
    baselines = _item_baselines(scope)
    # Looked up per case (SQLite indexes the baselines for it) rather than joined, which SQLite would
    # plan as a pass over the period's cases per item.
    mean = select(baselines.c.mean).where(baselines.c.source == Case.source, baselines.c.item_id == Case.item_id)
    mean = mean.scalar_subquery()
    taken, with_calendar = _taken()
    query = select(Case.unit_code.label("unit"), Case.completed_at.label("at"), (cast(taken, Float) / mean).label("x"))
    return with_calendar(query).where(_in_period(Case.completed_at, scope), mean.is_not(None))


def original_limit_saving_rows(scope: Scope) -> Select[Any]:
    """Completed cases; x the working days taken over the item's original promised days."""
    taken, with_calendar = _taken()
    query = select(
        Case.unit_code.label("unit"),
        Case.completed_at.label("at"),
        (cast(taken, Float) / ApprovalItem.original_promised_days).label("x"),
    ).join(ApprovalItem, and_(ApprovalItem.source == Case.source, ApprovalItem.external_id == Case.item_id))
    return with_calendar(query).where(_in_period(Case.completed_at, scope), ApprovalItem.original_promised_days > 0)


@dataclass(frozen=True)
class ItemCompression:
    """An item of actual compression: its baseline and campaign-period cases and mean working days."""

    unit: str | None
    name: str
    baseline_cases: int
    baseline_days: float
    cases: int
    days: float

    @property
    def compression(self) -> float:
        return 1.0 - self.days / self.baseline_days


def compression_items(session: Session, scope: Scope) -> list[ItemCompression]:
    """The items actual compression is computed over (cases in both periods), most campaign cases first."""
    baselines = _item_baselines(scope)
    taken, with_calendar = _taken()
    query = select(
        ApprovalItem.unit_code, ApprovalItem.name, baselines.c.cases, baselines.c.mean,
        func.count(), func.avg(cast(taken, Float)),
    ).select_from(Case)
    # ``|| ''`` keeps SQLite from reading the period's cases once per item by their source (which every
    # case shares): it reads them once by completion time and finds each one's item among the baselines.
    on_baseline = and_(baselines.c.source == Case.source.concat(""), baselines.c.item_id == Case.item_id)
    on_item = and_(ApprovalItem.source == Case.source, ApprovalItem.external_id == Case.item_id)
    rows = session.execute(
        with_calendar(query.join(baselines, on_baseline).join(ApprovalItem, on_item))
        .where(_in_period(Case.completed_at, scope))
        .group_by(ApprovalItem.id, ApprovalItem.unit_code, ApprovalItem.name, baselines.c.cases, baselines.c.mean)
        .order_by(func.count().desc(), ApprovalItem.name)
    )
    return [ItemCompression(unit, name, base_n, float(base), n, float(mean))
            for unit, name, base_n, base, n, mean in rows]


@dataclass(frozen=True)
class LimitItem:
    """A retained item's original and current promised limits (working days)."""

    unit: str | None
    name: str
    original_days: int
    promised_days: int

    @property
    def cut(self) -> float:
        return 1.0 - self.promised_days / self.original_days


def items_short_of_cut(session: Session, scope: Scope) -> list[LimitItem]:
    """Retained items whose promised limit is cut by less than 30%, least cut first."""
    query = (
        select(ApprovalItem.unit_code, ApprovalItem.name, ApprovalItem.original_promised_days,
               ApprovalItem.promised_days)
        .where(ApprovalItem.retained, *_with_both_limits(), ~cut_enough(scope))
        .order_by(ApprovalItem.unit_code, ApprovalItem.name)
    )
    items = [LimitItem(*row) for row in session.execute(query)]
    return sorted(items, key=lambda item: item.cut)


def in_center_rows(scope: Scope) -> Select[Any]:
    """Items required to be in the centre (四到位); num 1 when they are."""
    return _retained_items(_flag(ApprovalItem.in_center)).where(ApprovalItem.in_center_required)


def _agency_projects(scope: Scope) -> Any:
    return (
        select(
            Case.agency_project_id.label("project"),
            func.min(Case.accepted_at).label("first_accepted"),
            func.max(Case.completed_at).label("last_completed"),
            (func.count() - func.count(Case.completed_at)).label("open_cases"),
        )
        .where(Case.agency_project_id.is_not(None))
        .group_by(Case.agency_project_id)
        .having(_in_period(func.min(Case.accepted_at), scope))
        .subquery("projects")
    )


def agency_project_rows(scope: Scope) -> Select[Any]:
    """Key projects under agency service (代办), one row each, in the month of first acceptance."""
    projects = _agency_projects(scope)
    return select(null().label("unit"), projects.c.first_accepted.label("at"), ONE.label("num"))


def agency_days_rows(scope: Scope) -> Select[Any]:
    """Finished agency projects; x the working days from first acceptance to last approval."""
    projects = _agency_projects(scope)
    first, on_first = workday_seq_of(projects.c.first_accepted, "first_day")
    last, on_last = workday_seq_of(projects.c.last_completed, "last_day")
    return (
        select(
            null().label("unit"),
            projects.c.first_accepted.label("at"),
            (last.workday_seq - first.workday_seq).label("x"),
        )
        .select_from(projects)
        .join(first, on_first)
        .join(last, on_last)
        .where(projects.c.open_cases == 0)
    )


def online_case_rows(scope: Scope) -> Select[Any]:
    """Accepted cases; num 1 when applied for online."""
    return _accepted_cases(scope, _flag(Case.channel == "online"))


def online_item_rows(scope: Scope) -> Select[Any]:
    """Retained items; num 1 when they can be applied for online."""
    return _retained_items(_flag(ApprovalItem.online))


CASES, ITEMS = (Case.__tablename__,), (ApprovalItem.__tablename__,)
"""What a measure's rows come from one row of (:attr:`Measure.months_from`)."""


def _steady(aggregate: Aggregate, rows: Callable[[Scope], Any], months_from: tuple[str, ...] = ()) -> Measure:
    """A measure that does not depend on the time now."""
    return Measure(aggregate, rows, months_from=months_from, clock=Clock.NONE)


MEASURES: dict[str, Measure] = {
    "T04.on_time_rate": Measure(Aggregate.RATIO, on_time_rows, months_from=CASES, clock=Clock.DUE),
    "T04.one_time_notice_rate": _steady(Aggregate.RATIO, one_time_notice_rows, CASES),
    "T03.courtesy_rating": _steady(Aggregate.RATIO, courtesy_rows, CASES),
    "T04.satisfaction": _steady(Aggregate.RATIO, satisfaction_rows, CASES),
    "T04.network_coverage": _steady(Aggregate.RATIO, network_coverage_rows),
    "T05.limit_compression": _steady(Aggregate.RATIO, limit_compression_rows, ITEMS),
    "T05.limit_days_compression": _steady(Aggregate.COMPLEMENT_RATIO, limit_days_rows, ITEMS),
    "T05.actual_compression": Measure(Aggregate.COMPLEMENT_MEAN, actual_compression_rows, months_from=CASES,
                                      baseline=baseline_window, clock=Clock.NONE),
    "T05.original_limit_saving": _steady(Aggregate.COMPLEMENT_MEAN, original_limit_saving_rows, CASES),
    "T05.in_center_rate": _steady(Aggregate.RATIO, in_center_rows, ITEMS),
    "T06.agency_projects": _steady(Aggregate.COUNT, agency_project_rows),
    "T06.agency_days": _steady(Aggregate.MEDIAN, agency_days_rows),
    "T08.online_case_share": _steady(Aggregate.RATIO, online_case_rows, CASES),
    "T08.online_item_share": _steady(Aggregate.RATIO, online_item_rows, ITEMS),
}
"""The service-centre measures, by indicator id."""
