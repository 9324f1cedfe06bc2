"""Reading the tables offices and exports produce: CSV in the encodings Excel writes, and workbooks.

Encodings tried in order: a byte-order mark (UTF-8, UTF-16), strict UTF-8, GB18030 (a
superset of GBK that also holds what GBK cannot, such as U+00A0), then
charset-normalizer's best guess. UTF-16 text from Excel ("Unicode text") is
tab-separated; the delimiter is detected from the first line that has one. A quote that
opens a cell and never closes properly is refused with its line (:class:`UnbalancedQuote`),
rather than read as one cell swallowing the rows after it.

A collector reads a file's tables with :func:`read_tables`: the CSV file, or every sheet of
an XLSX workbook whose header holds a header the collector knows, the header found below any
title rows; then :func:`column_fields` maps the header onto its fields (checking the
``…_map`` setting's keys) and :func:`date_orders` decides how each date column reads.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from charset_normalizer import from_bytes

from collectors.errors import SourceError
from collectors.parsing import column_date_order
from collectors.workbook import Cell, is_workbook, read_sheets

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
STRICT_ENCODINGS = ("utf-8", "gb18030")
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_LINES = 5
HEADER_SEARCH_ROWS = 10
"""The header must be within this many non-empty rows from the top of a file or sheet."""
MAX_ROWS = 1_000_000
"""Rows read from one sheet of a workbook."""
WORKBOOK = "xlsx"
"""What :attr:`Table.encoding` says for a table read from a workbook."""


class UnbalancedQuote(SourceError):
    """A CSV file whose quote at ``line`` opens a cell that does not close where a cell ends."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: a quote (\") opens a cell that is not closed where the cell ends, so the "
                         f"lines after it would run into that cell; correct the quotes of line {line}")
        self.line = line


@dataclass(frozen=True)
class Table:
    """A decoded table: its header, its rows (header → cell text), and the encoding it was in
    (:data:`WORKBOOK` for a sheet); ``lines`` gives each row's line (CSV) or row number (sheet)."""

    header: list[str]
    rows: list[dict[str, str]]
    encoding: str
    lines: list[int] = field(default_factory=list)
    sheet: str | None = None

    def where(self, file: str) -> str:
        """``export.xlsx sheet 办件`` or ``export.csv``: where the table is, for messages."""
        return f"{file} sheet {self.sheet}" if self.sheet is not None else file

    @property
    def in_sheet(self) -> str:
        """``sheet 办件: `` before a message about a sheet's table, nothing for a CSV file's."""
        return f"sheet {self.sheet}: " if self.sheet is not None else ""


def header_key(text: Any) -> str:
    """A header as compared: full-width forms folded, white space (line breaks too) and required-marks (*)
    dropped, so that ``信息 来源``, ``信息\\n来源`` and ``信息来源`` are the same header."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).strip("*")


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise SourceError(f"the file starts like {encoding} text but is not; save it as CSV again") from None
    for encoding in STRICT_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    guess = from_bytes(data).best()
    if guess is None:
        raise SourceError("the file is not text in a known encoding (UTF-8, GBK/GB18030, UTF-16); save it as CSV")
    return str(guess), guess.encoding


def _delimiter(text: str) -> str:
    """The delimiter of the first of the first lines that has one (a title line may have none)."""
    for line in text.split("\n", DELIMITER_LINES)[:DELIMITER_LINES]:
        if any(delimiter in line for delimiter in DELIMITERS):
            return max(DELIMITERS, key=line.count)
    return DELIMITERS[0]


def _decoded(data: bytes) -> tuple[str, str]:
    text, encoding = decode(data)
    if "\x00" in text:
        raise SourceError("the file holds binary data, not CSV text")
    return text.lstrip("\ufeff"), encoding


def read_records(data: bytes) -> tuple[Iterator[list[str]], str]:
    """The records of CSV ``data``, each as its cells (unstripped; empty records kept, so
    that record *n* is row *n* as a spreadsheet shows it), and the encoding it was in."""
    text, encoding = _decoded(data)
    return (cells for _, cells in _records(text)), encoding


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on; :class:`UnbalancedQuote` at a quote that does not close."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        if "expected after" in str(exc) or "end of data" in str(exc):
            raise UnbalancedQuote(start) from None
        raise SourceError(f"line {start}: the file is not valid CSV ({exc})") from None


def cell_text(cell: Cell) -> str:
    """A workbook cell as a CSV would hold it: whole numbers without ``.0``, times in ISO form."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date | dt.time):
        return cell.isoformat(sep=" ") if isinstance(cell, dt.datetime) else cell.isoformat()
    return str(cell)


Grid = list[tuple[int, list[str]]]
"""The non-empty rows of a file or sheet, each with its line or row number."""


def _header_row(grid: Grid, keys: Collection[str]) -> int | None:
    """The index in ``grid`` of the row, among the first few, holding most of ``keys``; None when none holds one."""
    found = [sum(header_key(cell) in keys for cell in cells) for _, cells in grid[:HEADER_SEARCH_ROWS]]
    best = max(found, default=0)
    return found.index(best) if best else None


def _table(grid: Grid, at: int, encoding: str, sheet: str | None) -> Table:
    header = [cell.strip() for cell in grid[at][1]]
    body = grid[at + 1:]
    rows = [dict(zip(header, (cell.strip() for cell in cells), strict=False)) for _, cells in body]
    return Table(header, rows, encoding, [number for number, _ in body], sheet)


def _non_empty(rows: Iterable[tuple[int, list[str]]]) -> Grid:
    return [(number, cells) for number, cells in rows if any(cell.strip() for cell in cells)]


def read_tables(data: bytes, known: Iterable[str], max_rows: int = MAX_ROWS) -> list[Table]:
    """The tables of a CSV file or an XLSX workbook, each with its header: the row, among the first
    :data:`HEADER_SEARCH_ROWS` non-empty ones, that holds most of the ``known`` headers (compared by
    :func:`header_key`), so that title rows above it are skipped. A workbook gives a table for every
    sheet holding a known header; when no row or sheet does, the first row of the file (or of its
    first sheet) is the header, for the reader to say which column it misses. Empty rows are skipped."""
    keys = {header_key(header) for header in known}
    if is_workbook(data):
        sheets = [(sheet.name, _non_empty((number, [cell_text(cell) for cell in cells])
                                          for number, cells in enumerate(sheet.rows, start=1)))
                  for sheet in read_sheets(data, max_rows)]
        sheets = [(name, grid) for name, grid in sheets if grid]
        if not sheets:
            raise SourceError("the workbook is empty")
        found = [(name, grid, _header_row(grid, keys)) for name, grid in sheets]
        tables = [_table(grid, at, WORKBOOK, name) for name, grid, at in found if at is not None]
        return tables or [_table(sheets[0][1], 0, WORKBOOK, sheets[0][0])]
    text, encoding = _decoded(data)
    grid = _non_empty(_records(text))
    if not grid:
        raise SourceError("the file is empty")
    return [_table(grid, _header_row(grid, keys) or 0, encoding, None)]


def column_fields(header: Sequence[str], defaults: Mapping[str, str], extra: Mapping[str, str],
                  setting: str) -> dict[str, str]:
    """The field of each column of ``header`` that ``extra`` (the ``setting``, e.g. ``header_map``) or
    ``defaults`` name, ``extra``'s columns first; headers are compared by :func:`header_key`.

    A key of ``extra`` that matches no column, for a field no other column gives, raises
    :class:`SourceError` naming the closest header: ``no column 信息来源 (header_map); did you mean
    信息来源渠道?`` (a folder may hold exports of several shapes, each giving the field its own way).
    """
    columns = {header_key(column): column for column in header if column.strip()}
    fields: dict[str, str] = {}
    for names in (extra, defaults):
        for key, name in names.items():
            column = columns.get(header_key(key))
            if column is not None:
                fields.setdefault(column, name)
    missing = [key for key, name in extra.items() if header_key(key) not in columns and name not in fields.values()]
    if missing:
        raise SourceError("; ".join(_no_column(key, columns, setting) for key in missing))
    return fields


def _no_column(key: str, columns: Mapping[str, str], setting: str) -> str:
    close = difflib.get_close_matches(header_key(key), list(columns), n=1, cutoff=0.5)
    if close:
        return f"no column {key} ({setting}); did you mean {columns[close[0]]}?"
    return f"no column {key} ({setting}); the header is {', '.join(list(columns.values())[:10])}"


def date_orders(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, str], setting: str,
                notes: list[str]) -> dict[str, str]:
    """The date order of each of ``columns`` (a field of ``rows`` → where it is, for the note), by
    :func:`collectors.parsing.column_date_order` with the ``date_order`` ``setting``; notes go to ``notes``."""
    orders = {}
    for name, where in columns.items():
        orders[name], note = column_date_order((row.get(name) for row in rows), setting, where)
        if note:
            notes.append(note)
    return orders
