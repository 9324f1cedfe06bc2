"""SQL expressions the indicator queries share, compiled for SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Date, Float, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import FunctionElement

from models.calendar import CalendarDay

# Mainland China keeps UTC+8 all year; times are stored in UTC.
LOCAL_OFFSET_HOURS = 8


class month_of(FunctionElement[str]):
    """The local calendar month ("2026-03") of a stored UTC time."""

    type = String()
    inherit_cache = True
    name = "month_of"


class local_date(FunctionElement[Any]):
    """The local calendar date of a stored UTC time."""

    type = Date()
    inherit_cache = True
    name = "local_date"


class day_number_of(FunctionElement[int]):
    """The local calendar day of a stored UTC time as a number (days since 1970-01-01), in integer arithmetic."""

    type = Integer()
    inherit_cache = True
    name = "day_number_of"


class position_of(FunctionElement[int]):
    """Where the second text first occurs in the first, counting from 1 (0 when it does not)."""

    type = Integer()
    inherit_cache = True
    name = "position_of"


class days_between(FunctionElement[float]):
    """Days from the first time or date to the second (fractional for times; negative when earlier).

    ``days_between(local_date(a), local_date(b))`` counts calendar days.
    """

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"strftime('%Y-%m', {compiler.process(column, **kw)}, '+{LOCAL_OFFSET_HOURS} hours')"


@compiles(month_of, "postgresql")
def _month_of_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"to_char({compiler.process(column, **kw)} + interval '{LOCAL_OFFSET_HOURS} hours', 'YYYY-MM')"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"date({compiler.process(column, **kw)}, '+{LOCAL_OFFSET_HOURS} hours')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"CAST({compiler.process(column, **kw)} + interval '{LOCAL_OFFSET_HOURS} hours' AS DATE)"


LOCAL_OFFSET_SECONDS = LOCAL_OFFSET_HOURS * 3600
DAY_SECONDS = 86400
UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)
"""Whether SQLite has ``unixepoch`` (3.38); before it, seconds come from ``strftime('%s')``, slower."""


@compiles(day_number_of, "sqlite")
def _day_number_of_sqlite(element: day_number_of, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    time = compiler.process(column, **kw)
    seconds = f"unixepoch({time})" if UNIXEPOCH else f"CAST(strftime('%s', {time}) AS INTEGER)"
    return f"(({seconds} + {LOCAL_OFFSET_SECONDS}) / {DAY_SECONDS})"


@compiles(day_number_of, "postgresql")
def _day_number_of_postgresql(element: day_number_of, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    seconds = f"EXTRACT(EPOCH FROM CAST({compiler.process(column, **kw)} AS TIMESTAMP))"
    return f"CAST(floor(({seconds} + {LOCAL_OFFSET_SECONDS}) / {DAY_SECONDS}) AS INTEGER)"


@compiles(position_of, "sqlite")
def _position_of_sqlite(element: position_of, compiler: Any, **kw: Any) -> str:
    text, part = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"instr({text}, {part})"


@compiles(position_of, "postgresql")
def _position_of_postgresql(element: position_of, compiler: Any, **kw: Any) -> str:
    text, part = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"strpos({text}, {part})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM (CAST({end} AS TIMESTAMP) - CAST({start} AS TIMESTAMP))) / 86400.0)"


def workday_seq_of(time: ColumnElement[Any], name: str) -> tuple[Any, ColumnElement[bool]]:
    """A calendar alias and the join condition that give ``time``'s working-day sequence: the day is
    looked up by its number, worked out from the time with integer arithmetic (no date text per row).

    Join two of these and subtract their ``workday_seq`` to count working days.
    """
    day = aliased(CalendarDay, name=name)
    return day, day.day_number == day_number_of(time)
