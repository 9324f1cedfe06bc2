"""The working-day calendar table that lets SQL count Chinese working days.

A day is found by its number (days since 1970-01-01), its key, which SQL works out from a
stored time with integer arithmetic.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models import workdays
from models.base import Base


class CalendarDay(Base):
    """One calendar day; ``workday_seq`` differences count working days between days."""

    __tablename__ = "calendar_days"

    day_number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    """Days from 1970-01-01 to ``day``, what :class:`models.indicators.sql.day_number_of` gives for a time:
    the key (SQLite's rowid), so that finding a day is the cheapest lookup there is."""
    day: Mapped[dt.date] = mapped_column(unique=True)
    is_workday: Mapped[bool]
    workday_seq: Mapped[int]


EPOCH = dt.date(1970, 1, 1)


def fill_calendar(session: Session, first: dt.date, last: dt.date) -> None:
    """Replace the calendar with every day from ``first`` to ``last``."""
    session.execute(delete(CalendarDay))
    session.execute(
        insert(CalendarDay),
        [
            {"day": day, "day_number": (day - EPOCH).days, "is_workday": workday, "workday_seq": seq}
            for day, workday, seq in workdays.calendar_rows(first, last)
        ],
    )
