"""Measures over the progress ledgers, 任务分解 and 整改台账: task 17 and rectification.

Both ledgers are reported for the whole campaign and re-uploaded as they change, so they
hold each item's current state. An item falls in the scope by its planned date (节点的计划
完成日期, 整改时限) and is *due* when that date has passed (see
:mod:`plugins.ledger_measures.common`) or the item is done already:

- a milestone is done when it has an 实际完成日期, and on time when that is no later than
  its planned date (a milestone marked 已完成 without the date is due but not on time);
- a rectification item is done when its 状态 is 已完成, and *overdue* when its 时限 has
  passed and it is not done; a done item is *verified* when its 整改效果 is written and the
  office's check of it is recorded (效果核验 = 是). Done items count by their 完成日期, or
  their 时限 when that is not given.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from models.indicators.engine import Aggregate, Measure, Scope
from models.indicators.service import ONE
from plugins.ledger_measures.common import (
    LEDGERS,
    coverage,
    dated_rows,
    flag,
    has_row,
    in_scope,
    judged_on,
    responsible_for,
    uploaded,
)

BREAKDOWN = LEDGERS["task_breakdown"]
RECTIFICATION = LEDGERS["rectification"]
RECTIFIED = RECTIFICATION.c.status == "已完成"


def overdue(scope: Scope) -> ColumnElement[bool]:
    """A rectification item with a 时限 in the scope that has passed undone."""
    deadline = RECTIFICATION.c.deadline
    return and_(in_scope(deadline, scope), deadline < judged_on(scope), ~RECTIFIED)


def milestone_rows(scope: Scope) -> Select[Any]:
    """Milestones due; num 1 when done by their planned date."""
    planned, done = BREAKDOWN.c.planned_on, BREAKDOWN.c.done_on
    return dated_rows(BREAKDOWN, "planned_on", scope, flag(done <= planned)).where(
        or_(planned < judged_on(scope), done.is_not(None))
    )


def rectification_rows(scope: Scope) -> Select[Any]:
    """Rectification items due; num 1 when done."""
    return dated_rows(RECTIFICATION, "deadline", scope, flag(RECTIFIED)).where(or_(RECTIFIED, overdue(scope)))


def verified_rows(scope: Scope) -> Select[Any]:
    """Rectification items done in the scope (by 完成日期, else 时限); num 1 when their effect is
    written down and checked."""
    day = func.coalesce(RECTIFICATION.c.done_on, RECTIFICATION.c.deadline)
    effect = func.length(func.trim(func.coalesce(RECTIFICATION.c.effect, ""))) > 0
    checked = and_(effect, RECTIFICATION.c.effect_checked.is_(True))
    return select(
        RECTIFICATION.c.unit.label("unit"), day.label("at"), flag(checked).label("num"), ONE.label("den")
    ).where(RECTIFIED, in_scope(day, scope))


def overdue_rows(scope: Scope) -> Select[Any]:
    """Overdue rectification items, one row each."""
    return dated_rows(RECTIFICATION, "deadline", scope, ONE).where(overdue(scope))


MEASURES: dict[str, Measure] = {
    "T17.breakdown_coverage": coverage(responsible_for(17), BREAKDOWN, has_row(BREAKDOWN)),
    "T17.milestones_on_time": Measure(Aggregate.RATIO, milestone_rows),
    "X.rectification_done": Measure(Aggregate.RATIO, rectification_rows),
    "X.rectification_overdue": Measure(Aggregate.COUNT, overdue_rows, uploaded(RECTIFICATION)),
    "X.rectification_verified": Measure(Aggregate.RATIO, verified_rows),
}
"""The progress measures, by indicator id."""
