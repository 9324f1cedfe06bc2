"""Measures over service-centre items and cases (tasks 4, 5, 6 and 8)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, exists, func, literal, null, select

from models.base import UTCDateTime
from models.campaign import Unit, UnitKind
from models.indicators.engine import Aggregate, Measure, Scope
from models.indicators.sql import workday_seq_of
from models.service import ApprovalItem, Case

ONE = literal(1)
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


def on_time_rows(scope: Scope) -> Select[Any]:
    """Completed cases; num 1 when completed by their due time."""
    return _completed_cases(scope, _flag(Case.completed_at <= Case.due_at)).where(Case.due_at.is_not(None))


def one_time_notice_rows(scope: Scope) -> Select[Any]:
    """Accepted cases; num 1 when at most one supplement was requested (一次性告知)."""
    return _accepted_cases(scope, _flag(Case.supplement_count <= 1))


def satisfaction_rows(scope: Scope) -> Select[Any]:
    """Rated cases; num 1 when rated good."""
    return _completed_cases(scope, _flag(Case.rating == "good")).where(Case.rating.in_(("good", "bad")))


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


def limit_compression_rows(scope: Scope) -> Select[Any]:
    """Retained items with both limits; num current promised days, den original promised days."""
    return _retained_items(ApprovalItem.promised_days, ApprovalItem.original_promised_days).where(
        ApprovalItem.promised_days.is_not(None), ApprovalItem.original_promised_days > 0
    )


def actual_compression_rows(scope: Scope) -> Select[Any]:
    """Completed cases; x the working days taken over the item's original promised days."""
    accepted, on_accepted = workday_seq_of(Case.accepted_at, "accepted_day")
    completed, on_completed = workday_seq_of(Case.completed_at, "completed_day")
    taken = completed.workday_seq - accepted.workday_seq
    return (
        select(
            Case.unit_code.label("unit"),
            Case.completed_at.label("at"),
            (cast(taken, Float) / ApprovalItem.original_promised_days).label("x"),
        )
        .join(ApprovalItem, and_(ApprovalItem.source == Case.source, ApprovalItem.external_id == Case.item_id))
        .join(accepted, on_accepted)
        .join(completed, on_completed)
        .where(_in_period(Case.completed_at, scope), ApprovalItem.original_promised_days > 0)
    )


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


MEASURES: dict[str, Measure] = {
    "T04.on_time_rate": Measure(Aggregate.RATIO, on_time_rows),
    "T04.one_time_notice_rate": Measure(Aggregate.RATIO, one_time_notice_rows),
    "T04.satisfaction": Measure(Aggregate.RATIO, satisfaction_rows),
    "T04.network_coverage": Measure(Aggregate.RATIO, network_coverage_rows),
    "T05.limit_compression": Measure(Aggregate.COMPLEMENT_RATIO, limit_compression_rows),
    "T05.actual_compression": Measure(Aggregate.COMPLEMENT_MEAN, actual_compression_rows),
    "T05.in_center_rate": Measure(Aggregate.RATIO, in_center_rows),
    "T06.agency_projects": Measure(Aggregate.COUNT, agency_project_rows),
    "T06.agency_days": Measure(Aggregate.MEDIAN, agency_days_rows),
    "T08.online_case_share": Measure(Aggregate.RATIO, online_case_rows),
    "T08.online_item_share": Measure(Aggregate.RATIO, online_item_rows),
}
"""The service-centre measures, by indicator id."""
