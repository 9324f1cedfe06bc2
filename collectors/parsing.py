"""Parsing the values sources write: times in their many shapes, Chinese yes/no words."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y.%m.%d",
)


def parse_time(text: str | None, default_zone: dt.tzinfo = LOCAL_TIME) -> dt.datetime | None:
    """A time as an aware UTC datetime; None for empty text.

    Accepts ISO 8601 (with or without a zone, ``Z``, a space for ``T``, 1–7 fractional
    digits) and the Chinese spreadsheet styles ``2026/3/5 9:32:09`` and ``2026年3月5日``.
    A time without a zone is taken to be in ``default_zone``. Raises ``ValueError``.
    """
    if text is None or not str(text).strip():
        return None
    value = str(text).strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = _strptime(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_zone)
    return parsed.astimezone(dt.UTC)


def _strptime(value: str) -> dt.datetime:
    for form in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, form)
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date or time (expected e.g. 2026-03-05 09:30 or 2026/3/5 9:30)")


DATE_PATTERN = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
EXCEL_SERIALS = (20000, 80000)
"""Excel day numbers taken as dates (1954–2119); other numbers are not dates."""
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str) -> dt.date:
    """A calendar date as spreadsheets write it: ``2026-03-05``, ``2026/3/5``, ``2026.3.5``,
    ``2026年3月5日``, any of them with a time after it (ignored), or an Excel day number
    such as ``46086``. Raises ``ValueError``."""
    value = text.strip()
    match = DATE_PATTERN.fullmatch(value)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    return excel_date(float(value))


def excel_date(serial: float) -> dt.date:
    """The date of an Excel day number (1900 date system). Raises ``ValueError`` outside
    :data:`EXCEL_SERIALS`."""
    if not EXCEL_SERIALS[0] <= serial < EXCEL_SERIALS[1]:
        raise ValueError(f"{serial} is not an Excel date")
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def iso_utc(moment: dt.datetime) -> str:
    """``2026-03-05T01:30:00Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
