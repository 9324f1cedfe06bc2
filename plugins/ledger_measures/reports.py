"""Measures over the ledgers units report once or now and then: tasks 2, 3, 9, 11, 15, 16, public
commitments and the evaluation.

Badges, inspections, honours, appraisals, commitments and monitoring points count when dated in
the scope; a disclosure catalogue or a power list counts when published before the scope ends.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Select, and_, exists, func, null, select

from models.campaign import Unit
from models.indicators.engine import Aggregate, Measure, Scope
from models.indicators.service import NO_TIME, ONE
from plugins.ledger_measures.common import (
    LEDGERS,
    Condition,
    before_end,
    coverage,
    dated_rows,
    every_unit,
    flag,
    has_row,
    in_scope,
    responsible_for,
    units_with,
    uploaded,
)

BADGES = LEDGERS["badges"]
INSPECTIONS = LEDGERS["inspections"]
HONOURS = LEDGERS["honours"]
DISCLOSURES = LEDGERS["disclosures"]
APPRAISALS = LEDGERS["appraisals"]
POWER_LISTS = LEDGERS["power_lists"]
MONITORING_POINTS = LEDGERS["monitoring_points"]
COMMITMENTS = LEDGERS["commitments"]
ATTITUDE = "服务态度"
CONDUCT_APPRAISAL = "政风行风评议"
EVALUATION = "民主测评"
WINDOW_OR_ENFORCEMENT = units_with(Unit.window, Unit.enforcement)


def badge_rows(scope: Scope) -> Select[Any]:
    """Window and law-enforcement departments' latest report in the scope; num 挂牌人数, den 在岗人数."""
    latest = func.row_number().over(partition_by=BADGES.c.unit, order_by=(BADGES.c.date.desc(), BADGES.c.id.desc()))
    reports = (
        select(BADGES.c.unit, BADGES.c.badged, BADGES.c.on_duty, latest.label("recency"))
        .join(Unit, Unit.code == BADGES.c.unit)
        .where(WINDOW_OR_ENFORCEMENT(scope), in_scope(BADGES.c.date, scope))
        .subquery("reports")
    )
    return select(
        reports.c.unit, NO_TIME.label("at"), reports.c.badged.label("num"), reports.c.on_duty.label("den")
    ).where(reports.c.recency == 1)


def inspection_rows(scope: Scope) -> Select[Any]:
    """Inspection findings, in the inspected unit; num 1 when rectified (是否整改 = 是)."""
    return dated_rows(INSPECTIONS, "date", scope, flag(INSPECTIONS.c.rectified.is_(True)))


def attitude_finding_rows(scope: Scope) -> Select[Any]:
    """Inspection findings on 服务态度 (the 五个一 service not given), one row each."""
    return dated_rows(INSPECTIONS, "date", scope, ONE).where(INSPECTIONS.c.problem_type == ATTITUDE)


def honour_rows(scope: Scope) -> Select[Any]:
    """Honours awarded, one row each."""
    return dated_rows(HONOURS, "date", scope, ONE)


def evaluation_rows(scope: Scope) -> Select[Any]:
    """民主测评 ratings, one per rater category; num the score, den 1 (so the ratio is the mean)."""
    return dated_rows(APPRAISALS, "date", scope, APPRAISALS.c.score).where(APPRAISALS.c.category == EVALUATION)


def monitoring_point_rows(scope: Scope) -> Select[Any]:
    """Monitoring points set up in the scope, one row per enterprise (the ledger names no unit)."""
    set_up = func.min(MONITORING_POINTS.c.set_up_on)
    return (
        select(null().label("unit"), set_up.label("at"), ONE.label("num"))
        .group_by(MONITORING_POINTS.c.enterprise)
        .having(in_scope(set_up, scope))
    )


def published(ledger: sa.Table) -> Condition:
    """A catalogue or list row published (公开日期, 公布日期) before the scope ends."""
    return lambda scope: before_end(ledger.c.published_on, scope)


def appraised(scope: Scope) -> ColumnElement[bool]:
    """An appraisal row of the 政风行风评议 dated in the scope."""
    return and_(APPRAISALS.c.category == CONDUCT_APPRAISAL, in_scope(APPRAISALS.c.date, scope))


def every_item_benchmarked(scope: Scope) -> ColumnElement[bool]:
    """The unit (``Unit.code``) published a power list, and every item of it published before the scope
    ends has a discretion benchmark (自由裁量基准 = 有)."""
    listed = and_(POWER_LISTS.c.unit == Unit.code, before_end(POWER_LISTS.c.published_on, scope))
    return and_(exists().where(listed), ~exists().where(listed, POWER_LISTS.c.discretion.is_not(True)))


def committed(scope: Scope) -> ColumnElement[bool]:
    """A public commitment (公开承诺) dated in the scope."""
    return in_scope(COMMITMENTS.c.date, scope)


MEASURES: dict[str, Measure] = {
    "T02.badge_rate": Measure(Aggregate.RATIO, badge_rows),
    "T02.inspection_fix_rate": Measure(Aggregate.RATIO, inspection_rows),
    "T03.honours": Measure(Aggregate.COUNT, honour_rows, uploaded(HONOURS)),
    "T09.catalog_coverage": coverage(responsible_for(9), DISCLOSURES, has_row(DISCLOSURES, published(DISCLOSURES))),
    "T11.appraised": coverage(units_with(Unit.key_enforcement), APPRAISALS, has_row(APPRAISALS, appraised)),
    "T15.monitoring_points": Measure(Aggregate.COUNT, monitoring_point_rows, uploaded(MONITORING_POINTS)),
    "T03.attitude_findings": Measure(Aggregate.COUNT, attitude_finding_rows, uploaded(INSPECTIONS)),
    "T16.power_list_coverage": coverage(units_with(Unit.enforcement), POWER_LISTS, every_item_benchmarked),
    "X.commitments": coverage(every_unit, COMMITMENTS, has_row(COMMITMENTS, committed)),
    "X.evaluation": Measure(Aggregate.RATIO, evaluation_rows),
}
"""The measures over these ledgers, by indicator id."""
