"""Measures over complaints (tasks 12, 13, 14, 15 and 18).

Every row is a complaint received in the scope; it falls in the month it was received
and belongs to the unit complained about.

Deadlines are judged **as of** the end of the scope, or now when the scope has not
ended yet (so a past year's values never change, and this year's are today's):

- *due* (task 13–15 denominators): the complaint has a deadline, and the deadline has
  passed as of then or the complaint was closed by then;
- *handled within the deadline*: closed no later than its deadline;
- *past its deadline* (task 18): the deadline has passed as of then, closed or not.

Complaints without a deadline are in the counts but not in the rates that need one, and
complaints without a follow-up rating (回访满意度) are not in the follow-up satisfaction.
No measure reads a personal column (see :func:`models.complaints.personal_columns`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select

from models.base import UTCDateTime, utcnow
from models.complaints import SATISFACTION, Complaint
from models.indicators.engine import Aggregate, Clock, Measure, Scope

ONE = literal(1)

TASK_CATEGORIES = {
    "T13": ("lax",),
    "T14": ("obstruction",),
    "T15": ("inaction", "misconduct"),
}
"""The complaint categories each task of the 效能亮剑 action deals with."""


def as_of(scope: Scope) -> dt.datetime:
    """The moment deadlines are judged at: the scope's end, or now if that is earlier."""
    return min(scope.end, utcnow())


def _moment(scope: Scope) -> ColumnElement[Any]:
    return literal(as_of(scope), UTCDateTime())


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _received(scope: Scope, num: Any) -> Select[Any]:
    """Complaints received in the scope, with ``num`` and a ``den`` of 1."""
    return select(
        Complaint.unit_code.label("unit"), Complaint.received_at.label("at"), num.label("num"), ONE.label("den")
    ).where(Complaint.received_at >= scope.start, Complaint.received_at < scope.end)


def complaint_rows(categories: tuple[str, ...]) -> Callable[[Scope], Select[Any]]:
    """Complaints of ``categories``, one row each."""

    def rows(scope: Scope) -> Select[Any]:
        return _received(scope, ONE).where(Complaint.category.in_(categories))

    return rows


def handled_rows(categories: tuple[str, ...]) -> Callable[[Scope], Select[Any]]:
    """Complaints of ``categories`` that are due; num 1 when closed within their deadline."""

    def rows(scope: Scope) -> Select[Any]:
        moment = _moment(scope)
        within = and_(Complaint.closed_at.is_not(None), Complaint.closed_at <= Complaint.deadline_at)
        return _received(scope, _flag(within)).where(
            Complaint.category.in_(categories),
            Complaint.deadline_at.is_not(None),
            or_(Complaint.deadline_at <= moment, Complaint.closed_at <= moment),
        )

    return rows


SATISFIED = ("satisfied", "basically_satisfied")
"""The follow-up answers that count as satisfied (满意、基本满意), as the 12345 assessment counts them."""


def callback_rows(categories: tuple[str, ...] | None) -> Callable[[Scope], Select[Any]]:
    """Complaints of ``categories`` (None: every category) with a follow-up rating (回访满意度);
    num 1 when satisfied or basically satisfied."""

    def rows(scope: Scope) -> Select[Any]:
        query = _received(scope, _flag(Complaint.satisfaction.in_(SATISFIED))).where(
            Complaint.satisfaction.in_(tuple(SATISFACTION))
        )
        return query if categories is None else query.where(Complaint.category.in_(categories))

    return rows


CALLBACK_SATISFACTION = Measure(Aggregate.RATIO, callback_rows(None), months_from=(Complaint.__tablename__,),
                                clock=Clock.NONE)
"""回访满意率 over every complaint (the bulletin's figure)."""


def followup_rows(scope: Scope) -> Select[Any]:
    """Problems raised on the 政风行风热线 radio programme; num 1 when closed."""
    return _received(scope, _flag(Complaint.status == "closed")).where(Complaint.channel == "radio")


def traced_rows(scope: Scope) -> Select[Any]:
    """Complaints past their deadline; num 1 when closed with a finding (查实 or not, or an outcome)."""
    finding = or_(Complaint.verified.is_not(None), func.length(func.trim(Complaint.outcome)) > 0)
    traced = and_(Complaint.status == "closed", finding)
    return _received(scope, _flag(traced)).where(Complaint.deadline_at <= _moment(scope))


COMPLAINTS = (Complaint.__tablename__,)
"""Every row of a complaint measure comes from one complaint, in the month it was received."""


def _measure(aggregate: Aggregate, rows: Callable[[Scope], Select[Any]], clock: Clock = Clock.NONE) -> Measure:
    return Measure(aggregate, rows, months_from=COMPLAINTS, clock=clock)


MEASURES: dict[str, Measure] = {
    "T12.followup_rate": _measure(Aggregate.RATIO, followup_rows),
    **{f"{task}.complaints": _measure(Aggregate.COUNT, complaint_rows(cats)) for task, cats in TASK_CATEGORIES.items()},
    **{  # a deadline passes now and then, in the month the complaint was received
        f"{task}.handled_rate": _measure(Aggregate.RATIO, handled_rows(cats), Clock.ALL)
        for task, cats in TASK_CATEGORIES.items()
    },
    **{
        f"{task}.callback_satisfaction": _measure(Aggregate.RATIO, callback_rows(cats))
        for task, cats in TASK_CATEGORIES.items()
    },
    "T18.traced_rate": _measure(Aggregate.RATIO, traced_rows, Clock.ALL),
}
"""The complaint measures, by indicator id. ``T18.verified_actioned_rate`` and
``T18.actions`` need the accountability records of the office uploads and live there."""
