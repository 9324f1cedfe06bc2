"""The units page's tables from the ledgers, as panels: the five-ones matrix, the overdue
rectification items and the task-11 ranking of the key law-enforcement departments."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from collectors import UnitPanel
from models.indicators import Scope
from plugins.ledger_views import five_ones_matrix, key_enforcement_ranking, overdue_rectifications

HELD, MISSING = "✓", "—"


def five_ones_rows(session: Session, scope: Scope, personal: bool) -> list[dict[str, Any]]:
    """Unit × the five duties (✓ held in the period), incomplete units first."""
    matrix = five_ones_matrix(session, scope)
    rows = sorted(matrix.rows, key=lambda row: row.complete)
    return [
        {"单位": row.name, **{name: HELD if row.held[key] else MISSING for key, name in matrix.duties.items()},
         "五个一": "已完成" if row.complete else "未完成"}
        for row in rows
    ]


def overdue_rows(session: Session, scope: Scope, personal: bool) -> list[dict[str, Any]]:
    """Rectification items past their 时限 and not done, longest overdue first; 责任人 only with ``personal``."""
    return [
        {"单位": item.unit_name, "问题": item.problem, "时限": item.deadline, "逾期天数": item.days_overdue,
         **({"责任人": item.owner} if personal else {})}
        for item in overdue_rectifications(session, scope, personal=personal)
    ]


def ranking_rows(session: Session, scope: Scope, personal: bool) -> list[dict[str, Any]]:
    """The 11 key law-enforcement departments by mean 政风行风评议 score; the last three flagged."""
    return [
        {"名次": department.rank, "单位": department.name,
         "平均得分": None if department.score is None else round(department.score, 2),
         "评议人次": department.ratings, "处理": department.flag or ""}
        for department in key_enforcement_ranking(session, scope)
    ]


PANELS = [
    UnitPanel("five_ones", "“五个一”完成情况", five_ones_rows),
    UnitPanel("overdue_rectification", "逾期未完成的整改事项", overdue_rows),
    UnitPanel("enforcement_ranking", "重点执法部门政风行风评议排名（任务11）", ranking_rows),
]
