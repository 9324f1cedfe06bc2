"""The ledgers' headline number and alert: rectification items past their 时限."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from collectors import Alert, AlertRule, Headline, Level, Watch, indicator_figure
from plugins.ledger_views import OverdueItem, overdue_rectifications

SOURCE = "uploads"


def overdue_rectification(session: Session, watch: Watch) -> list[Alert]:
    """A unit's rectification items past their 时限 and not done: one red card per unit."""
    by_unit: dict[str, list[OverdueItem]] = defaultdict(list)
    for item in overdue_rectifications(session, watch.scope):
        by_unit[item.unit_name].append(item)
    return [
        Alert(Level.RED, "整改逾期", f"{len(items)} 项整改事项超过时限未完成，最长已逾期 "
              f"{max(item.days_overdue for item in items)} 天",
              watch.end_of_day(max(item.deadline for item in items)), SOURCE, unit)
        for unit, items in by_unit.items()
    ]


HEADLINES = [Headline("overdue_rectification", "逾期整改事项", SOURCE, indicator_figure("X.rectification_overdue"), 50)]
ALERT_RULES = [AlertRule("overdue_rectification", "整改逾期", overdue_rectification)]
