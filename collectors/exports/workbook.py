"""Sheets as an Excel workbook: a bold title row, a frozen bold header row, columns as wide as
their content, percentages and counts in number formats, status cells coloured.

Text a spreadsheet would run as a formula is written as quote-prefixed text
(see :mod:`collectors.template_files`): ledger text comes from office uploads.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from collectors.exports.tables import EXCEL_FORMATS, STATUS_COLOURS, Cell, Number, Sheet, cell_text, text_width
from collectors.template_files import FORMULA_STARTS

MAX_SHEET_NAME = 31
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 60
TITLE_ROW, HEADER_ROW = 1, 2


def sheet_name(title: str, taken: set[str]) -> str:
    """``title`` as a sheet name Excel accepts (31 characters, none of ``[]:*?/\\``), unique in ``taken``."""
    base = NOT_IN_SHEET_NAMES.sub("_", title)[:MAX_SHEET_NAME]
    name, copy = base, 2
    while name in taken:
        suffix = f"({copy})"
        name, copy = base[: MAX_SHEET_NAME - len(suffix)] + suffix, copy + 1
    taken.add(name)
    return name


def _put(sheet: Worksheet, row: int, column: int, value: Cell) -> SheetCell:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Number):
        cell.value = value.value
        cell.number_format = EXCEL_FORMATS.get(value.unit, "General")
    else:
        cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    if isinstance(value, str) and value in STATUS_COLOURS:
        cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[value])
    return cell


def _widths(sheet: Sheet) -> list[int]:
    widths = [text_width(header) + 2 for header in sheet.headers]
    for row in sheet.rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], text_width(cell_text(value)) + 2)
    return [min(max(width, MIN_WIDTH), MAX_WIDTH) for width in widths]


def _write(worksheet: Worksheet, sheet: Sheet) -> None:
    worksheet.cell(row=TITLE_ROW, column=1, value=sheet.title).font = Font(bold=True, size=14)
    for index, header in enumerate(sheet.headers, start=1):
        _put(worksheet, HEADER_ROW, index, header).font = Font(bold=True)
    for number, row in enumerate(sheet.rows, start=HEADER_ROW + 1):
        for index, value in enumerate(row, start=1):
            _put(worksheet, number, index, value)
    if sheet.note:
        worksheet.cell(row=HEADER_ROW + len(sheet.rows) + 2, column=1, value=sheet.note)
    for index, width in enumerate(_widths(sheet), start=1):
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = width
        if width == MAX_WIDTH:
            for (cell,) in worksheet.iter_rows(min_row=HEADER_ROW + 1, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    worksheet.freeze_panes = worksheet.cell(row=HEADER_ROW + 1, column=1)
    worksheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX file with one worksheet per sheet, in order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for sheet in sheets:
        _write(workbook.create_sheet(sheet_name(sheet.name, taken)), sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
