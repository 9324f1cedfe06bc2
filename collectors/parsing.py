"""Parsing the times and dates sources write, in the spellings Chinese offices and Excel use.

Accepted: ISO 8601 (``2026-03-05T09:30:00+08:00``, ``Z``, a space for ``T``, fractions),
``2026/3/5``, ``2026.3.5``, ``2026年3月5日``, each with or without a time of day after it
(``9:32``, ``9:32:09``, ``9:32 PM``), Excel day numbers (``46086``, ``46086.5``), and
dates with the year last (``12/31/2016``, what Excel writes on a machine set to US dates).
A date with the year last is read in a **date order**, ``mdy`` or ``dmy``; without one
(``ymd``, the default) it is read month first unless only day first makes it a date. A
reader of a file column decides the order from the values that can be read only one way
(:func:`column_date_order`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from collectors.errors import SourceError

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
DATE_ORDERS = ("auto", "ymd", "mdy", "dmy")
"""Values of a collector's ``date_order`` setting."""

YEAR_FIRST = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+(.+))?")
YEAR_LAST = re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})(?:[ T]+(.+))?")
EXCEL_SERIALS = (20000, 80000)
"""Excel day numbers taken as dates (1954–2119); other numbers are not dates."""
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _excel(serial: float) -> dt.datetime:
    if not EXCEL_SERIALS[0] <= serial < EXCEL_SERIALS[1]:
        raise ValueError(f"{serial:g} is not an Excel date")
    return EXCEL_EPOCH + dt.timedelta(days=serial)


def excel_date(serial: float) -> dt.date:
    """The date of an Excel day number (1900 date system). Raises ``ValueError`` outside
    :data:`EXCEL_SERIALS`."""
    return _excel(serial).date()


def _with_time(day: dt.date, text: str | None, value: str) -> dt.datetime:
    midnight = dt.datetime.combine(day, dt.time())
    if not text:
        return midnight
    if ":" not in text:
        raise ValueError(f"'{value}' has no time of day after its date")
    try:
        return dateutil_parser.parse(text, default=midnight)
    except (ValueError, OverflowError):
        raise ValueError(f"'{value}' has no time of day after its date") from None


def _year_last(match: re.Match[str], order: str, value: str) -> dt.datetime:
    first, second, year = int(match[1]), int(match[2]), int(match[3])
    if order == "ymd":  # no order given: read it only when just one reading is a date
        order = "dmy" if first > 12 >= second else "mdy"
    month, day = (first, second) if order == "mdy" else (second, first)
    return _with_time(dt.date(year, month, day), match[4], value)


def _naive(value: str, order: str) -> dt.datetime:
    """The time ``value`` stands for, without a zone unless it gives one. Raises ``ValueError``."""
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        if match := YEAR_FIRST.fullmatch(value):
            return _with_time(dt.date(int(match[1]), int(match[2]), int(match[3])), match[4], value)
        if match := YEAR_LAST.fullmatch(value):
            return _year_last(match, order, value)
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a date or time ({exc})") from None
    try:
        serial = float(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a date or time (expected e.g. 2026-03-05 09:30, 2026/3/5 9:30 or "
                         "2026年3月5日)") from None
    return _excel(serial)


def parse_time(text: object, default_zone: dt.tzinfo = LOCAL_TIME, order: str = "ymd") -> dt.datetime | None:
    """A time as an aware UTC datetime; None for empty text. A time without a zone is taken to be
    in ``default_zone``; a date alone is its midnight. Raises ``ValueError``."""
    if text is None or not str(text).strip():
        return None
    parsed = _naive(str(text).strip(), order)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_zone)
    return parsed.astimezone(dt.UTC)


def parse_date(text: str, order: str = "ymd") -> dt.date:
    """The calendar date of ``text`` (a time after it is ignored). Raises ``ValueError``."""
    return _naive(text.strip(), order).date()


def column_date_order(values: Iterable[object], setting: str, where: str) -> tuple[str, str | None]:
    """The date order of a file column, and a note for the run's report when it had to be decided.

    ``setting`` is the collector's ``date_order``: anything but ``auto`` is used as it is. With
    ``auto``, the dates with the year last that can be read only one way decide (``31/12/2016``
    is day first, ``12/31/2016`` month first); when none can, they are read month first and the
    note says so. A column holding both kinds raises :class:`SourceError` naming ``where``.
    """
    if setting not in DATE_ORDERS:
        raise SourceError(f"date_order must be one of {', '.join(DATE_ORDERS)}; got '{setting}'")
    if setting != "auto":
        return setting, None
    month_first = day_first = ambiguous = 0
    for value in values:
        match = YEAR_LAST.fullmatch(str(value).strip()) if value is not None else None
        if match is None:
            continue
        first, second = int(match[1]), int(match[2])
        month_first += second > 12 >= first
        day_first += first > 12 >= second
        ambiguous += first <= 12 and second <= 12
    if month_first and day_first:
        raise SourceError(f"{where} holds dates written month first and day first; set date_order to mdy or dmy")
    if day_first:
        return "dmy", f"{where}: dates with the year last read day first (date_order auto)"
    if month_first or ambiguous:
        note = "" if month_first else ", though none shows which; set date_order if they are day first"
        return "mdy", f"{where}: dates with the year last read month first (date_order auto{note})"
    return "ymd", None


def iso_utc(moment: dt.datetime) -> str:
    """``2026-03-05T01:30:00Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
