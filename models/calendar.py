"""The working-day calendar table that lets SQL count Chinese working days."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models import workdays
from models.base import Base


class CalendarDay(Base):
    """One calendar day; ``workday_seq`` differences count working days between days."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    workday_seq: Mapped[int]


def fill_calendar(session: Session, first: dt.date, last: dt.date) -> None:
    """Replace the calendar with every day from ``first`` to ``last``."""
    session.execute(delete(CalendarDay))
    session.execute(
        insert(CalendarDay),
        [
            {"day": day, "is_workday": workday, "workday_seq": seq}
            for day, workday, seq in workdays.calendar_rows(first, last)
        ],
    )
