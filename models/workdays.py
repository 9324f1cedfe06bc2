"""Chinese working days: the official holiday calendar with its make-up workdays.

The calendar comes from the maintained ``chinesecalendar`` package. For a year the
package does not cover yet, weekends are rest days and every weekday is a workday,
and :func:`is_covered` says so, so that callers can warn. Counting and adding working days
look the days up in a table per year (working days among a year's first n days), built once.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from functools import cache

import chinese_calendar


@cache
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


@cache
def _counted(year: int) -> tuple[int, ...]:
    """Working days among the first n days of ``year``, for n from 0 to the year's length: the
    lookup table that counts working days between any two days without asking about each day."""
    first = dt.date(year, 1, 1)
    counts = [0]
    for n in range((dt.date(year + 1, 1, 1) - first).days):
        counts.append(counts[-1] + is_workday(first + dt.timedelta(days=n)))
    return tuple(counts)


def _through(day: dt.date) -> int:
    """Working days from the first of ``day``'s year up to and including ``day``."""
    return _counted(day.year)[day.timetuple().tm_yday]


def _nth_workday_from(year: int, nth: int) -> dt.date:
    """The day on which the ``nth`` working day counted from the first of ``year`` falls (``nth`` ≥ 1)."""
    while nth > _counted(year)[-1]:
        nth -= _counted(year)[-1]
        year += 1
    return dt.date(year, 1, 1) + dt.timedelta(days=bisect_left(_counted(year), nth) - 1)


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The working day that falls ``days`` working days after ``start``.

    ``add_workdays(friday, 1)`` is the next Monday (or the next make-up workday).
    ``days`` of 0 gives ``start`` itself when it is a workday, else the next workday.
    """
    if days == 0:
        return _nth_workday_from(start.year, _through(start) - is_workday(start) + 1)
    return _nth_workday_from(start.year, _through(start) + days)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if ``end <= start``)."""
    if end <= start:
        return 0
    years = sum(_counted(year)[-1] for year in range(start.year, end.year))
    return years + _through(end) - _through(start)


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
