"""The units page's tables from the ledgers: the five-ones matrix, overdue rectification items, and
the ranking of the key law-enforcement departments (task 11).

Each reads the same rows, over the same scope, as the indicator it details
(``X.five_ones``, ``X.rectification_overdue``, ``T11.appraised``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from models.campaign import Duty, Unit
from models.indicators import Scope
from plugins.ledger_measures.activities import duty_held
from plugins.ledger_measures.common import flag, judged_on
from plugins.ledger_measures.progress import RECTIFICATION, overdue
from plugins.ledger_measures.reports import APPRAISALS, appraised

FLAGGED_LAST = 3
"""The last three of the task 11 ranking are flagged (后三名)."""
FLAG = "诫勉谈话 · 限期整改"


@dataclass(frozen=True)
class FiveOnesRow:
    """A unit's five ones: duty key → held in the scope."""

    unit: str
    name: str
    held: dict[str, bool]

    @property
    def complete(self) -> bool:
        return all(self.held.values())


@dataclass(frozen=True)
class FiveOnesMatrix:
    duties: dict[str, str]
    """Duty key → name, in the campaign's order (the matrix's columns)."""
    rows: list[FiveOnesRow]


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

    @property
    def flag(self) -> str | None:
        return FLAG if self.flagged else None


def five_ones_matrix(session: Session, scope: Scope) -> FiveOnesMatrix:
    """Every unit × the five duties: held in the scope (an activity of the duty's type)?"""
    duties = {key: name for key, name in session.execute(select(Duty.key, Duty.name).order_by(Duty.position))}
    cells = session.execute(
        select(Unit.code, Unit.name, Duty.key, flag(duty_held(scope)))
        .join(Duty, true())
        .order_by(Unit.position, Unit.code, Duty.position)
    )
    rows: dict[str, FiveOnesRow] = {}
    for code, name, duty, held in cells:
        rows.setdefault(code, FiveOnesRow(code, name, {})).held[duty] = bool(held)
    return FiveOnesMatrix(duties, list(rows.values()))


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


def key_enforcement_ranking(session: Session, scope: Scope) -> list[RankedDepartment]:
    """The key law-enforcement departments by mean 政风行风评议 score in the scope, best first.

    Equal scores share a rank (1 + the number scoring higher). Once more than three are
    scored, the last three are flagged 诫勉谈话 · 限期整改, and so is any department tied
    with the third-lowest score. Departments not yet appraised come last, unranked.
    """
    score = func.avg(APPRAISALS.c.score)
    query = (
        select(Unit.code, Unit.name, score, func.count(APPRAISALS.c.id))
        .outerjoin(APPRAISALS, and_(APPRAISALS.c.unit == Unit.code, appraised(scope)))
        .where(Unit.key_enforcement.is_(True))
        .group_by(Unit.code, Unit.name, Unit.position)
        .order_by(score.desc().nulls_last(), Unit.position, Unit.code)
    )
    departments = [
        (code, name, None if mean is None else float(mean), ratings) for code, name, mean, ratings in session.execute(query)
    ]
    scores = sorted(mean for _, _, mean, _ in departments if mean is not None)
    threshold = scores[FLAGGED_LAST - 1] if len(scores) > FLAGGED_LAST else None
    return [
        RankedDepartment(
            code, name, mean, ratings,
            rank=None if mean is None else 1 + sum(other > mean for other in scores),
            flagged=mean is not None and threshold is not None and mean <= threshold,
        )
        for code, name, mean, ratings in departments
    ]
