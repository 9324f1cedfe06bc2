"""The export sheets as HTML tables for the reports page, and the print style that leaves only them on paper.

Pure functions of :class:`collectors.exports.tables.Sheet` (no Streamlit), so the printable view
shows exactly what the workbook holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from collectors.exports.tables import STATUS_COLOURS, Cell, Number, Sheet, cell_text

PRINTABLE_CLASS = "printable-report"
WRAP_AFTER = 12
"""Cells with text longer than this may wrap; shorter ones (statuses, numbers, ids) stay on one line."""
SCREEN_ONLY_KEY = "reports-screen-only"
"""The key of the page's container that holds everything but the printable view (hidden on paper)."""

STYLE = f"""
<style>
.{PRINTABLE_CLASS} section {{ margin: 0 0 1.5rem 0; overflow-x: auto; }}
.{PRINTABLE_CLASS} h3 {{ font-size: 1.05rem; margin: 0 0 .4rem 0; }}
.{PRINTABLE_CLASS} table {{ border-collapse: collapse; width: 100%; font-size: .8rem; }}
.{PRINTABLE_CLASS} th, .{PRINTABLE_CLASS} td {{ border: 1px solid #999; padding: 2px 6px; vertical-align: top; }}
.{PRINTABLE_CLASS} th {{ background: #eee; white-space: nowrap; }}
.{PRINTABLE_CLASS} td {{ white-space: nowrap; }}
.{PRINTABLE_CLASS} td.number {{ text-align: right; }}
.{PRINTABLE_CLASS} td.long {{ white-space: normal; min-width: 12em; }}
.{PRINTABLE_CLASS} p.note {{ font-size: .75rem; color: #555; margin: .3rem 0 0 0; }}
.{PRINTABLE_CLASS} tr {{ break-inside: avoid; }}
.{PRINTABLE_CLASS} thead {{ display: table-header-group; }}
@media print {{
  @page {{ size: A4 landscape; margin: 12mm; }}
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stAlert"], .st-key-{SCREEN_ONLY_KEY} {{ display: none !important; }}
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] {{
    overflow: visible !important; height: auto !important; position: static !important;
  }}
  [data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: none !important; }}
  .{PRINTABLE_CLASS} section {{ break-before: page; overflow: visible; }}
  .{PRINTABLE_CLASS} section:first-child {{ break-before: auto; }}
}}
</style>
"""
"""Table style on screen and on paper; on paper, Streamlit's sidebar, header and toolbar and the page's
controls are hidden, and its scrolling containers let the report run over as many pages as it needs."""


MACHINE_COLUMNS = {"指标编号"}
"""Columns the workbook keeps for matching rows by program, which a reader of the page does not need."""


def _cell(value: Cell) -> str:
    text = cell_text(value)
    kind = "number" if isinstance(value, Number | int | float) else "long" if len(text) > WRAP_AFTER else ""
    colour = STATUS_COLOURS.get(text)
    attributes = (f' class="{kind}"' if kind else "") + (f' style="background:#{colour}"' if colour else "")
    return f"<td{attributes}>{escape(text)}</td>"


def sheet_html(sheet: Sheet) -> str:
    """One sheet as a titled table, without the columns that are for machines (the indicator ids)."""
    shown = [i for i, header in enumerate(sheet.headers) if header not in MACHINE_COLUMNS]
    head = "".join(f"<th>{escape(sheet.headers[i])}</th>" for i in shown)
    body = "".join(f"<tr>{''.join(_cell(row[i]) for i in shown if i < len(row))}</tr>" for row in sheet.rows)
    note = f'<p class="note">{escape(sheet.note)}</p>' if sheet.note else ""
    return (f"<section><h3>{escape(sheet.title)}</h3><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{note}</section>")


def printable_html(sheets: Sequence[Sheet]) -> str:
    """Every sheet, in order, with the style (the body of one ``st.html``)."""
    return f'{STYLE}<div class="{PRINTABLE_CLASS}">{"".join(sheet_html(sheet) for sheet in sheets)}</div>'
