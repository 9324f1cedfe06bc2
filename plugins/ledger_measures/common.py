"""What the ledger measures share: the ledger tables, dates against the scope, unit sets, coverage.

Ledger dates are local calendar dates. A dated row is in the scope when its date falls on
one of the scope's local days. Deadlines are judged **as of** the scope's end, or today
when the scope has not ended (:func:`models.indicators.complaints.as_of`): a deadline has
passed when it is earlier than that day.

A measure whose rows come from the units (coverage) or the campaign (the baseline of task
10) rather than from the ledger itself has no rows until its ledger holds a row: nobody
having uploaded yet is no data, not 0%.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Select, and_, case, exists, select, true

from models.campaign import TaskUnit, Unit
from models.indicators.complaints import as_of
from models.indicators.engine import Aggregate, Measure, Scope
from models.indicators.service import NO_TIME, ONE
from models.indicators.sql import LOCAL_OFFSET_HOURS
from plugins.unit_uploads import TEMPLATES

LEDGERS: dict[str, sa.Table] = {template.id: template.table for template in TEMPLATES}
"""The ledger table of every campaign template, by template id."""

Condition = Callable[[Scope], ColumnElement[bool]]
"""A condition for a scope: on :class:`Unit` (correlated with ``Unit.code``) or on a ledger's rows."""


def flag(condition: Any) -> Any:
    """1 where ``condition`` holds, else 0."""
    return case((condition, 1), else_=0)


def local_day(moment: dt.datetime) -> dt.date:
    """The local calendar date of an aware time."""
    return (moment.astimezone(dt.UTC) + dt.timedelta(hours=LOCAL_OFFSET_HOURS)).date()


def in_scope(day: ColumnElement[Any], scope: Scope) -> ColumnElement[bool]:
    """A date column on one of the scope's local days."""
    return and_(day >= local_day(scope.start), day < local_day(scope.end))


def before_end(day: ColumnElement[Any], scope: Scope) -> ColumnElement[bool]:
    """A date column on a local day before the scope ends (published by then, however long ago)."""
    return day < local_day(scope.end)


def judged_on(scope: Scope) -> dt.date:
    """The day deadlines are judged on: a deadline earlier than it has passed."""
    return local_day(as_of(scope))


def uploaded(ledger: sa.Table) -> ColumnElement[bool]:
    """True once the ledger holds any row."""
    return exists(select(ledger.c.id))


def responsible_for(task_no: int) -> Condition:
    """The units the campaign names as responsible for task ``task_no``."""
    named = select(TaskUnit.unit_code).where(TaskUnit.task_no == task_no, TaskUnit.role == "responsible")
    return lambda scope: Unit.code.in_(named)


def every_unit(scope: Scope) -> ColumnElement[bool]:
    """Every unit of the campaign (the duties every unit owes)."""
    return true()


def units_with(*flags: Any) -> Condition:
    """The units with any of the boolean columns ``flags`` of :class:`Unit` set."""
    return lambda scope: sa.or_(*(column.is_(True) for column in flags))


def coverage(units: Condition, ledger: sa.Table, covered: Condition) -> Measure:
    """Share of ``units`` for which ``covered`` holds: one row per unit, num 0 or 1.

    No rows (no data) until ``ledger`` holds a row.
    """

    def rows(scope: Scope) -> Select[Any]:
        return select(
            Unit.code.label("unit"), NO_TIME.label("at"), flag(covered(scope)).label("num"), ONE.label("den")
        ).where(units(scope), uploaded(ledger))

    return Measure(Aggregate.RATIO, rows)


def has_row(ledger: sa.Table, *conditions: Condition) -> Condition:
    """The unit has a row of ``ledger`` (its ``unit`` column naming it) meeting every condition."""
    return lambda scope: exists().where(ledger.c.unit == Unit.code, *(condition(scope) for condition in conditions))


def dated_rows(ledger: sa.Table, day: str, scope: Scope, num: Any, den: Any = ONE) -> Select[Any]:
    """The rows of ``ledger`` whose column ``day`` falls in the scope, each in its ``unit`` and that day's month."""
    column = ledger.c[day]
    return select(
        ledger.c.unit.label("unit"), column.label("at"), num.label("num"), den.label("den")
    ).where(in_scope(column, scope))
