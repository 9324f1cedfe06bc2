"""Reading an uploaded file into the cells of a template's columns, row by row.

CSV in any encoding Excel writes (see :mod:`collectors.tabular`) or an XLSX workbook,
read by :mod:`collectors.workbook` within bounds (what it unpacks to, each part's size,
each sheet's real area; no macros). Of a workbook, the first sheet that holds the
template's header is read, so a sheet of notes before the ledger is fine. The header row
is the row, among the first few, that holds most of the template's headers, so a title
row above it is fine. Only the template's columns are read; empty rows are skipped. Row
numbers are the ones the clerk sees in Excel.

A formula cell is read as the value Excel saved with it. A formula saved without its
value (written by a program, never opened in Excel) is marked :class:`UncachedFormula`, so
that the clerk is told rather than the cell read as empty.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

from collectors import upload_problems as say
from collectors.errors import SourceError
from collectors.tabular import BOMS, UnbalancedQuote, decode, header_key, read_records
from collectors.templates import MAX_TEXT, UploadTemplate
from collectors.upload_problems import FileProblem, Problem, file_problem
from collectors.workbook import MAX_UNPACKED_BYTES, OLE_MAGIC, WorkbookError, is_workbook, read_sheets
from collectors.workbook import Cell as WorkbookCell

HEADER_SEARCH_ROWS = 10
"""The header must be within this many non-empty rows from the top."""
MAX_COLUMNS = 200
MAX_SHEET_ROWS = 50_000
"""Rows a sheet may span from its first row to its last (empty rows between data count)."""
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb")
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
"""Names Excel gives macro-enabled workbooks: refused by name as well as for a VBA project inside."""
TEXT_SNIFF_BYTES = 8192
SHARED_STRINGS = "xl/sharedstrings.xml"
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
"""What an upload's shared-strings table may unpack to: 10,000 rows of text take a few MB, and
the reader holds about three times the table in memory."""
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
CELL_START = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
CELL_TAG_BYTES = 4096
"""How far before its formula a cell's start tag may be."""
CELL_END = re.compile(rb"</(?:\w+:)?c>")
CELL_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?is>")


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell saved without its value: what Excel would show is not in the file."""


Cell = WorkbookCell | UncachedFormula


@dataclass(frozen=True)
class Grid:
    """The non-empty rows of a file or sheet, each with its row number, and what it was read as."""

    rows: list[tuple[int, list[Cell]]]
    source: str  # the text encoding, or "xlsx"
    sheet: str | None = None
    sheet_index: int = 0


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


def read_grids(filename: str, data: bytes, max_rows: int) -> Iterator[Grid]:
    """The sheets of an uploaded workbook, or the one table of a CSV file, as grids (empty ones too).

    Raises :class:`FileProblem` when the file is no table at all; a workbook's sheets are
    read one by one, as they are asked for.
    """
    if filename.lower().endswith(MACRO_SUFFIXES):
        raise file_problem(say.MACROS)
    if is_workbook(data) or data.startswith(OLE_MAGIC):
        yield from _workbook_grids(data, max_rows)
    elif data and filename.lower().endswith(WORKBOOK_SUFFIXES):
        raise file_problem(say.NOT_WORKBOOK)
    else:
        yield _text_grid(data, max_rows)


def _text_grid(data: bytes, max_rows: int) -> Grid:
    if not data.startswith(tuple(bom for bom, _ in BOMS)) and b"\x00" in data[:TEXT_SNIFF_BYTES]:
        raise file_problem(say.BINARY_FILE)
    try:
        records, encoding = read_records(data)
        return Grid(_non_empty(records, max_rows), encoding)
    except SourceError as exc:
        raise file_problem(_text_problem(data, exc)) from None


def _text_problem(data: bytes, exc: SourceError) -> str:
    """What is wrong with a file that is not CSV text: its encoding, binary content, or its CSV."""
    if isinstance(exc, UnbalancedQuote):
        return say.unbalanced_quote(exc.line)
    if "field larger than field limit" in str(exc):  # the csv module's own words
        return say.huge_cell(csv.field_size_limit(), MAX_TEXT)
    try:
        text, _ = decode(data)
    except SourceError:
        return say.NOT_TEXT
    return say.BINARY_FILE if "\x00" in text else say.NOT_CSV


def _workbook_grids(data: bytes, max_rows: int) -> Iterator[Grid]:
    try:
        _check_shared_strings(data)
        sheets = read_sheets(data, MAX_SHEET_ROWS + 1)
        uncached: dict[str, set[tuple[int, int]]] | None = None
        for index, sheet in enumerate(sheets):
            if len(sheet.rows) > MAX_SHEET_ROWS:
                raise file_problem(say.sheet_too_long(sheet.name, MAX_SHEET_ROWS))
            uncached = _uncached_formulas(data) if uncached is None else uncached
            rows: list[list[Cell]] = [list(row) for row in sheet.rows]
            for row, column in uncached.get(sheet.name, ()):
                if row < len(rows) and column < len(rows[row]):
                    rows[row][column] = UncachedFormula()
            yield Grid(_non_empty(rows, max_rows), "xlsx", sheet.name, index)
    except WorkbookError as exc:
        raise file_problem(say.workbook_refused(exc.kind, exc.detail)) from None


def _check_shared_strings(data: bytes) -> None:
    """Refuse a shared-strings table bigger than a ledger's: the reader holds all of it in memory."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        return  # read_sheets says what is wrong with it
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        return  # read_sheets refuses it for its size as a whole
    size = sum(member.file_size for member in members if member.filename.lower() == SHARED_STRINGS)
    if size > MAX_SHARED_STRINGS_BYTES:
        raise WorkbookError("too_big_part", "the shared strings are too big", limit=MAX_SHARED_STRINGS_BYTES)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet's part in the archive → the sheet's name, from the workbook and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relationships}
    parts = {}
    for sheet in workbook.iter():
        ids = [value for key, value in sheet.attrib.items() if key.endswith("}id")]
        if sheet.tag.endswith("}sheet") and ids and ids[0] in targets:
            target = targets[ids[0]]
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            parts[path] = sheet.get("name", "")
    return parts


def _uncached_formulas(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name, the (row, column) indexes from 0 of formula cells saved without a value.

    Called on a workbook :func:`collectors.workbook.check_archive` has passed, so its parts are
    of a bounded size; only the cells around each formula are looked at.
    """
    found: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            parts = _sheet_parts(archive)
        except (KeyError, ElementTree.ParseError):
            return found  # calamine read the sheets: a workbook without the usual parts has no formulas to find
        for path, name in parts.items():
            xml = archive.read(path) if path in archive.namelist() else b""
            if b"<f" not in xml and b":f" not in xml:  # most sheets: no formula at all (a fast byte search)
                continue
            for formula in FORMULA.finditer(xml):
                cell = _cell_around(xml, formula.start())
                end = CELL_END.search(xml, formula.end())
                if cell and not CELL_VALUE.search(xml, formula.end(), end.start() if end else len(xml)):
                    found.setdefault(name, set()).add((int(cell[2]) - 1, _column_index(cell[1])))
    return found


def _cell_around(xml: bytes, at: int) -> re.Match[bytes] | None:
    """The start tag of the cell that holds position ``at`` of a sheet's XML (with its reference)."""
    low = max(0, at - CELL_TAG_BYTES)
    start = max(xml.rfind(b"<c ", low, at), xml.rfind(b":c ", low, at))
    return CELL_START.match(xml, xml.rfind(b"<", 0, start + 1)) if start >= 0 else None


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _non_empty(rows: Iterable[Sequence[Cell]], max_rows: int) -> list[tuple[int, list[Cell]]]:
    """The non-empty rows with their numbers, up to one more than a header and ``max_rows`` hold."""
    kept: list[tuple[int, list[Cell]]] = []
    for number, row in enumerate(rows, start=1):
        if all(is_blank(cell) for cell in row):
            continue
        kept.append((number, list(row[:MAX_COLUMNS])))
        if len(kept) > HEADER_SEARCH_ROWS + max_rows:
            break
    return kept


def _matches(row: Sequence[Cell], template: UploadTemplate) -> int:
    wanted = {header_key(header) for header in template.headers}
    return len(wanted & {header_key(cell) for cell in row if not is_blank(cell)})


def _header(grid: Grid, template: UploadTemplate) -> tuple[int, list[Cell]]:
    """The row among the first few that holds most of the template's headers, with its number."""
    return max(grid.rows[:HEADER_SEARCH_ROWS], key=lambda numbered: _matches(numbered[1], template))


def pick_grid(grids: Iterable[Grid], template: UploadTemplate) -> Grid:
    """The first grid (sheet) whose header has the template's required columns, else the one most like it.

    Raises :class:`FileProblem` when every grid is empty.
    """
    best: Grid | None = None
    best_matches = -1
    for grid in grids:
        if not grid.rows:
            continue
        header = _header(grid, template)[1]
        matches = _matches(header, template)
        if matches and _fits(header, template):
            return grid
        if matches > best_matches:
            best, best_matches = grid, matches
    if best is None:
        raise file_problem(say.EMPTY_FILE)
    return best


def find_layout(grid: Grid, template: UploadTemplate, others: Sequence[UploadTemplate] = ()) -> Layout:
    """Find the header row and the template's columns in it.

    Raises :class:`FileProblem` when there is no header, a required column is missing or
    a column is there twice; when another of ``others`` fits the header, it says so.
    """
    header_row, header = _header(grid, template)
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
