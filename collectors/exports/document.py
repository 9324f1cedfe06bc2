"""A bulletin as a Word document (DOCX): the title centred in 小标宋-style bold, the issuing office
and date, then each section's heading, paragraphs and tables, in Song and Hei typefaces."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.run import Run

from collectors.exports.bulletin import Bulletin
from collectors.exports.periods import chinese_date
from collectors.exports.tables import Sheet, cell_text

BODY_FONT, HEADING_FONT = "仿宋", "黑体"
BODY_SIZE, TITLE_SIZE, TABLE_SIZE = Pt(14), Pt(20), Pt(10.5)


def _font(run: Run, name: str, size: Pt, bold: bool = False) -> None:
    """Set ``run``'s typeface for Latin and Chinese text alike (Word keeps them apart)."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _table(document: DocxDocument, sheet: Sheet) -> None:
    caption = document.add_paragraph()
    _font(caption.add_run(sheet.title), HEADING_FONT, TABLE_SIZE)
    table = document.add_table(rows=1 + len(sheet.rows), cols=len(sheet.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, values in zip(table.rows, [sheet.headers, *sheet.rows], strict=True):
        for cell, value in zip(row.cells, values, strict=False):
            paragraph = cell.paragraphs[0]
            _font(paragraph.add_run(cell_text(value)), BODY_FONT, TABLE_SIZE, bold=row is table.rows[0])
    document.add_paragraph()


def bulletin_docx(bulletin: Bulletin) -> bytes:
    """The bulletin as a DOCX file."""
    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(bulletin.title), HEADING_FONT, TITLE_SIZE, bold=True)
    for line in (bulletin.subtitle, f"{bulletin.issuer}　　{chinese_date(bulletin.issued_on)}"):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(line), BODY_FONT, BODY_SIZE)
    for section in bulletin.sections:
        heading = document.add_paragraph()
        _font(heading.add_run(section.heading), HEADING_FONT, BODY_SIZE, bold=True)
        for text in section.paragraphs:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2
            _font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)
        for sheet in section.tables:
            _table(document, sheet)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
