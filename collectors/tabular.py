"""Reading the tables offices and exports produce: CSV in the encodings Excel writes.

Encodings tried in order: a byte-order mark (UTF-8, UTF-16), strict UTF-8, GB18030 (a
superset of GBK that also holds what GBK cannot, such as U+00A0), then
charset-normalizer's best guess. UTF-16 text from Excel ("Unicode text") is
tab-separated; the delimiter is detected from the first line that has one.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from charset_normalizer import from_bytes

from collectors.errors import SourceError

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
STRICT_ENCODINGS = ("utf-8", "gb18030")
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_LINES = 5


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


def read_records(data: bytes) -> tuple[Iterator[list[str]], str]:
    """The records of CSV ``data``, each as its cells (unstripped; empty records kept, so
    that record *n* is row *n* as a spreadsheet shows it), and the encoding it was in."""
    text, encoding = decode(data)
    if "\x00" in text:
        raise SourceError("the file holds binary data, not CSV text")
    return _records(text.lstrip("\ufeff")), encoding


def _records(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    except csv.Error as exc:
        raise SourceError(f"the file is not valid CSV ({exc})") from None


def read_table(data: bytes) -> Table:
    """Parse CSV ``data``: header cells stripped, empty rows skipped."""
    records, encoding = read_records(data)
    first = next(records, None)
    if first is None:
        raise SourceError("the file is empty")
    header = [cell.strip() for cell in first]
    rows = [
        dict(zip(header, (cell.strip() for cell in row), strict=False))
        for row in records
        if any(cell.strip() for cell in row)
    ]
    return Table(header=header, rows=rows, encoding=encoding)
