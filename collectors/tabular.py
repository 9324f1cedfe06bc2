"""Reading the tables offices and exports produce: CSV in the encodings Excel writes.

Encodings tried in order: a byte-order mark (UTF-8, UTF-16), strict UTF-8, GB18030 (a
superset of GBK that also holds what GBK cannot, such as U+00A0), then
charset-normalizer's best guess. UTF-16 text from Excel ("Unicode text") is
tab-separated; the delimiter is detected from the header line.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from charset_normalizer import from_bytes

from collectors.errors import SourceError

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
STRICT_ENCODINGS = ("utf-8", "gb18030")
DELIMITERS = (",", "\t", ";", "|")


@dataclass(frozen=True)
class Table:
    """A decoded table: its header, its rows (header → cell), and the encoding it was in."""

    header: list[str]
    rows: list[dict[str, str]]
    encoding: str


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    for encoding in STRICT_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    guess = from_bytes(data).best()
    if guess is None:
        raise SourceError("the file is not text in a known encoding (UTF-8, GBK/GB18030, UTF-16); save it as CSV")
    return str(guess), guess.encoding


def _delimiter(first_line: str) -> str:
    return max(DELIMITERS, key=first_line.count)


def read_table(data: bytes) -> Table:
    """Parse CSV ``data``: header cells stripped, empty rows skipped."""
    text, encoding = decode(data)
    if "\x00" in text:
        raise SourceError("the file holds binary data, not CSV text")
    lines = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(lines, newline=""), delimiter=_delimiter(lines.split("\n", 1)[0]))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise SourceError("the file is empty") from None
    rows = [
        dict(zip(header, (cell.strip() for cell in row), strict=False))
        for row in reader
        if any(cell.strip() for cell in row)
    ]
    return Table(header=header, rows=rows, encoding=encoding)
