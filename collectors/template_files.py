"""The files a template gives: the blank CSV and XLSX offices download, and ledger rows exported alike.

A CSV is UTF-8 with a byte-order mark, so that Excel opens it in the right encoding.
An XLSX has the header in bold, a dropdown on every column with a fixed list of values,
and a sheet 说明 describing each column.

CSV injection: a cell that a spreadsheet would run as a formula (one starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is never exported as it is. In
CSV it gets a leading ``'``; in XLSX it is written as quote-prefixed text, which is what
Excel itself does with a cell typed as ``'=…``. Reading an upload undoes the CSV form.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from collectors import upload_problems as say
from collectors.templates import Column, UploadTemplate

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
NOTES_SHEET = "说明"
OPTIONS_SHEET = "选项"
DROPDOWN_ROWS = 10_000


def escape_cell(value: Any) -> Any:
    """``value`` safe for a CSV cell: text a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return ESCAPE + value
    return value


def unescape(text: str) -> str:
    """Undo :func:`escape_cell` on a cell read back from an exported file."""
    if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def shown_values(template: UploadTemplate, values: dict[str, Any]) -> list[Any]:
    """A stored row's values in column order, yes/no as the column's words."""
    row = []
    for column in template.columns:
        value = values.get(column.field)
        if column.type == "yesno" and value is not None:
            value = (column.words or ())[0 if value else 1]
        row.append(value)
    return row


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(escape_cell(value))


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file (UTF-8 with BOM, CRLF) of ``headers`` and ``rows``, cells escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"


def _dropdown_words(column: Column, units: Sequence[str]) -> Sequence[str]:
    return column.words or (units if column.type == "unit" else ())


def _add_dropdowns(workbook: Workbook, sheet: Worksheet, template: UploadTemplate, units: Sequence[str]) -> None:
    options = workbook.create_sheet(OPTIONS_SHEET)
    options.sheet_state = "hidden"
    for index, column in enumerate(template.columns, start=1):
        words = _dropdown_words(column, units)
        if not words:
            continue
        letter = get_column_letter(index)
        for row, word in enumerate(words, start=1):
            options.cell(row=row, column=index, value=word)
        validation = DataValidation(
            type="list", formula1=f"'{OPTIONS_SHEET}'!${letter}$1:${letter}${len(words)}", allow_blank=True,
            showErrorMessage=True, errorTitle=say.CHOICE_ERROR_TITLE, error=say.CHOICE_ERROR,
        )
        validation.add(f"{letter}2:{letter}{DROPDOWN_ROWS + 1}")
        sheet.add_data_validation(validation)


def _allowed(template: UploadTemplate, column: Column) -> str:
    if column.words:
        return "、".join(column.words)
    if column.type == "unit":
        own = template.row_unit == "own" and column.field == template.unit_column
        return say.OWN_UNIT if own else say.ANY_UNIT
    related = [say.relation(template.column(other).header, above, column.type == "date")
               for other, above in ((column.not_above, True), (column.not_below, False)) if other]
    return "；".join(part for part in (say.value_range(column.min, column.max), *related) if part)


def _add_notes(workbook: Workbook, template: UploadTemplate) -> None:
    notes = workbook.create_sheet(NOTES_SHEET)
    notes.append([f"{template.title}（{template.id}）", template.description])
    notes.append([say.PERIOD_NOTES[template.period], say.ROW_UNIT_NOTES[template.row_unit]])
    notes.append([])
    notes.append(list(say.NOTES_HEADER))
    for column in template.columns:
        notes.append([column.header, say.TYPE_NAMES[column.type], "是" if column.required else "否",
                      _allowed(template, column), column.help])
    for cell in notes[4]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (16, 24, 8, 60, 40), strict=True):
        notes.column_dimensions[letter].width = width


def xlsx_bytes(
    template: UploadTemplate, rows: Iterable[Sequence[Any]] = (), extra_headers: Sequence[str] = (),
    units: Sequence[str] = (),
) -> bytes:
    """A workbook of the template's header and ``rows``, with dropdowns and the 说明 sheet.

    ``units`` (unit names) become the dropdown of unit columns.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = template.title[:31]
    headers = [*template.headers, *extra_headers]
    for index, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=index, value=header).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, 2 * len(header) + 4)
    sheet.freeze_panes = "A2"
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            _put(sheet, number, index, value)
    _add_notes(workbook, template)
    _add_dropdowns(workbook, sheet, template, units)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def blank_csv(template: UploadTemplate) -> bytes:
    """The blank CSV of a template: its header row, UTF-8 with BOM."""
    return csv_bytes(template.headers, [])


def blank_xlsx(template: UploadTemplate, units: Sequence[str] = ()) -> bytes:
    """The blank workbook of a template (``units``: names offered in unit columns' dropdowns)."""
    return xlsx_bytes(template, units=units)
