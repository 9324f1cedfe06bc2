"""Measures over the accountability ledger (问责记录): tasks 13 and 18.

An accountability row belongs to the unit held to account and counts when dated in the
scope. Its 关联投诉编号 lists complaint ids (a complaint's ``external_id``, the source's
工单编号 or request id) separated by commas, 、 or semicolons, full-width or not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, exists, func, literal, select

from models.complaints import Complaint
from models.indicators.engine import Aggregate, Measure, Scope
from models.indicators.service import ONE
from models.indicators.sql import contains_text
from plugins.ledger_measures.common import LEDGERS, dated_rows, flag, uploaded

ACCOUNTABILITY = LEDGERS["accountability"]
WARNING = "效能告诫"
SEPARATORS = ("，", "、", ";", "；", " ", "　")
"""Written between complaint ids besides the comma (each becomes a comma; spaces go)."""


def _id_list(ids: Any) -> ColumnElement[str]:
    """``,id1,id2,``: the ids of a 关联投诉编号 cell between commas, so that ``,id,`` finds one whole."""
    for separator in SEPARATORS:
        ids = func.replace(ids, separator, "" if separator.isspace() else ",", type_=String)
    return literal(",", String) + ids + literal(",", String)


def actioned(complaint_id: ColumnElement[str]) -> ColumnElement[bool]:
    """Some accountability row names the complaint ``complaint_id``."""
    wanted = literal(",", String) + complaint_id + literal(",", String)
    return exists().where(contains_text(_id_list(ACCOUNTABILITY.c.complaint_ids), wanted))


def verified_actioned_rows(scope: Scope) -> Select[Any]:
    """Verified (查实) complaints received in the scope; num 1 when an accountability row names them.

    No rows until the accountability ledger holds a row.
    """
    received = and_(Complaint.received_at >= scope.start, Complaint.received_at < scope.end)
    return select(
        Complaint.unit_code.label("unit"), Complaint.received_at.label("at"),
        flag(actioned(Complaint.external_id)).label("num"), ONE.label("den"),
    ).where(Complaint.verified.is_(True), received, uploaded(ACCOUNTABILITY))


def action_rows(scope: Scope) -> Select[Any]:
    """Accountability actions, one row each."""
    return dated_rows(ACCOUNTABILITY, "date", scope, ONE)


def warning_rows(scope: Scope) -> Select[Any]:
    """效能告诫 issued, one row each."""
    return action_rows(scope).where(ACCOUNTABILITY.c.method == WARNING)


MEASURES: dict[str, Measure] = {
    "T13.warnings": Measure(Aggregate.COUNT, warning_rows, uploaded(ACCOUNTABILITY)),
    "T18.verified_actioned_rate": Measure(Aggregate.RATIO, verified_actioned_rows),
    "T18.actions": Measure(Aggregate.COUNT, action_rows, uploaded(ACCOUNTABILITY)),
}
"""The accountability measures, by indicator id."""
