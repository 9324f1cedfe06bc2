"""The tables an export is made of, independent of the file they end up in.

A :class:`Sheet` is a title and a table; its cells are text, whole numbers, or a
:class:`Number` that carries the indicator unit it is measured in (a ratio is shown as a
percentage, a count as a whole number). The workbook writer and the dashboard's printable
view both render the same sheets, so the page shows what the file holds.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from collectors.report import STATUS_LABELS

TEXT_FORMATS = {"ratio": "{:.1%}", "count": "{:,.0f}", "days": "{:.1f}", "score": "{:.2f}"}
EXCEL_FORMATS = {"ratio": "0.0%", "count": "#,##0", "days": "0.0", "score": "0.00"}
STATUS_COLOURS = {
    STATUS_LABELS["met"]: "C6EFCE",
    STATUS_LABELS["at_risk"]: "FFEB9C",
    STATUS_LABELS["missed"]: "FFC7CE",
}
"""Background colours (RGB) of the status cells, as Excel's own good / neutral / bad styles."""


@dataclass(frozen=True)
class Number:
    """A figure in an indicator unit (ratio, count, days, score)."""

    value: float
    unit: str

    @property
    def text(self) -> str:
        return TEXT_FORMATS.get(self.unit, "{:g}").format(self.value)


Cell = str | int | float | Number | None


@dataclass(frozen=True)
class Sheet:
    """A titled table: one sheet of the workbook, one table of the printable view."""

    name: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    """A line under the table (how it was worked out)."""


def cell_of(value: Any) -> Cell:
    """A value of a plugin's table as a cell: dates as text, booleans as 是/否."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, int | float | str | Number):
        return value
    return str(value)


def cell_text(cell: Cell) -> str:
    """A cell as the printable view shows it."""
    if cell is None:
        return ""
    if isinstance(cell, Number):
        return cell.text
    if isinstance(cell, float):
        return f"{cell:g}"
    return str(cell)


def text_width(text: str) -> int:
    """Columns ``text`` takes in a fixed-width font: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
