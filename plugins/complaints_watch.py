"""The complaint line's headline number and alerts: complaints past their deadline, and 提级督办."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from collectors import Alert, AlertRule, Figure, Headline, Level, Watch
from collectors.alerts import NO_UNIT, by_unit
from models.complaints import CATEGORIES, Complaint, escalations

SOURCE = "complaints"
OPEN = Complaint.status != "closed"


def open_complaints(session: Session, watch: Watch) -> Figure:
    """Complaints not yet closed, noting how many are past their deadline."""
    late = func.coalesce(func.sum(case((Complaint.deadline_at < watch.now, 1), else_=0)), 0)
    total, overdue = session.execute(select(func.count(), late).where(OPEN)).one()
    return Figure(total, "count", note=f"其中超期 {overdue} 件", note_en=f"{overdue} past their deadline")


def overdue_complaints(session: Session, watch: Watch) -> list[Alert]:
    """A unit's complaints still open past their deadline: one red card per unit."""
    groups = by_unit(session, Complaint, Complaint.deadline_at, OPEN, Complaint.deadline_at < watch.now)
    return [
        Alert(Level.RED, "投诉超期", f"{group.count} 件投诉超过办理时限未办结，最早已逾期 "
              f"{watch.workdays_since(group.earliest)} 个工作日", group.earliest, SOURCE, group.unit,
              "Complaints overdue", f"{group.count} complaints open past their deadline, the oldest by "
              f"{watch.workdays_since(group.earliest)} working days", "overdue_open")
        for group in groups
    ]


def escalated_complaints(session: Session, watch: Watch) -> list[Alert]:
    """Complaints sent back again and again and still open: 提级督办, one red card each (by work-order number)."""
    return [
        Alert(Level.RED, "提级督办", f"工单 {row.external_id}（{CATEGORIES.get(row.category, row.category)}）"
              f"已 {row.rehandled_count} 次发回重办仍未办结", row.received_at, SOURCE, row.unit_name or NO_UNIT,
              "Escalated", f"work order {row.external_id} sent back {row.rehandled_count} times and still open",
              "escalated")
        for row in escalations(session)
    ]


HEADLINES = [Headline("open_complaints", "投诉在办", SOURCE, open_complaints, 30, "Complaints open")]
ALERT_RULES = [
    AlertRule("overdue_complaints", "投诉超期", overdue_complaints),
    AlertRule("escalated_complaints", "提级督办", escalated_complaints),
]
