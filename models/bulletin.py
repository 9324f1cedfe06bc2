"""The counts of a 情况通报 bulletin for a period (a week or a month), each one grouped query.

A period is a :class:`Scope`: its start and end (UTC) are the local midnights around it.
What happened *in* the period is counted by its time falling in ``[start, end)``. What is
*overdue* is judged as of the period's end, or now when the period has not ended
(:func:`models.indicators.complaints.as_of`): a case or complaint received since ``since``
(the campaign year's start), past its due time then and not completed or closed by then.

No query reads a personal column of a complaint (:func:`models.complaints.personal_columns`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from models.complaints import Complaint
from models.indicators.complaints import as_of
from models.indicators.engine import Scope
from models.indicators.tenders import NOT_IN_FORCE
from models.procurement import Award, Procurement
from models.service import Case


@dataclass(frozen=True)
class CaseTotals:
    accepted: int
    completed: int


@dataclass(frozen=True)
class ComplaintTotals:
    received: int
    closed: int
    overdue: int


@dataclass(frozen=True)
class CategoryCount:
    """Complaints of one category (or 四乱 kind) received in the period, and how many of them are closed."""

    key: str
    received: int
    closed: int


@dataclass(frozen=True)
class TenderTotals:
    published: int
    awarded: int
    single_bidder: int


def _during(column: Any, period: Scope) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _closed_by(moment: dt.datetime) -> ColumnElement[bool]:
    """Closed by ``moment`` (a complaint marked closed without a time counts as closed)."""
    return or_(Complaint.closed_at <= moment, and_(Complaint.closed_at.is_(None), Complaint.status == "closed"))


def _open_at(moment: dt.datetime) -> ColumnElement[bool]:
    """Not closed by ``moment``: the complement of :func:`_closed_by`, spelled out so that NULLs count."""
    return or_(Complaint.closed_at > moment, and_(Complaint.closed_at.is_(None), Complaint.status != "closed"))


def case_totals(session: Session, period: Scope) -> CaseTotals:
    """Cases accepted in the period, and cases completed in it."""
    accepted = session.scalar(select(func.count()).where(_during(Case.accepted_at, period)))
    completed = session.scalar(select(func.count()).where(_during(Case.completed_at, period)))
    return CaseTotals(accepted or 0, completed or 0)


def _overdue_complaint(period: Scope, since: dt.datetime) -> ColumnElement[bool]:
    moment = as_of(period)
    return and_(
        Complaint.received_at >= since,
        Complaint.received_at < period.end,
        Complaint.deadline_at < moment,
        _open_at(moment),
    )


def complaint_totals(session: Session, period: Scope, since: dt.datetime) -> ComplaintTotals:
    """Complaints received in the period, closed in it, and overdue at its end (received since ``since``)."""
    received, closed, overdue = session.execute(
        select(
            _count(_during(Complaint.received_at, period)),
            _count(_during(Complaint.closed_at, period)),
            _count(_overdue_complaint(period, since)),
        )
    ).one()
    return ComplaintTotals(int(received), int(closed), int(overdue))


def complaints_by_category(session: Session, period: Scope) -> list[CategoryCount]:
    """The period's complaints by category (:data:`models.complaints.CATEGORIES`), most first."""
    return _grouped(session, Complaint.category, period)


def complaints_by_four_chaos(session: Session, period: Scope) -> list[CategoryCount]:
    """The period's 四乱 complaints by kind (:data:`models.complaints.FOUR_CHAOS`), most first."""
    return _grouped(session, Complaint.four_chaos, period)


def _grouped(session: Session, key: Any, period: Scope) -> list[CategoryCount]:
    received = func.count()
    query = (
        select(key, received, _count(_closed_by(as_of(period))))
        .where(_during(Complaint.received_at, period), key.is_not(None))
        .group_by(key)
        .order_by(received.desc(), key)
    )
    return [CategoryCount(str(k), int(n), int(closed)) for k, n, closed in session.execute(query)]


def tender_totals(session: Session, period: Scope) -> TenderTotals:
    """Calls for tenders published in the period (those with exactly one tenderer apart), and awards
    in force decided in it (by the award date, else its publication)."""
    published_at = func.coalesce(Procurement.tender_published_at, Procurement.tender_start)
    not_direct = or_(Procurement.method.is_(None), Procurement.method != "direct")
    single = and_(Procurement.number_of_tenderers == 1, not_direct)
    published, single_bidder = session.execute(
        select(func.count(), _count(single)).where(_during(published_at, period))
    ).one()
    in_force = or_(Award.status.is_(None), Award.status.not_in(NOT_IN_FORCE))
    awarded = session.scalar(
        select(func.count()).where(in_force, _during(func.coalesce(Award.date, Award.published_at), period))
    )
    return TenderTotals(int(published), int(awarded or 0), int(single_bidder))


def _counts_by_unit(session: Session, unit: Any, *conditions: Any) -> dict[str | None, int]:
    query = select(unit, func.count()).where(*conditions).group_by(unit)
    return {code: int(count) for code, count in session.execute(query)}


def overdue_cases_by_unit(session: Session, period: Scope, since: dt.datetime) -> dict[str | None, int]:
    """Each unit's cases accepted since ``since``, past their due time and not completed at the period's end."""
    moment = as_of(period)
    return _counts_by_unit(
        session,
        Case.unit_code,
        Case.accepted_at >= since,
        Case.accepted_at < period.end,
        Case.due_at < moment,
        or_(Case.completed_at.is_(None), Case.completed_at > moment),
    )


def overdue_complaints_by_unit(session: Session, period: Scope, since: dt.datetime) -> dict[str | None, int]:
    """Each unit's complaints received since ``since``, past their deadline and not closed at the period's end
    (None: complaints about no known unit)."""
    return _counts_by_unit(session, Complaint.unit_code, _overdue_complaint(period, since))
