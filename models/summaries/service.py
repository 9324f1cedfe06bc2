"""The service centre's cases (办件) for its source page: volumes, groupings, handling time, red flags, records.

A case is in the period when it was accepted in it, and belongs to a unit when that unit handled it
or when it was taken at that township's or street's service point. Handling time counts working
days from acceptance to completion, over the cases completed in the period.

Red flags, judged at the period's end or now if that is earlier:

- ``overdue_open``: accepted in the period, past its due time and not completed by then;
- ``completed_late``: completed in the period after its due time (the complement of 限时办结率).

Cases hold no personal data: their records are the same for every role.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from models.indicators.complaints import as_of
from models.service import ApprovalItem, Case
from models.summaries.query import Durations, Filter, SourceQueries, count, durations, working_days

ITEM = and_(ApprovalItem.source == Case.source, ApprovalItem.external_id == Case.item_id)
RECORD_COLUMNS = (
    Case.external_id,
    ApprovalItem.name.label("item_name"),
    Case.unit_code,
    Case.point_level,
    Case.point_unit_code,
    Case.channel,
    Case.accepted_at,
    Case.due_at,
    Case.completed_at,
    Case.supplement_count,
    Case.rating,
)


def _of_unit(where: Filter) -> list[ColumnElement[bool]]:
    if where.unit is None:
        return []
    return [or_(Case.unit_code == where.unit, Case.point_unit_code == where.unit)]


def chosen(where: Filter) -> list[ColumnElement[bool]]:
    """The cases accepted in the period, of the unit if one is chosen."""
    return [where.during(Case.accepted_at), *_of_unit(where)]


def volumes(session: Session, where: Filter) -> dict[str, int]:
    """Cases accepted in the period; of them completed, still open, and applied for online."""
    accepted = count(session, *chosen(where), of=Case)
    completed = count(session, *chosen(where), Case.completed_at.is_not(None), of=Case)
    online = count(session, *chosen(where), Case.channel == "online", of=Case)
    return {"accepted": accepted, "completed": completed, "open": accepted - completed, "online": online}


def handling_time(session: Session, where: Filter) -> Durations:
    """Working days from acceptance to completion of the cases completed in the period."""
    rows = working_days(Case.unit_code, Case.accepted_at, Case.completed_at, where.during(Case.completed_at),
                        *_of_unit(where))
    return durations(session, rows, where)


def flag_conditions(where: Filter) -> dict[str, ColumnElement[bool]]:
    """The condition a case raising each red flag meets (see the module docstring)."""
    moment = as_of(where.scope)
    open_then = or_(Case.completed_at.is_(None), Case.completed_at > moment)
    return {
        "overdue_open": and_(*chosen(where), Case.due_at < moment, open_then),
        "completed_late": and_(where.during(Case.completed_at), *_of_unit(where), Case.completed_at > Case.due_at),
    }


def listing(personal: bool) -> Select[Any]:
    """A case with its item's name."""
    return select(*RECORD_COLUMNS).select_from(Case).outerjoin(ApprovalItem, ITEM)


QUERIES = SourceQueries(
    time=Case.accepted_at,
    unit=Case.unit_code,
    chosen=chosen,
    volumes=volumes,
    groups={"channel": Case.channel, "point_level": Case.point_level},
    handling_time=handling_time,
    flag_conditions=flag_conditions,
    listing=listing,
    newest_first=(Case.accepted_at.desc(), Case.id.desc()),
)
summary = QUERIES.summary
records = QUERIES.records
FLAGS = QUERIES.flags
