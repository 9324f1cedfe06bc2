"""Reading an uploaded file into the cells of a template's columns, row by row.

CSV in any encoding Excel writes (see :mod:`collectors.tabular`) or an XLSX workbook
(its first sheet, read with openpyxl in read-only mode). The header row is the row,
among the first few, that holds most of the template's headers, so a title row above it
is fine. Only the template's columns are read; empty rows are skipped, and a long run of
them ends the table. Row numbers are the ones the clerk sees in Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl

from collectors import upload_problems as say
from collectors.errors import SourceError
from collectors.tabular import BOMS, header_key, read_records
from collectors.templates import UploadTemplate
from collectors.upload_problems import FileProblem, Problem, file_problem

HEADER_SEARCH_ROWS = 10
"""The header must be within this many non-empty rows from the top."""
MAX_COLUMNS = 200
MAX_EMPTY_RUN = 1000
"""This many empty rows in a row end the table (Excel often keeps formatted empty rows)."""
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""A workbook (a ZIP archive) may unpack to this much at most: no ZIP bombs."""
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Formula:
    """A formula cell of a workbook: refused, since its value is not in the file."""

    text: str


Cell = str | int | float | bool | dt.datetime | dt.date | Formula | None


@dataclass(frozen=True)
class Grid:
    """The non-empty rows of a file, each with its row number, and what it was read as."""

    rows: list[tuple[int, list[Cell]]]
    source: str  # the text encoding, or "xlsx"


@dataclass(frozen=True)
class Layout:
    """Where the template's columns are in a grid."""

    header_row: int
    positions: dict[str, int]  # field → column index
    ignored: list[str]  # headers of the file the template does not have


RawRow = tuple[int, dict[str, Cell]]
"""A data row: its number and the cell of each of the template's fields it has."""


def is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_grid(filename: str, data: bytes, max_rows: int) -> Grid:
    """The rows of an uploaded CSV or XLSX file; raises :class:`FileProblem` when it is none."""
    if data.startswith(ZIP_MAGIC):
        grid = _workbook_grid(data, max_rows)
    elif data.startswith(OLE_MAGIC):
        raise file_problem(say.OLD_EXCEL)
    elif data and filename.lower().endswith(WORKBOOK_SUFFIXES):
        raise file_problem(say.NOT_WORKBOOK)
    else:
        grid = _text_grid(data, max_rows)
    if not grid.rows:
        raise file_problem(say.EMPTY_FILE)
    return grid


def _text_grid(data: bytes, max_rows: int) -> Grid:
    if not data.startswith(tuple(bom for bom, _ in BOMS)) and b"\x00" in data[:8192]:
        raise file_problem(say.BINARY_FILE)
    try:
        records, encoding = read_records(data)
        return Grid(_non_empty(records, max_rows), encoding)
    except SourceError:
        raise file_problem(say.NOT_TEXT) from None


def _workbook_grid(data: bytes, max_rows: int) -> Grid:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise file_problem(say.NOT_WORKBOOK) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise file_problem(say.too_big_unpacked(MAX_UNPACKED_BYTES))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises whatever its zip and XML readers raise on a broken file
        raise file_problem(say.NOT_WORKBOOK) from None
    try:
        cells = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS)
        return Grid(_non_empty(([_value(cell) for cell in row] for row in cells), max_rows), "xlsx")
    except Exception:  # the sheet's XML is read lazily, row by row
        raise file_problem(say.NOT_WORKBOOK) from None
    finally:
        workbook.close()


def _value(cell: Any) -> Cell:
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(cell.value))
    return cell.value


def _non_empty(rows: Iterable[Sequence[Cell]], max_rows: int) -> list[tuple[int, list[Cell]]]:
    """The non-empty rows with their numbers, up to one more than a header and ``max_rows`` hold."""
    kept: list[tuple[int, list[Cell]]] = []
    empty_run = 0
    for number, row in enumerate(rows, start=1):
        if all(is_blank(cell) for cell in row):
            empty_run += 1
            if empty_run > MAX_EMPTY_RUN:
                break
            continue
        empty_run = 0
        kept.append((number, list(row[:MAX_COLUMNS])))
        if len(kept) > HEADER_SEARCH_ROWS + max_rows:
            break
    return kept


def _matches(row: Sequence[Cell], template: UploadTemplate) -> int:
    wanted = {header_key(header) for header in template.headers}
    return len(wanted & {header_key(cell) for cell in row if not is_blank(cell)})


def find_layout(grid: Grid, template: UploadTemplate, others: Sequence[UploadTemplate] = ()) -> Layout:
    """Find the header row and the template's columns in it.

    Raises :class:`FileProblem` when there is no header, a required column is missing or
    a column is there twice; when another of ``others`` fits the header, it says so.
    """
    candidates = grid.rows[:HEADER_SEARCH_ROWS]
    header_row, header = max(candidates, key=lambda numbered: _matches(numbered[1], template))
    fields = {header_key(column.header): column for column in template.columns}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        column = fields.get(header_key(cell)) if not is_blank(cell) else None
        if column is None:
            ignored += [] if is_blank(cell) else [str(cell).strip()]
        elif column.field in positions:
            problems.append(Problem(header_row, column.header, say.repeated_column(column.header)))
        else:
            positions[column.field] = index
    if not positions:
        problems = [Problem(None, None, say.no_header(template.headers, HEADER_SEARCH_ROWS))]
    else:
        problems += [Problem(None, c.header, say.MISSING_COLUMN) for c in template.columns
                     if c.required and c.field not in positions]
    if problems:
        fitting = [other for other in others if other.id != template.id and _fits(header, other)]
        hints = [Problem(None, None, say.other_template(other.title, other.id)) for other in fitting[:1]]
        raise FileProblem(*problems, *hints)
    return Layout(header_row, positions, ignored)


def _fits(header: Sequence[Cell], template: UploadTemplate) -> bool:
    keys = {header_key(cell) for cell in header if not is_blank(cell)}
    return all(header_key(c.header) in keys for c in template.columns if c.required)


def data_rows(grid: Grid, layout: Layout, max_rows: int) -> list[RawRow]:
    """The rows below the header that have something in the template's columns."""
    rows: list[RawRow] = []
    for number, cells in grid.rows:
        if number <= layout.header_row:
            continue
        values = {field: cells[index] if index < len(cells) else None for field, index in layout.positions.items()}
        if all(is_blank(value) for value in values.values()):
            continue
        rows.append((number, values))
        if len(rows) > max_rows:
            raise file_problem(say.too_many_rows(max_rows))
    if not rows:
        raise file_problem(say.NO_DATA_ROWS)
    return rows
