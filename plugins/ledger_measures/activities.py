"""Measures over the activities ledger (活动台账): tasks 1, 3, 10, 12 and the duties every unit owes.

An activity counts as held when it is dated in the scope and its 状态 is 已完成 or left
empty; planned (计划中) and cancelled (已取消) ones do not count.

A duty (:class:`models.campaign.Duty`: the five required actions of the work requirements, and
the other steps a phase asks of every unit) is done **on time** when an activity of its type was
held no later than the last day of the phase the plan puts it in; one held after that is late
and does not count as done.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, null, or_, select

from models.campaign import Campaign, Duty, Phase, Unit
from models.indicators.engine import Aggregate, Measure, Scope
from models.indicators.service import NO_TIME, ONE
from plugins.ledger_measures.common import (
    LEDGERS,
    Condition,
    coverage,
    dated_rows,
    every_unit,
    in_scope,
    responsible_for,
    uploaded,
)

ACTIVITIES = LEDGERS["activities"]
EDUCATION = ("党性教育", "理想信念教育", "思想解放讨论", "典型示范教育")
REVIEW_MEETINGS = ("民主生活会", "作风剖析会")
TRAINING = ("业务讲座", "知识测试")
TEST = "知识测试"
EVENTS = ("庆典", "研讨会", "论坛")
EPISODE = "热线节目"
TYPE = ACTIVITIES.c.type
HELD = or_(ACTIVITIES.c.status.is_(None), ACTIVITIES.c.status == "已完成")


def held(scope: Scope) -> list[ColumnElement[bool]]:
    """The conditions on an activity held in the scope."""
    return [HELD, in_scope(ACTIVITIES.c.date, scope)]


def held_rows(scope: Scope, types: tuple[str, ...], num: Any = ONE, den: Any = ONE) -> Select[Any]:
    """Activities of ``types`` held in the scope, one row each."""
    return dated_rows(ACTIVITIES, "date", scope, num, den).where(HELD, TYPE.in_(types))


def times_held(scope: Scope, types: tuple[str, ...], *where: ColumnElement[bool]) -> Any:
    """How many activities of ``types`` meeting ``where`` were held in the scope (a scalar subquery)."""
    return select(func.count()).where(TYPE.in_(types), *held(scope), *where).scalar_subquery()


def held_at_least(times: int, types: tuple[str, ...]) -> Condition:
    """The unit held activities of ``types`` at least ``times`` times in the scope."""
    return lambda scope: times_held(scope, types, ACTIVITIES.c.unit == Unit.code) >= times


def phase_end() -> Any:
    """The last day of the duty's (``Duty``) phase, a scalar subquery."""
    return select(Phase.ends_on).where(Phase.key == Duty.phase).correlate(Duty).scalar_subquery()


def duty_done_on_time(scope: Scope) -> ColumnElement[bool]:
    """The unit (``Unit.code``) did the duty (``Duty``) on time: an activity of the duty's type held
    in the scope, no later than the last day of the duty's phase."""
    on_time = exists().where(
        ACTIVITIES.c.unit == Unit.code, TYPE == Duty.activity_type, *held(scope), ACTIVITIES.c.date <= phase_end()
    )
    return on_time.correlate(Unit, Duty)  # both may be two levels up (all_duties_on_time)


def all_duties_on_time(kind: str) -> Condition:
    """The unit did every duty of ``kind`` (:data:`models.campaign.DUTY_KINDS`) on time."""
    return lambda scope: ~exists(select(Duty.key).where(Duty.kind == kind, ~duty_done_on_time(scope)))


def pass_rate_rows(scope: Scope) -> Select[Any]:
    """知识测试 held with both counts given; num 通过人数, den 参加人数."""
    passed, participants = ACTIVITIES.c.passed, ACTIVITIES.c.participants
    return held_rows(scope, (TEST,), passed, participants).where(passed.is_not(None), participants > 0)


def episode_rows(scope: Scope) -> Select[Any]:
    """热线节目 episodes held, one row each."""
    return held_rows(scope, (EPISODE,))


def event_reduction_rows(scope: Scope) -> Select[Any]:
    """One district-wide row: num the 庆典/研讨会/论坛 held in the scope, den the campaign's baseline count."""
    events = times_held(scope, EVENTS)
    return select(
        null().label("unit"), NO_TIME.label("at"), events.label("num"), Campaign.baseline_events.label("den")
    ).where(uploaded(ACTIVITIES))


MEASURES: dict[str, Measure] = {
    "T01.education_coverage": coverage(responsible_for(1), ACTIVITIES, held_at_least(2, EDUCATION)),
    "T01.review_meetings": coverage(responsible_for(1), ACTIVITIES, held_at_least(1, REVIEW_MEETINGS)),
    "T03.training_coverage": coverage(responsible_for(3), ACTIVITIES, held_at_least(1, TRAINING)),
    "T03.test_pass_rate": Measure(Aggregate.RATIO, pass_rate_rows),
    "T10.event_reduction": Measure(Aggregate.COMPLEMENT_RATIO, event_reduction_rows),
    "T12.episodes": Measure(Aggregate.COUNT, episode_rows, uploaded(ACTIVITIES)),
    "X.required_duties": coverage(every_unit, ACTIVITIES, all_duties_on_time("required")),
    "X.self_checks": coverage(every_unit, ACTIVITIES, all_duties_on_time("phase")),
}
"""The activity measures, by indicator id."""
