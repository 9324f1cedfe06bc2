"""Complaints (效能投诉) for their source page: volumes, groupings, handling time, red flags, records.

A complaint is in the period when it was received in it, and belongs to the unit complained about
(as the indicators of tasks 13–15 count it). Handling time counts working days from receipt to
closure, over the complaints closed in the period.

Red flags of the complaints received in the period, judged at the period's end or now if that is
earlier (as :mod:`models.indicators.complaints` judges deadlines):

- ``overdue_open``: past its deadline and not closed by then;
- ``closed_late``: closed after its deadline;
- ``escalated``: 提级督办, still open after being sent back again and again
  (:func:`models.complaints.escalation_query`).

Records leave the personal columns (:func:`models.complaints.personal_columns`) out unless asked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from models.complaints import Complaint, escalation_query, personal_columns
from models.indicators.complaints import as_of
from models.summaries.query import Durations, Filter, SourceQueries, count, durations, working_days

RECORD_COLUMNS = (
    Complaint.external_id,
    Complaint.received_at,
    Complaint.channel,
    Complaint.category,
    Complaint.four_chaos,
    Complaint.unit_code,
    Complaint.unit_name,
    Complaint.deadline_at,
    Complaint.status,
    Complaint.closed_at,
    Complaint.rehandled_count,
    Complaint.verified,
    Complaint.satisfaction,
)
"""What the records list shows of a complaint to everyone: no personal data, no free text."""
PERSONAL_COLUMNS = tuple(getattr(Complaint, name) for name in personal_columns(Complaint))
"""What it adds for the roles that may see personal data."""


def _of_unit(where: Filter) -> list[ColumnElement[bool]]:
    return [] if where.unit is None else [Complaint.unit_code == where.unit]


def chosen(where: Filter) -> list[ColumnElement[bool]]:
    """The complaints received in the period, about the unit if one is chosen."""
    return [where.during(Complaint.received_at), *_of_unit(where)]


def volumes(session: Session, where: Filter) -> dict[str, int]:
    """Complaints received in the period; of them closed, still open, and verified (查实)."""
    received = count(session, *chosen(where), of=Complaint)
    closed = count(session, *chosen(where), Complaint.status == "closed", of=Complaint)
    verified = count(session, *chosen(where), Complaint.verified.is_(True), of=Complaint)
    return {"received": received, "closed": closed, "open": received - closed, "verified": verified}


def handling_time(session: Session, where: Filter) -> Durations:
    """Working days from receipt to closure of the complaints closed in the period."""
    rows = working_days(Complaint.unit_code, Complaint.received_at, Complaint.closed_at,
                        where.during(Complaint.closed_at), *_of_unit(where))
    return durations(session, rows, where)


def flag_conditions(where: Filter) -> dict[str, ColumnElement[bool]]:
    """The condition a complaint raising each red flag meets (see the module docstring)."""
    moment = as_of(where.scope)
    open_then = or_(Complaint.closed_at > moment, and_(Complaint.closed_at.is_(None), Complaint.status != "closed"))
    return {
        "overdue_open": and_(*chosen(where), Complaint.deadline_at < moment, open_then),
        "closed_late": and_(*chosen(where), Complaint.closed_at > Complaint.deadline_at),
        "escalated": and_(*chosen(where), escalation_query().whereclause),
    }


def listing(personal: bool) -> Select[Any]:
    """A complaint's columns; complaint text, names, phone numbers and addresses only with ``personal``."""
    return select(*RECORD_COLUMNS, *(PERSONAL_COLUMNS if personal else ()))


QUERIES = SourceQueries(
    time=Complaint.received_at,
    unit=Complaint.unit_code,
    chosen=chosen,
    volumes=volumes,
    groups={"category": Complaint.category, "channel": Complaint.channel, "four_chaos": Complaint.four_chaos},
    handling_time=handling_time,
    flag_conditions=flag_conditions,
    listing=listing,
    newest_first=(Complaint.received_at.desc(), Complaint.id.desc()),
)
summary = QUERIES.summary
records = QUERIES.records
FLAGS = QUERIES.flags
