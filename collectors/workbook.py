"""Reading Excel workbooks (XLSX, and XLSB/ODS where calamine reads them) within bounds.

A workbook is a ZIP archive of XML parts. Before anything is parsed, the archive is checked:
what it unpacks to, whether it carries macros (``vbaProject.bin``), and the area each sheet
really spans (from the cell references in its XML, since the declared dimension can lie and
a reader allocates the whole area). Only then are the sheets read, by ``python-calamine``
(native code: a sheet of 100,000 rows takes well under a second). Cells come back as Python
values; a merged range gives every cell it covers the value of its first cell, so merged
header cells name each column they span.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from python_calamine import CalamineWorkbook

from collectors.errors import SourceError

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""What a workbook may unpack to: no ZIP bombs."""
MAX_PART_BYTES = 64 * 1024 * 1024
"""What one sheet's XML, or the shared strings, may unpack to."""
MAX_AREA = 5_000_000
"""Cells (rows × columns) a sheet's used range may span."""
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
CELL_REFERENCE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
SCAN_CHUNK = 4 * 1024 * 1024

Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None


class WorkbookError(SourceError):
    """A workbook that is not read, with the kind of reason (for a translated message) and its detail."""

    def __init__(self, kind: str, message: str, **detail: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Sheet:
    """A sheet's rows from its first row (row *n* of ``rows`` is row *n + 1* in Excel); empty cells None."""

    name: str
    rows: list[list[Cell]]


def is_workbook(data: bytes) -> bool:
    """Whether ``data`` is a ZIP archive (the container of XLSX)."""
    return data.startswith(ZIP_MAGIC)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _area(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """The area the cells of a sheet's XML span, read in chunks without parsing the XML."""
    top = left = 1 << 30
    bottom = right = 0
    tail = b""
    with archive.open(member) as part:
        while chunk := part.read(SCAN_CHUNK):
            text = tail + chunk
            for match in CELL_REFERENCE.finditer(text):
                column, row = _column_number(match[1]), int(match[2])
                top, bottom, left, right = min(top, row), max(bottom, row), min(left, column), max(right, column)
            tail = text[-256:]
    return 0 if bottom == 0 else (bottom - top + 1) * (right - left + 1)


def check_archive(data: bytes) -> None:
    """Refuse a workbook that is broken, carries macros, unpacks too big, or spans too large an area."""
    if data.startswith(OLE_MAGIC):
        raise WorkbookError("old_excel", "an Excel 97–2003 workbook (.xls); save it as .xlsx or CSV")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
                raise WorkbookError("too_big_unpacked", f"the workbook unpacks to more than "
                                    f"{MAX_UNPACKED_BYTES // 2**20} MB", limit=MAX_UNPACKED_BYTES)
            if any(member.filename.lower().endswith("vbaproject.bin") for member in members):
                raise WorkbookError("macros", "the workbook carries macros (VBA); save it as .xlsx without macros")
            for member in members:
                name = member.filename.lower()
                if name.startswith("xl/worksheets/") or name == "xl/sharedstrings.xml":
                    if member.file_size > MAX_PART_BYTES:
                        raise WorkbookError("too_big_part", f"{member.filename} unpacks to more than "
                                            f"{MAX_PART_BYTES // 2**20} MB", limit=MAX_PART_BYTES)
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    area = _area(archive, member)
                    if area > MAX_AREA:
                        raise WorkbookError("too_large_area", f"a sheet spans {area:,} cells (at most {MAX_AREA:,})",
                                            area=area, limit=MAX_AREA)
    except zipfile.BadZipFile:
        raise WorkbookError("not_workbook", "the file is not a readable workbook") from None


def _merged(sheet: object, rows: list[list[Cell]]) -> None:
    """Give every cell of a merged range the value of its first cell."""
    for (top, left), (bottom, right) in getattr(sheet, "merged_cell_ranges", None) or []:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for row in rows[top: bottom + 1]:
            for column in range(left, min(right + 1, len(row))):
                if row[column] is None:
                    row[column] = value


def read_sheets(data: bytes, max_rows: int) -> Iterator[Sheet]:
    """The worksheets of a workbook, each up to ``max_rows`` rows from the top; raises :class:`WorkbookError`."""
    check_archive(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise WorkbookError("not_workbook", f"the file is not a readable workbook ({exc.__class__.__name__})") from None
    with workbook:
        for name in workbook.sheet_names:
            try:
                sheet = workbook.get_sheet_by_name(name)
                grid = sheet.to_python(skip_empty_area=False, nrows=max_rows)
            except Exception as exc:  # as above: a broken part of an otherwise readable file
                raise WorkbookError("not_workbook", f"sheet {name} cannot be read ({exc.__class__.__name__})") from None
            rows = [[None if cell == "" else cell for cell in row] for row in grid]
            _merged(sheet, rows)
            yield Sheet(name, rows)
