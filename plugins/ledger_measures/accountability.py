"""Measures over the accountability ledger (问责记录): tasks 13 and 18.

An accountability row belongs to the unit held to account and counts when dated in the
scope. Its 关联投诉编号 lists complaint ids (a complaint's ``external_id``, the source's
工单编号 or request id) separated by commas, 、 or semicolons, full-width or not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, String, Text, and_, cast, func, literal, select

from models.complaints import Complaint
from models.indicators.engine import Aggregate, Measure, Scope
from models.indicators.service import ONE
from models.indicators.sql import position_of
from plugins.ledger_measures.common import LEDGERS, dated_rows, flag, uploaded

ACCOUNTABILITY = LEDGERS["accountability"]
WARNING = "效能告诫"
SEPARATORS = ("，", "、", ";", "；", " ", "　")
"""Written between complaint ids besides the comma (each becomes a comma; spaces go)."""


def _id_list(ids: Any) -> ColumnElement[str]:
    """``,id1,id2,``: the ids of a 关联投诉编号 cell, each between two commas."""
    for separator in SEPARATORS:
        ids = func.replace(ids, separator, "" if separator.isspace() else ",", type_=String)
    return literal(",", String) + ids + literal(",", String)


def named_ids() -> Select[Any]:
    """Every complaint id the accountability rows name, one row each.

    Each ``,id1,id2,`` list is cut at its commas by a recursive query, so that a complaint is
    looked up among the ids once rather than each list searched once per complaint.
    """
    lists = select(
        cast(func.substr(_id_list(ACCOUNTABILITY.c.complaint_ids), 2), Text).label("rest"),
        cast(literal(""), Text).label("id"),
    ).where(ACCOUNTABILITY.c.complaint_ids.is_not(None))
    split = lists.cte("named_ids", recursive=True)
    comma = position_of(split.c.rest, literal(",", String))
    split = split.union_all(
        select(
            cast(func.substr(split.c.rest, comma + 1), Text).label("rest"),
            cast(func.substr(split.c.rest, 1, comma - 1), Text).label("id"),
        ).where(split.c.rest != "")
    )
    return select(split.c.id).where(split.c.id != "")


def actioned(complaint_id: ColumnElement[str]) -> ColumnElement[bool]:
    """Some accountability row names the complaint ``complaint_id``."""
    return complaint_id.in_(named_ids())


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
