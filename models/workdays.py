"""Chinese working days: the official holiday calendar with its make-up workdays.

The calendar comes from the maintained ``chinesecalendar`` package. For a year the
package does not cover yet, weekends are rest days and every weekday is a workday,
and :func:`is_covered` says so, so that callers can warn.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=None)
def is_covered(year: int) -> bool:
    """Whether the official calendar for ``year`` is known."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day in mainland China."""
    if is_covered(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The working day that falls ``days`` working days after ``start``.

    ``add_workdays(friday, 1)`` is the next Monday (or the next make-up workday).
    ``days`` of 0 gives ``start`` itself when it is a workday, else the next workday.
    """
    day = start
    if days == 0:
        while not is_workday(day):
            day += dt.timedelta(days=1)
        return day
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if ``end <= start``)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def calendar_rows(first: dt.date, last: dt.date) -> list[tuple[dt.date, bool, int]]:
    """(day, is_workday, workday_seq) for every day from ``first`` to ``last``.

    ``workday_seq`` counts working days from ``first``; the difference of two days'
    sequence numbers is the number of working days between them, which lets SQL
    count working days with two joins.
    """
    rows = []
    seq = 0
    day = first
    while day <= last:
        workday = is_workday(day)
        if workday:
            seq += 1
        rows.append((day, workday, seq))
        day += dt.timedelta(days=1)
    return rows
