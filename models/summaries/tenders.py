"""Procurement processes (招投标) for their source page: volumes, groupings, tender periods, red flags, records.

A process is in the period by its tender's start (else its publication, else its newest release),
and belongs to its buyer's unit. The page's handling time is the tender period in calendar days
(the bidding law counts calendar days), over the tenders that began in the period.

The red flags are what the tender indicators flag, each in the period its indicator puts it
(:mod:`models.indicators.tenders`): ``single_bidder`` (``T07.single_bidder_rate``),
``short_tender_period`` (``T07.short_tender_period_rate``) and ``late_award_disclosure`` (an award
published later than ``T14.award_disclosure_timeliness`` allows). A flag counts processes: one with
two late awards counts once.

A process's ``date_note`` is the gravest data-quality note on its tender's or its awards' publication
dates (:data:`models.indicators.tenders.DATE_NOTES`); the page counts the processes by note and, to
show whose data it is, by publisher.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from models.indicators.engine import Scope
from models.indicators.sql import days_between, local_date
from models.indicators.tenders import (
    AWARD_DATE_NOTE,
    DATE_NOTES,
    TENDER_DATE_NOTE,
    award_disclosure_rows,
    short_tender_period_rows,
    single_bidder_rows,
)
from models.procurement import Award, Contract, Procurement
from models.summaries.query import Durations, Filter, SourceQueries, count, durations

PROCESS_AT = func.coalesce(Procurement.tender_start, Procurement.tender_published_at, Procurement.release_date)
"""The time that puts a process in a period."""
FLAG_ROWS: dict[str, tuple[Callable[[Scope], Select[Any]], int]] = {
    "single_bidder": (single_bidder_rows, 1),
    "short_tender_period": (short_tender_period_rows, 1),
    "late_award_disclosure": (award_disclosure_rows, 0),
}
"""Each red flag's indicator rows, and the ``num`` of a flagged row."""
OF_PROCESS = and_(Award.source == Procurement.source, Award.ocid == Procurement.external_id)
DATE_NOTE = case(*(
    (or_(TENDER_DATE_NOTE == note, exists().where(OF_PROCESS, AWARD_DATE_NOTE == note)), note) for note in DATE_NOTES
))
"""The gravest note on the publication dates of a process's tender or awards; NULL when none has one."""
NO_PUBLISHER = "unknown"
"""The publisher key of processes whose package names none."""
RECORD_COLUMNS = (
    Procurement.external_id,
    Procurement.title,
    Procurement.buyer_name,
    Procurement.unit_code,
    Procurement.method,
    Procurement.method_details,
    Procurement.tender_published_at,
    Procurement.tender_start,
    Procurement.tender_end,
    Procurement.number_of_tenderers,
    Procurement.tender_value,
    Procurement.tender_currency,
    DATE_NOTE.label("date_note"),
)
"""What the records list shows of a process (published procurement data, no personal data)."""


def _of_unit(where: Filter) -> list[ColumnElement[bool]]:
    return [] if where.unit is None else [Procurement.unit_code == where.unit]


def chosen(where: Filter) -> list[ColumnElement[bool]]:
    """The processes of the period, of the unit if one is chosen."""
    return [where.during(PROCESS_AT), *_of_unit(where)]


def _parts_of_chosen(session: Session, part: type[Award | Contract], where: Filter) -> int:
    """How many awards or contracts the chosen processes have."""
    of_process = and_(part.source == Procurement.source, part.ocid == Procurement.external_id)
    query = select(func.count(part.id)).select_from(Procurement).join(part, of_process).where(*chosen(where))
    return int(session.scalar(query) or 0)


def volumes(session: Session, where: Filter) -> dict[str, int]:
    """Processes of the period, and their awards and contracts."""
    return {
        "processes": count(session, *chosen(where), of=Procurement),
        "awards": _parts_of_chosen(session, Award, where),
        "contracts": _parts_of_chosen(session, Contract, where),
    }


def handling_time(session: Session, where: Filter) -> Durations:
    """Calendar days of the tender periods that began in the period."""
    rows = select(
        Procurement.unit_code.label("unit"),
        Procurement.tender_start.label("at"),
        days_between(local_date(Procurement.tender_start), local_date(Procurement.tender_end)).label("x"),
    ).where(where.during(Procurement.tender_start), Procurement.tender_end.is_not(None), *_of_unit(where))
    return durations(session, rows, where)


def flag_conditions(where: Filter) -> dict[str, ColumnElement[bool]]:
    """The condition a process raising each red flag meets: one of its indicator rows is flagged."""
    conditions = {}
    for key, (rows_of, flagged_num) in FLAG_ROWS.items():
        rows = rows_of(where.scope).add_columns(Procurement.id.label("process")).subquery(key)
        raised = select(rows.c.process).where(rows.c.num == flagged_num)
        conditions[key] = and_(Procurement.id.in_(raised), *_of_unit(where))
    return conditions


def listing(personal: bool) -> Select[Any]:
    """A process's columns (published procurement data holds no personal data)."""
    return select(*RECORD_COLUMNS)


QUERIES = SourceQueries(
    time=PROCESS_AT,
    unit=Procurement.unit_code,
    chosen=chosen,
    volumes=volumes,
    groups={
        "method": Procurement.method,
        "date_note": DATE_NOTE,
        "date_note_publisher": case((DATE_NOTE.is_not(None), func.coalesce(Procurement.publisher, NO_PUBLISHER))),
    },
    handling_time=handling_time,
    flag_conditions=flag_conditions,
    listing=listing,
    newest_first=(PROCESS_AT.desc(), Procurement.id.desc()),
)
summary = QUERIES.summary
records = QUERIES.records
FLAGS = QUERIES.flags
