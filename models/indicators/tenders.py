"""Measures over procurement processes and their awards (tasks 7 and 14)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select

from models.indicators.engine import Aggregate, Clock, Measure, Scope
from models.indicators.sql import days_between, local_date
from models.procurement import Award, Procurement

CURRENCY = "CNY"
"""Award values are summed in the campaign's currency only: amounts in different currencies
cannot be added, and no exchange rates are kept. Awards in other currencies do not count."""
NOT_IN_FORCE = ("pending", "cancelled", "unsuccessful")
"""Award statuses whose value was not (or not yet) awarded; an award without a status counts."""
TENDERING = ("open", "selective")
"""Methods with a call for tenders (招标), to which the 20-day minimum tender period applies, and
which are tendered again when fewer than three bid (招标投标法 art. 28)."""
FEW_BIDDERS = 3
"""A tender with fewer tenderers than this must be repeated (招标投标法 art. 28)."""
AWARD_LATE_DAYS = 365
"""An award published more than this many days after it was made: a date that cannot be true."""

ONE = literal(1)
BID_DEADLINE_OR_LATER = func.coalesce(Procurement.tender_end, Procurement.tender_published_at, Procurement.release_date)
"""The month a process's bidders count in: its bid deadline's, else its tender's or newest release's."""

TENDER_DATE_NOTE = case(
    (Procurement.published_guessed, "guessed"),
    (Procurement.tender_published_at > Procurement.tender_end, "after_deadline"),
)
AWARD_DATE_NOTE = case(
    (Award.published_guessed, "guessed"),
    (days_between(local_date(Award.date), local_date(Award.published_at)) > AWARD_LATE_DAYS, "year_after_award"),
)
"""A data-quality note on a tender's or an award's publication date, NULL when there is nothing to say:
``guessed``, the date of the first release that held it, as no notice document gives one (publishers
that regenerate their files give every release a new date, which is how a tender comes to seem
published after its deadline); else ``after_deadline``, a tender published after its bid deadline, or
``year_after_award``, an award published more than :data:`AWARD_LATE_DAYS` after it was made (dates
that cannot be true). An award's date with a note is not used for timeliness."""
DATE_NOTES = ("after_deadline", "year_after_award", "guessed")
"""The notes, the gravest first: a date a publisher states that cannot be true, then a guess."""


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _in_period(column: Any, scope: Scope) -> Any:
    return and_(column >= scope.start, column < scope.end)


def _awards() -> Select[Any]:
    """Awards with their process (for its buyer's unit and its method)."""
    process = and_(Procurement.source == Award.source, Procurement.external_id == Award.ocid)
    return select().select_from(Award).outerjoin(Procurement, process)


def open_method_share_rows(scope: Scope) -> Select[Any]:
    """Awards in force with a value in CNY; num the value when the method was open, den the value.

    The month is the award's date, or its publication date when it has none.
    """
    at = func.coalesce(Award.date, Award.published_at)
    in_force = or_(Award.status.is_(None), Award.status.not_in(NOT_IN_FORCE))
    return _awards().add_columns(
        Procurement.unit_code.label("unit"),
        at.label("at"),
        case((Procurement.method == "open", Award.value), else_=0).label("num"),
        Award.value.label("den"),
    ).where(Award.currency == CURRENCY, Award.value.is_not(None), in_force, _in_period(at, scope))


def single_bidder_rows(scope: Scope) -> Select[Any]:
    """Processes with a known number of tenderers, except direct awards (one supplier by design);
    num 1 when exactly one tendered. The month is the bid deadline's, else the tender's or release's.
    """
    at = BID_DEADLINE_OR_LATER
    return select(
        Procurement.unit_code.label("unit"),
        at.label("at"),
        _flag(Procurement.number_of_tenderers == 1).label("num"),
        ONE.label("den"),
    ).where(
        Procurement.number_of_tenderers.is_not(None),
        or_(Procurement.method.is_(None), Procurement.method != "direct"),
        _in_period(at, scope),
    )


def few_bidders_rows(scope: Scope) -> Select[Any]:
    """Tenders (open or selective) with a known number of tenderers; num 1 when fewer than three
    tendered, none included (招标投标法 art. 28: such a tender is repeated). The month as for single bidders.
    """
    at = BID_DEADLINE_OR_LATER
    return select(
        Procurement.unit_code.label("unit"),
        at.label("at"),
        _flag(Procurement.number_of_tenderers < FEW_BIDDERS).label("num"),
        ONE.label("den"),
    ).where(
        Procurement.number_of_tenderers.is_not(None),
        Procurement.method.in_(TENDERING),
        _in_period(at, scope),
    )


def short_tender_period_rows(scope: Scope) -> Select[Any]:
    """Tenders (open or selective) with both ends of their tender period, in the month it began;
    num 1 when it is shorter than ``short_tender_days`` (20) calendar days.
    """
    days = days_between(local_date(Procurement.tender_start), local_date(Procurement.tender_end))
    return select(
        Procurement.unit_code.label("unit"),
        Procurement.tender_start.label("at"),
        _flag(days < scope.param("short_tender_days", 20)).label("num"),
        ONE.label("den"),
    ).where(
        Procurement.tender_end.is_not(None),
        Procurement.method.in_(TENDERING),
        _in_period(Procurement.tender_start, scope),
    )


def award_disclosure_rows(scope: Scope) -> Select[Any]:
    """Awards with a date and a publication date that has no note (:data:`AWARD_DATE_NOTE`: neither
    guessed nor impossible), in the award's month; num 1 when published within
    ``award_disclosure_days`` (7) calendar days of the award date.
    """
    days = days_between(local_date(Award.date), local_date(Award.published_at))
    return _awards().add_columns(
        Procurement.unit_code.label("unit"),
        Award.date.label("at"),
        _flag(days <= scope.param("award_disclosure_days", 7)).label("num"),
        ONE.label("den"),
    ).where(Award.published_at.is_not(None), AWARD_DATE_NOTE.is_(None), _in_period(Award.date, scope))


AWARDS, PROCESSES = (Award.__tablename__,), (Procurement.__tablename__,)
"""What a measure's rows come from one row of (an award's unit is its process's: a write to processes
recomputes every month of the award measures)."""
MEASURES: dict[str, Measure] = {
    "T07.open_method_share": Measure(Aggregate.RATIO, open_method_share_rows, months_from=AWARDS, clock=Clock.NONE),
    "T07.single_bidder_rate": Measure(Aggregate.RATIO, single_bidder_rows, months_from=PROCESSES, clock=Clock.NONE),
    "T07.few_bidders_rate": Measure(Aggregate.RATIO, few_bidders_rows, months_from=PROCESSES, clock=Clock.NONE),
    "T07.short_tender_period_rate": Measure(Aggregate.RATIO, short_tender_period_rows, months_from=PROCESSES,
                                            clock=Clock.NONE),
    "T14.award_disclosure_timeliness": Measure(Aggregate.RATIO, award_disclosure_rows, months_from=AWARDS,
                                               clock=Clock.NONE),
}
"""The tender measures, by indicator id."""
