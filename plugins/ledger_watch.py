"""The ledgers' headline numbers and alerts: rectification items past their 时限, duties not done by the
end of their phase, public commitments, and the task-11 follow-through (诫勉谈话 and rectification of
the bottom three)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from collectors import Alert, AlertRule, Headline, Level, Watch, indicator_figure
from plugins.ledger_views import (
    DutyState,
    OverdueItem,
    duty_matrix,
    duty_progress,
    missing_follow_ups,
    overdue_rectifications,
)

SOURCE = "uploads"


def overdue_rectification(session: Session, watch: Watch) -> list[Alert]:
    """A unit's rectification items past their 时限 and not done: one red card per unit."""
    by_unit: dict[str, list[OverdueItem]] = defaultdict(list)
    for item in overdue_rectifications(session, watch.scope):
        by_unit[item.unit_name].append(item)
    alerts = []
    for unit, items in by_unit.items():
        longest = max(item.days_overdue for item in items)
        alerts.append(Alert(Level.RED, "整改逾期", f"{len(items)} 项整改事项超过时限未完成，最长已逾期 {longest} 天",
                            watch.end_of_day(min(item.deadline for item in items)), SOURCE, unit,
                            "Rectification overdue",
                            f"{len(items)} rectification items not done by their deadline, the oldest {longest} days late"))
    return alerts


def overdue_duties(session: Session, watch: Watch) -> list[Alert]:
    """A duty whose phase is over with units that have not done it: one red card per duty."""
    return [
        Alert(Level.RED, "规定动作逾期",
              f"{progress.duty.name}应于{progress.duty.phase}阶段结束（{progress.duty.deadline.month}月"
              f"{progress.duty.deadline.day}日）前完成，{progress.counts[DutyState.OVERDUE]} 个单位仍未完成",
              watch.end_of_day(progress.duty.deadline), SOURCE, None, "Required action overdue",
              f"{progress.duty.name} was due by {progress.duty.deadline.isoformat()}; "
              f"{progress.counts[DutyState.OVERDUE]} units have not done it")
        for progress in duty_progress(duty_matrix(session, watch.scope))
        if progress.counts[DutyState.OVERDUE]
    ]


def appraisal_follow_up(session: Session, watch: Watch) -> list[Alert]:
    """A bottom-three department of the task-11 appraisal past its follow-up deadline without its
    诫勉谈话 in the accountability ledger or without a rectification item: one red card each."""
    alerts = []
    for follow_up in missing_follow_ups(session, watch.scope):
        missing = [(zh, en) for zh, en, done in (("诫勉谈话记录", "an admonition record", follow_up.admonished),
                                                  ("整改事项", "a rectification item", follow_up.rectifying)) if not done]
        text = (f"政风行风评议后三名，截至 {follow_up.deadline.month}月{follow_up.deadline.day}日 "
                f"仍无{'和'.join(zh for zh, _ in missing)}")
        text_en = (f"among the bottom three of the appraisal, still without {' and '.join(en for _, en in missing)} "
                   f"on {follow_up.deadline.isoformat()}")
        alerts.append(Alert(Level.RED, "评议后三名未跟进", text, watch.end_of_day(follow_up.deadline), SOURCE,
                            follow_up.name, "Bottom three not followed up", text_en))
    return alerts


HEADLINES = [
    Headline("overdue_rectification", "逾期整改事项", SOURCE, indicator_figure("X.rectification_overdue"), 50,
             "Rectification overdue"),
    Headline("commitments", "公开承诺单位覆盖率", SOURCE, indicator_figure("X.commitments"), 60,
             "Units with public commitments"),
]
ALERT_RULES = [
    AlertRule("overdue_rectification", "整改逾期", overdue_rectification),
    AlertRule("overdue_duties", "规定动作逾期", overdue_duties),
    AlertRule("appraisal_follow_up", "评议后三名未跟进", appraisal_follow_up),
]
