"""Checking an uploaded file's cells against its template: every cell, then every row, then duplicates.

Cells are read into the column's type (full-width digits and spaces folded with NFKC;
text is kept as written) and must fit the ledger table's column they are stored in (an
``Integer`` holds 32-bit numbers, a ``String(n)`` n characters), so that nothing that
passes here fails in the store. A row is checked for its unit, its period and the order
of its related columns; rows without problems are then compared for duplicates.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from collectors import upload_problems as say
from collectors.collector import UnitDirectory
from collectors.parsing import excel_date, parse_date
from collectors.template_files import unescape
from collectors.templates import MAX_TEXT, Column, UploadTemplate
from collectors.upload_problems import Problem
from collectors.upload_reading import Cell, RawRow, UncachedFormula, is_blank

MAX_PROBLEMS = 100
"""Problems listed for one file; the rest are counted."""
YES_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
NO_WORDS = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗"}
INTEGER_BITS = ((sa.SmallInteger, 16), (sa.BigInteger, 64), (sa.Integer, 32))
"""The bits of each SQL integer type, subclasses first (PostgreSQL's ``integer`` is 32-bit; SQLite's 64)."""
INTEGER = re.compile(r"[+-]?\d+(?:\.0*)?")
DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class CellError(ValueError):
    """A cell that does not hold what its column takes; the message says what is expected."""


@dataclass(frozen=True)
class RowRules:
    """What the rows of one upload are checked against."""

    units: UnitDirectory
    own_unit: str
    own_name: str
    period: str
    period_dates: tuple[dt.date, dt.date] | None


@dataclass(frozen=True)
class Checked:
    """The rows read into their types (field → value, plus ``row_no``) and the problems found."""

    rows: list[dict[str, Any]]
    problems: list[Problem]


def folded(raw: Cell) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip()


def _plain(raw: Cell) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _text(column: Column, raw: Cell, units: UnitDirectory) -> str:
    return unescape(_plain(raw))


def _in_range(column: Column, value: float, raw: Cell) -> None:
    if column.min is not None and value < column.min:
        raise CellError(say.below(raw, column.min))
    if column.max is not None and value > column.max:
        raise CellError(say.above(raw, column.max))


def _number_text(raw: Cell) -> str:
    return "".join(folded(raw).replace(",", "").split())


def _int(column: Column, raw: Cell, units: UnitDirectory) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise CellError(say.not_integer(raw))
    if isinstance(raw, float) and not raw.is_integer():
        raise CellError(say.not_integer(raw))
    if isinstance(raw, str) and not INTEGER.fullmatch(_number_text(raw)):
        raise CellError(say.not_integer(raw))
    value = int(float(_number_text(raw))) if isinstance(raw, str) else int(raw)
    _in_range(column, value, raw)
    return value


def _number(column: Column, raw: Cell, units: UnitDirectory) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise CellError(say.not_number(raw))
    if isinstance(raw, str) and not DECIMAL.fullmatch(_number_text(raw)):
        raise CellError(say.not_number(raw))
    value = float(_number_text(raw)) if isinstance(raw, str) else float(raw)
    _in_range(column, value, raw)
    return value


def _date(column: Column, raw: Cell, units: UnitDirectory) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return excel_date(raw)
        if isinstance(raw, str):
            return parse_date(folded(raw))
    except ValueError:
        pass
    raise CellError(say.not_date(raw))


def _choice(column: Column, raw: Cell, units: UnitDirectory) -> str:
    choices = column.choices or ()
    by_key = {"".join(folded(choice).split()): choice for choice in choices}
    choice = by_key.get("".join(folded(raw).split()))
    if choice is None:
        raise CellError(say.not_choice(raw, choices))
    return choice


def _unit(column: Column, raw: Cell, units: UnitDirectory) -> str:
    code = units.code_for(folded(raw)) or units.code_for(str(raw))
    if code is None:
        raise CellError(say.unknown_unit(raw))
    return code


def _yes_no(column: Column, raw: Cell, units: UnitDirectory) -> bool:
    word = folded(raw).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise CellError(say.not_yes_no(raw, column.words or ()))


PARSERS: dict[str, Callable[[Column, Cell, UnitDirectory], Any]] = {
    "text": _text, "int": _int, "number": _number, "date": _date,
    "choice": _choice, "unit": _unit, "yesno": _yes_no,
}


def _check_storable(value: Any, sql_type: sa.types.TypeEngine[Any], raw: Cell) -> None:
    """Raise :class:`CellError` when the ledger column of ``sql_type`` cannot hold ``value``."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        bits = next((bits for kind, bits in INTEGER_BITS if isinstance(sql_type, kind)), 64)
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        if not low <= value <= high:
            raise CellError(say.beyond_storage(raw, low, high))
    elif isinstance(value, float) and not math.isfinite(value):
        raise CellError(say.not_finite(raw))
    elif isinstance(value, str):
        limit = min(getattr(sql_type, "length", None) or MAX_TEXT, MAX_TEXT)
        if len(value) > limit:
            raise CellError(say.too_long(len(value), limit))
        if "\x00" in value:  # PostgreSQL's text cannot hold it
            raise CellError(say.NUL_CHARACTER)


def parse_cell(column: Column, raw: Cell, units: UnitDirectory, sql_type: sa.types.TypeEngine[Any]) -> Any:
    """The value of a cell in its column's type (None when empty), as the ledger column of ``sql_type``
    can hold it; raises :class:`CellError`."""
    if isinstance(raw, UncachedFormula):
        raise CellError(say.UNCACHED_FORMULA)
    if is_blank(raw):
        if column.required:
            raise CellError(say.REQUIRED)
        return None
    value = PARSERS[column.type](column, raw, units)
    _check_storable(value, sql_type, raw)
    return value


def _row_problems(template: UploadTemplate, values: dict[str, Any], cells: dict[str, Cell],
                  rules: RowRules) -> list[tuple[Column, str]]:
    """Problems of a row whose cells are each fine: its unit, its period, related columns."""
    found: list[tuple[Column, str]] = []
    if template.unit_column and template.row_unit == "own":
        unit = values[template.unit_column]
        if unit is not None and unit != rules.own_unit:
            found.append((template.column(template.unit_column),
                          say.other_unit(cells.get(template.unit_column), rules.own_name)))
    if template.period_field and rules.period_dates and values[template.period_field] is not None:
        day = values[template.period_field]
        if not rules.period_dates[0] <= day <= rules.period_dates[1]:
            found.append((template.column(template.period_field), say.outside_period(day, rules.period)))
    for column in template.columns:
        value = values[column.field]
        for other_field, wrong in ((column.not_above, _exceeds), (column.not_below, _falls_below)):
            other = template.column(other_field) if other_field else None
            if other is not None and value is not None and values[other.field] is not None:
                message = wrong(column, value, other, values[other.field])
                found += [(column, message)] if message else []
    return found


def _exceeds(column: Column, value: Any, other: Column, limit: Any) -> str | None:
    if value <= limit:
        return None
    if column.type == "date":
        return say.later_than(value, other.header, limit)
    return say.more_than(value, other.header, limit)


def _falls_below(column: Column, value: Any, other: Column, limit: Any) -> str | None:
    if value >= limit:
        return None
    if column.type == "date":
        return say.earlier_than(value, other.header, limit)
    return say.less_than(value, other.header, limit)


def _duplicates(template: UploadTemplate, rows: Sequence[dict[str, Any]]) -> list[Problem]:
    whole_rows: dict[tuple[Any, ...], int] = {}
    keys: dict[tuple[Any, ...], int] = {}
    key_headers = [template.column(name).header for name in template.key]
    problems = []
    for values in rows:
        whole = tuple(values[column.field] for column in template.columns)
        key = tuple(values[name] for name in template.key)
        if whole in whole_rows:
            problems.append(Problem(values["row_no"], None, say.identical_row(whole_rows[whole])))
        elif template.key and key in keys:
            problems.append(Problem(values["row_no"], None, say.same_key(keys[key], key_headers)))
        whole_rows.setdefault(whole, values["row_no"])
        keys.setdefault(key, values["row_no"])
    return problems


def check_rows(template: UploadTemplate, raw_rows: Sequence[RawRow], rules: RowRules) -> Checked:
    """Read and check every row; the rows come back in their types, problems in row order."""
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    sound: list[dict[str, Any]] = []
    sql_types = {column.name: column.type for column in template.table.columns}
    for number, cells in raw_rows:
        values: dict[str, Any] = {"row_no": number}
        row_problems = []
        for column in template.columns:
            try:
                values[column.field] = parse_cell(column, cells.get(column.field), rules.units,
                                                  sql_types[column.field])
            except CellError as exc:
                values[column.field] = None
                row_problems.append(Problem(number, column.header, str(exc)))
        if not row_problems:
            row_problems = [Problem(number, column.header, message)
                            for column, message in _row_problems(template, values, cells, rules)]
        rows.append(values)
        problems += row_problems
        sound += [] if row_problems else [values]
    problems = sorted(problems + _duplicates(template, sound), key=lambda problem: problem.row or 0)
    if len(problems) > MAX_PROBLEMS:
        rest = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [Problem(None, None, say.more_problems(rest))]
    return Checked(rows, problems)
