"""The units page's tables from the ledgers: the duties every unit owes with their phase deadlines,
overdue rectification items, and the ranking of the key law-enforcement departments (task 11).

Each reads the same rows, over the same scope, as the indicator it details
(``X.required_duties`` and ``X.self_checks``, ``X.rectification_overdue``, ``T11.appraised``): the
duties and the appraisal from the campaign's first day, as those indicators count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from models.campaign import Duty, Phase, Unit
from models.indicators import Scope
from models.workdays import add_workdays
from plugins.ledger_measures.accountability import ACCOUNTABILITY
from plugins.ledger_measures.activities import ACTIVITIES, TYPE, held
from plugins.ledger_measures.common import judged_on
from plugins.ledger_measures.progress import RECTIFICATION, overdue
from plugins.ledger_measures.reports import APPRAISALS, appraised

FLAGGED_LAST = 3
"""The last three of the task 11 ranking are flagged (后三名)."""
PRAISED_FIRST = 3
"""How many at the top of the task 11 ranking are published for praise (排名靠前, ``[indicators] praised_first``)."""
FLAG = "诫勉谈话 · 限期整改"
PRAISE = "通报表扬"
ADMONITION = "诫勉谈话"
FOLLOW_UP_WORKDAYS = 20
"""Working days after the appraisal is complete within which a bottom-three department must have its
诫勉谈话 recorded and a rectification item in its ledger (``[indicators] appraisal_followup_workdays``)."""


class DutyState(StrEnum):
    """Where a unit stands on a duty, judged on the scope's day (:func:`judged_on`)."""

    ON_TIME = "按期完成"
    LATE = "逾期完成"
    OVERDUE = "逾期未完成"
    PENDING = "未到期"


@dataclass(frozen=True)
class DutyInfo:
    """A duty of the campaign: its name, kind, and the phase it is due in with that phase's last day."""

    key: str
    name: str
    kind: str
    phase: str
    deadline: dt.date


@dataclass(frozen=True)
class DutyCell:
    """A unit's state on a duty and the day it was first done (None if not done)."""

    state: DutyState
    done_on: dt.date | None


@dataclass(frozen=True)
class DutyRow:
    """A unit's duties: duty key → cell."""

    unit: str
    name: str
    cells: dict[str, DutyCell]

    def complete(self, duties: list[DutyInfo], kind: str) -> bool:
        """Every duty of ``kind`` done on time."""
        return all(self.cells[d.key].state is DutyState.ON_TIME for d in duties if d.kind == kind)


@dataclass(frozen=True)
class DutyMatrix:
    duties: list[DutyInfo]
    """In the campaign's order (the matrix's columns)."""
    rows: list[DutyRow]


def _state(done_on: dt.date | None, deadline: dt.date, today: dt.date) -> DutyState:
    if done_on is not None:
        return DutyState.ON_TIME if done_on <= deadline else DutyState.LATE
    return DutyState.OVERDUE if deadline < today else DutyState.PENDING


def duty_matrix(session: Session, scope: Scope) -> DutyMatrix:
    """Every unit × every duty: first done when (an activity of the duty's type held in the scope),
    and so on time, late, overdue or not yet due."""
    duties = [
        DutyInfo(key, name, kind, phase, deadline)
        for key, name, kind, phase, deadline in session.execute(
            select(Duty.key, Duty.name, Duty.kind, Phase.name, Phase.ends_on)
            .join(Phase, Phase.key == Duty.phase)
            .order_by(Duty.position)
        )
    ]
    deadlines = {duty.key: duty.deadline for duty in duties}
    scope = scope.from_campaign_start()
    first_done = (
        select(func.min(ACTIVITIES.c.date))
        .where(ACTIVITIES.c.unit == Unit.code, TYPE == Duty.activity_type, *held(scope))
        .correlate(Unit, Duty)
        .scalar_subquery()
    )
    cells = session.execute(
        select(Unit.code, Unit.name, Duty.key, first_done)
        .join(Duty, true())
        .order_by(Unit.position, Unit.code, Duty.position)
    )
    today = judged_on(scope)
    rows: dict[str, DutyRow] = {}
    for code, name, duty, done_on in cells:
        if duty in deadlines:
            cell = DutyCell(_state(done_on, deadlines[duty], today), done_on)
            rows.setdefault(code, DutyRow(code, name, {})).cells[duty] = cell
    return DutyMatrix(duties, list(rows.values()))


@dataclass(frozen=True)
class DutyProgress:
    """How many units stand where on a duty."""

    duty: DutyInfo
    counts: dict[DutyState, int]


def duty_progress(matrix: DutyMatrix) -> list[DutyProgress]:
    """Per duty, the number of units in each state."""
    return [
        DutyProgress(duty, {state: sum(row.cells[duty.key].state is state for row in matrix.rows) for state in DutyState})
        for duty in matrix.duties
    ]


@dataclass(frozen=True)
class OverdueItem:
    """A rectification item past its 时限 and not done; ``owner`` (责任人) only when asked for personal data."""

    unit: str
    unit_name: str
    problem: str
    deadline: dt.date
    days_overdue: int
    owner: str | None


@dataclass(frozen=True)
class RankedDepartment:
    """A key law-enforcement department's mean 政风行风评议 score; no score and no rank until appraised."""

    unit: str
    name: str
    score: float | None
    ratings: int
    rank: int | None
    flagged: bool
    praised: bool = False
    last_rated: dt.date | None = None

    @property
    def flag(self) -> str | None:
        if self.flagged:
            return FLAG
        return PRAISE if self.praised else None


def overdue_rectifications(
    session: Session, scope: Scope, personal: bool = False, unit: str | None = None
) -> list[OverdueItem]:
    """Rectification items with a 时限 in the scope, passed and not done, the longest overdue first
    (of ``unit`` only, if given). The 责任人 is personal data: given only with ``personal=True``."""
    query = (
        select(RECTIFICATION.c.unit, Unit.name, RECTIFICATION.c.problem, RECTIFICATION.c.deadline,
               RECTIFICATION.c.owner)
        .join(Unit, Unit.code == RECTIFICATION.c.unit)
        .where(overdue(scope))
        .order_by(RECTIFICATION.c.deadline, Unit.position, RECTIFICATION.c.id)
    )
    if unit is not None:
        query = query.where(RECTIFICATION.c.unit == unit)
    day = judged_on(scope)
    return [
        OverdueItem(code, name, problem, deadline, (day - deadline).days, owner if personal else None)
        for code, name, problem, deadline, owner in session.execute(query)
    ]


@dataclass(frozen=True)
class Ranking:
    """The task 11 ranking: every key department, and whether all are appraised (only then is it final)."""

    departments: list[RankedDepartment]

    @property
    def appraised(self) -> int:
        return sum(d.score is not None for d in self.departments)

    @property
    def complete(self) -> bool:
        return bool(self.departments) and self.appraised == len(self.departments)

    @property
    def completed_on(self) -> dt.date | None:
        """The day the last department's last rating came in, once all are appraised."""
        days = [d.last_rated for d in self.departments if d.last_rated is not None]
        return max(days) if self.complete and days else None


def key_enforcement_ranking(session: Session, scope: Scope) -> Ranking:
    """The key law-enforcement departments by mean 政风行风评议 score in the scope, best first.

    Equal scores share a rank (1 + the number scoring higher). Only once every key department has
    a score are the last three flagged 诫勉谈话 · 限期整改 (with any department tied with the
    third-lowest score) and the first :data:`PRAISED_FIRST` (with ties) published for praise
    (通报表扬); until then the ranking is provisional. Departments not yet appraised come last, unranked.
    """
    scope = scope.from_campaign_start()
    score = func.avg(APPRAISALS.c.score)
    query = (
        select(Unit.code, Unit.name, score, func.count(APPRAISALS.c.id), func.max(APPRAISALS.c.date))
        .outerjoin(APPRAISALS, and_(APPRAISALS.c.unit == Unit.code, appraised(scope)))
        .where(Unit.key_enforcement.is_(True))
        .group_by(Unit.code, Unit.name, Unit.position)
        .order_by(score.desc().nulls_last(), Unit.position, Unit.code)
    )
    departments = [
        (code, name, None if mean is None else float(mean), ratings, last)
        for code, name, mean, ratings, last in session.execute(query)
    ]
    scores = sorted(mean for _, _, mean, _, _ in departments if mean is not None)
    final = bool(departments) and len(scores) == len(departments) > FLAGGED_LAST
    praised_first = int(scope.param("praised_first", PRAISED_FIRST))
    lowest = scores[FLAGGED_LAST - 1] if final else None
    highest = scores[-praised_first] if final and praised_first else None
    ranked = []
    for code, name, mean, ratings, last in departments:
        flagged = lowest is not None and mean is not None and mean <= lowest
        praised = highest is not None and mean is not None and mean >= highest and not flagged
        rank = None if mean is None else 1 + sum(other > mean for other in scores)
        ranked.append(RankedDepartment(code, name, mean, ratings, rank, flagged, praised, last))
    return Ranking(ranked)


@dataclass(frozen=True)
class FollowUp:
    """A flagged department past its follow-up deadline without its 诫勉谈话 or a rectification item."""

    unit: str
    name: str
    deadline: dt.date
    admonished: bool
    rectifying: bool


def missing_follow_ups(session: Session, scope: Scope) -> list[FollowUp]:
    """Flagged departments whose follow-up deadline (:data:`FOLLOW_UP_WORKDAYS` working days after the
    appraisal was complete) has passed on the scope's day with no 诫勉谈话 in the accountability
    ledger dated from the completion to the deadline, or no item in their rectification ledger."""
    ranking = key_enforcement_ranking(session, scope)
    completed = ranking.completed_on
    if completed is None:
        return []
    deadline = add_workdays(completed, int(scope.param("appraisal_followup_workdays", FOLLOW_UP_WORKDAYS)))
    if deadline >= judged_on(scope):
        return []
    flagged = [d for d in ranking.departments if d.flagged]
    codes = [d.unit for d in flagged]
    admonished = set(session.scalars(
        select(ACCOUNTABILITY.c.unit).where(
            ACCOUNTABILITY.c.unit.in_(codes), ACCOUNTABILITY.c.method == ADMONITION,
            ACCOUNTABILITY.c.date >= completed, ACCOUNTABILITY.c.date <= deadline,
        )
    ))
    rectifying = set(session.scalars(select(RECTIFICATION.c.unit).where(RECTIFICATION.c.unit.in_(codes))))
    return [
        FollowUp(d.unit, d.name, deadline, d.unit in admonished, d.unit in rectifying)
        for d in flagged
        if d.unit not in admonished or d.unit not in rectifying
    ]
