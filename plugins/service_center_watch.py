"""The service centre's headline numbers and alerts: cases past their due time, and due soon."""

from __future__ import annotations

from sqlalchemy.orm import Session

from collectors import Alert, AlertRule, Headline, Level, Watch, indicator_figure
from collectors.alerts import by_unit
from models.service import Case

SOURCE = "service_center"


def overdue_cases(session: Session, watch: Watch) -> list[Alert]:
    """A unit's cases not completed and past their due time: one red card per unit."""
    groups = by_unit(session, Case, Case.due_at, Case.completed_at.is_(None), Case.due_at < watch.now)
    return [
        Alert(Level.RED, "办件超期", f"{group.count} 件办件超过承诺时限未办结，最早已逾期 "
              f"{watch.workdays_since(group.earliest)} 个工作日", group.earliest, SOURCE, group.unit,
              "Cases overdue", f"{group.count} cases open past their promised time, the oldest by "
              f"{watch.workdays_since(group.earliest)} working days", "overdue_open")
        for group in groups
    ]


def cases_due_soon(session: Session, watch: Watch) -> list[Alert]:
    """A unit's open cases due by the end of the next working day: one yellow card per unit."""
    soon = watch.end_of_next_workday()
    groups = by_unit(
        session, Case, Case.due_at, Case.completed_at.is_(None), Case.due_at >= watch.now, Case.due_at < soon
    )
    return [
        Alert(Level.YELLOW, "办件临近时限", f"{group.count} 件办件将在一个工作日内到期", group.earliest, SOURCE, group.unit,
              "Cases due soon", f"{group.count} cases fall due within one working day")
        for group in groups
    ]


HEADLINES = [
    Headline("on_time_rate", "限时办结率", SOURCE, indicator_figure("T04.on_time_rate"), 10, "On-time completion"),
    Headline("limit_compression", "承诺时限压缩30%的事项", SOURCE, indicator_figure("T05.limit_compression"), 20,
             "Items with limits cut by 30%"),
]
ALERT_RULES = [
    AlertRule("overdue_cases", "办件超期", overdue_cases),
    AlertRule("cases_due_soon", "办件临近时限", cases_due_soon),
]
