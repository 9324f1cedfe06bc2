"""Hostile upload files, made here rather than checked in: workbooks written part by part, so that each
carries exactly the trap it is for (rows far apart, a huge shared-strings table, macros, data on a
second sheet), and CSV files with a trap in one cell.

``python -m tests.hostile_uploads FOLDER`` writes them all into FOLDER, to try by hand.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from tests.upload_samples import csv_file

HEADER = ["单位", "日期", "类型", "名称", "参加人数", "通过人数", "状态", "备注"]
GOOD = ["东山镇", "2026-06-05", "动员部署大会", "全镇动员会", "120", "", "已完成", ""]
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}"
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"

@dataclass(frozen=True)
class Formula:
    """A formula cell, with the value Excel saved for it (None: saved without one, as programs do)."""

    text: str
    value: float | None = None


Row = tuple[int, Sequence[str | float | Formula | None]]
"""A row of a written sheet: its number in Excel and its cells from column A."""


def _cell(reference: str, value: str | float | Formula | None, strings: dict[str, int]) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        cached = "" if value.value is None else f"<v>{value.value}</v>"
        return f'<c r="{reference}"><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, str):
        index = strings.setdefault(value, len(strings))
        return f'<c r="{reference}" t="s"><v>{index}</v></c>'
    return f'<c r="{reference}"><v>{value}</v></c>'


def _sheet_xml(rows: Iterable[Row], strings: dict[str, int]) -> bytes:
    body = "".join(
        f'<row r="{number}">'
        + "".join(_cell(f"{get_column_letter(i + 1)}{number}", value, strings) for i, value in enumerate(cells))
        + "</row>"
        for number, cells in rows
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'.encode()


def raw_workbook(
    sheets: dict[str, Iterable[Row]], shared_strings: Callable[[io.BufferedWriter], None] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A workbook of ``sheets`` (name → rows), text in shared strings; ``shared_strings`` writes that part
    itself when given (for a table bigger than the cells need); ``extra`` adds members as they are."""
    buffer = io.BytesIO()
    strings: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        names = list(sheets)
        for number, name in enumerate(names, start=1):
            archive.writestr(f"xl/worksheets/sheet{number}.xml", _sheet_xml(sheets[name], strings))
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
                            for n in range(1, len(names) + 1))
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=overrides))
        archive.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
                         f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
                         "</Relationships>")
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
                         f'xmlns:r="{RELATIONSHIPS}"><sheets>'
                         + "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                                   for n, name in enumerate(names, start=1))
                         + "</sheets></workbook>")
        archive.writestr("xl/_rels/workbook.xml.rels",
                         f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
                         + "".join(f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/worksheet" '
                                   f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(names) + 1))
                         + f'<Relationship Id="rId{len(names) + 1}" Type="{RELATIONSHIPS}/sharedStrings" '
                         'Target="sharedStrings.xml"/></Relationships>')
        with archive.open("xl/sharedStrings.xml", "w") as part:
            if shared_strings is not None:
                shared_strings(part)
            else:
                items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
                part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{items}</sst>'.encode())
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def good_rows(count: int = 1, gap: int = 1) -> list[Row]:
    """The header in row 1, then ``count`` good activities ``gap`` rows apart, each its own meeting."""
    rows: list[Row] = [(1, HEADER)]
    for index in range(count):
        cells = list(GOOD)
        cells[3] = f"会议{index}"
        cells[4] = 120  # type: ignore[call-overload]
        rows.append((2 + index * gap, cells))
    return rows


def rows_far_apart() -> bytes:
    """About 67 KB: 2,000 rows 999 rows apart, spanning two million rows."""
    return raw_workbook({"Sheet1": good_rows(2000, gap=999)})


def huge_shared_strings() -> bytes:
    """About 150 KB holding a 60 MB shared-strings table, most of which no cell uses."""
    rows = good_rows(3)

    def write(part: io.BufferedWriter) -> None:
        used = dict.fromkeys(cell for _, cells in rows for cell in cells if isinstance(cell, str))
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in used)
        part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{items}'.encode())
        chunk = b"<si><t>x</t></si>" * 100_000
        part.writelines(chunk for _ in range(60 * 2**20 // len(chunk)))
        part.write(b"</sst>")
    return raw_workbook({"Sheet1": rows}, shared_strings=write)


def macros() -> bytes:
    """A good ledger carrying a VBA project, as an .xlsm saves it."""
    return raw_workbook({"Sheet1": good_rows(1)}, extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(1024)})


def second_sheet() -> bytes:
    """An empty first sheet (or one of notes), the ledger on the second."""
    return raw_workbook({"说明": [(1, ["本表由东山镇填报"])], "台账": good_rows(2)})


def nul_in_a_cell() -> bytes:
    """A workbook whose 名称 holds a NUL character (Excel's escape ``_x0000_``), which PostgreSQL cannot store."""
    return raw_workbook({"Sheet1": [(1, HEADER), (2, [*GOOD[:3], "动员_x0000_会", 120, *GOOD[5:]])]})


def formulas(cached: bool) -> bytes:
    """参加人数 as ``=10*8`` and 通过人数 as ``=E2-8``, with the values Excel saves (80, 72) or without them."""
    cells = [*GOOD[:2], "知识测试", "测试", Formula("10*8", 80 if cached else None),
             Formula("E2-8", 72 if cached else None), "已完成"]
    return raw_workbook({"Sheet1": [(1, HEADER), (2, cells)]})


def count_cell(value: str) -> bytes:
    """An activities CSV whose 参加人数 is ``value``."""
    return csv_file([HEADER, [*GOOD[:4], value, *GOOD[5:]]])


def long_cell(length: int = 140_000) -> bytes:
    return csv_file([HEADER, [*GOOD[:7], "长" * length]])


def nul_after_8k() -> bytes:
    return csv_file([HEADER, [*GOOD[:7], "备" * 4000]]) + b"\x00\x00" + csv_file([GOOD])


def control_characters() -> bytes:
    """A 类型 cell holding a terminal escape sequence (clear screen, a bell)."""
    return csv_file([HEADER, [*GOOD[:2], "\x1b[2J\x1b]0;pwned\x07会议", *GOOD[3:]]])


def unbalanced_quote() -> bytes:
    """A quote opened in line 3 and never closed: the rest of the file would fall into one cell."""
    lines = [",".join(HEADER), ",".join(GOOD), '东山镇,2026-06-06,党性教育,"专题课,45,,已完成,',
             "东山镇,2026-06-07,党性教育,学习,30,,已完成,"]
    return ("\r\n".join(lines) + "\r\n").encode()


FILES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "rows_far_apart": ("rows_far_apart.xlsx", rows_far_apart),
    "huge_shared_strings": ("huge_shared_strings.xlsx", huge_shared_strings),
    "macros": ("macros.xlsm", macros),
    "second_sheet": ("second_sheet.xlsx", second_sheet),
    "count_beyond_sqlite": ("big_count.csv", lambda: count_cell("99999999999999999999999")),
    "count_beyond_postgresql": ("big_count.csv", lambda: count_cell("3000000000")),
    "long_cell": ("long_cell.csv", long_cell),
    "nul_after_8k": ("nul.csv", nul_after_8k),
    "nul_in_a_cell": ("nul_cell.xlsx", nul_in_a_cell),
    "control_characters": ("control.csv", control_characters),
    "unbalanced_quote": ("quote.csv", unbalanced_quote),
}


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for filename, make in FILES.values():
        (folder / filename).write_bytes(make())
        print(folder / filename, (folder / filename).stat().st_size)
