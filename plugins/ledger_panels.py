"""The units page's tables from the ledgers, as panels: the duties every unit owes by their phase
deadlines (per unit, and per duty), the overdue rectification items and the task-11 ranking of the
key law-enforcement departments."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from collectors import UnitPanel
from models.indicators import Scope
from plugins.ledger_views import (
    DutyCell,
    DutyState,
    duty_matrix,
    duty_progress,
    key_enforcement_ranking,
    overdue_rectifications,
)

REQUIRED = "required"
DUTIES_PANEL = "phase_duties"
"""The key of the per-duty panel the overview's phase section shows."""
IN_PROGRESS = "评议进行中，{appraised}/{total} 已评"


def _month_day(cell: DutyCell) -> str:
    return f"{cell.done_on.month}月{cell.done_on.day}日" if cell.done_on else ""


def _cell_text(cell: DutyCell) -> str:
    """✓ 6月5日 (on time), 逾期 7月2日 (done late), 逾期未完成, 未到期."""
    if cell.state is DutyState.ON_TIME:
        return f"✓ {_month_day(cell)}"
    if cell.state is DutyState.LATE:
        return f"逾期 {_month_day(cell)}"
    return cell.state.value


def required_duty_rows(session: Session, scope: Scope, personal: bool) -> list[dict[str, Any]]:
    """Unit × every duty (done on time, late, overdue, not yet due), units short of the five required
    actions on time first."""
    matrix = duty_matrix(session, scope)
    rows = sorted(matrix.rows, key=lambda row: row.complete(matrix.duties, REQUIRED))
    return [
        {"单位": row.name, **{duty.name: _cell_text(row.cells[duty.key]) for duty in matrix.duties},
         "五项规定动作": "按期完成" if row.complete(matrix.duties, REQUIRED) else "未按期完成"}
        for row in rows
    ]


def phase_duty_rows(session: Session, scope: Scope, personal: bool) -> list[dict[str, Any]]:
    """Per duty, in the campaign's order: its phase, deadline, who owes it and how many units stand where."""
    matrix = duty_matrix(session, scope)
    return [
        {"阶段": progress.duty.phase, "规定动作": progress.duty.name, "截止日期": progress.duty.deadline,
         "责任单位": f"全部{len(matrix.rows)}个单位",
         **{state.value: progress.counts[state] for state in DutyState}}
        for progress in duty_progress(matrix)
    ]


def overdue_rows(session: Session, scope: Scope, personal: bool) -> list[dict[str, Any]]:
    """Rectification items past their 时限 and not done, longest overdue first; 责任人 only with ``personal``."""
    return [
        {"单位": item.unit_name, "问题": item.problem, "时限": item.deadline, "逾期天数": item.days_overdue,
         **({"责任人": item.owner} if personal else {})}
        for item in overdue_rectifications(session, scope, personal=personal)
    ]


def ranking_rows(session: Session, scope: Scope, personal: bool) -> list[dict[str, Any]]:
    """The 11 key law-enforcement departments by mean 政风行风评议 score. Once all are appraised the
    first are marked 通报表扬 and the last three 诫勉谈话 · 限期整改; until then every row says how
    many are appraised."""
    ranking = key_enforcement_ranking(session, scope)
    pending = IN_PROGRESS.format(appraised=ranking.appraised, total=len(ranking.departments))
    return [
        {"名次": department.rank, "单位": department.name,
         "平均得分": None if department.score is None else round(department.score, 2),
         "评议人次": department.ratings,
         "处理": (department.flag or "") if ranking.complete else pending}
        for department in ranking.departments
    ]


PANELS = [
    UnitPanel("required_duties", "规定动作按期完成情况", required_duty_rows),
    UnitPanel(DUTIES_PANEL, "各阶段规定动作进度", phase_duty_rows),
    UnitPanel("overdue_rectification", "逾期未完成的整改事项", overdue_rows),
    UnitPanel("enforcement_ranking", "重点执法部门政风行风评议排名（任务11）", ranking_rows),
]
