"""The source pages' filters, kept in the address so that a view can be bookmarked and shared:
``/complaints?unit=dsz&from=2026-06-01&to=2026-06-30&flag=overdue_open&page=2``.

The address is the one place a filter lives: each run reads it, drops what is not valid (with a
quiet notice naming the parameter, never an exception) and sets the widgets from it; changing a
widget writes the address. Dates are local calendar days, ``to`` included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard.i18n import t
from models.summaries import Filter

UNIT = "unit"
FROM = "from"
TO = "to"
FLAG = "flag"
PAGE = "page"
YEARS_AROUND = 5
"""How many years before and after the campaign year a period may reach."""
KEY_PREFIX = "filters."
MAX_PAGE = 1_000_000
"""A page number beyond this is not one (a page beyond the last shows the last)."""


@dataclass(frozen=True)
class Choice:
    """A unit (None: every unit) and the local days ``first`` to ``last``, both included."""

    unit: str | None
    first: dt.date
    last: dt.date

    def where(self, timezone: str, params: Mapping[str, float]) -> Filter:
        """The filter of the store's queries: local midnights as UTC, the day after ``last`` excluded."""
        zone = ZoneInfo(timezone)
        start = dt.datetime.combine(self.first, dt.time(), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
        return Filter(start=start, end=end, unit=self.unit, params=params)


def campaign_year(year: int) -> tuple[dt.date, dt.date]:
    """The default period: the campaign year."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def link_params(year: int, unit: str | None = None) -> dict[str, str]:
    """The address parameters of a source page filtered to the campaign year (and ``unit``)."""
    first, last = campaign_year(year)
    return {**({UNIT: unit} if unit else {}), FROM: first.isoformat(), TO: last.isoformat()}


def _day(text: str | None, year: int) -> dt.date | None:
    """``text`` as a day within :data:`YEARS_AROUND` years of ``year``; None when it is not one."""
    try:
        day = dt.date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if abs(day.year - year) <= YEARS_AROUND else None


def read_choice(params: Mapping[str, str], units: Collection[str], year: int) -> tuple[Choice, list[str]]:
    """The unit and period the address asks for, and the names of the parameters that were not valid
    (an unknown unit, a date that is not ``YYYY-MM-DD`` near the campaign year, ``from`` after ``to``);
    an empty parameter is as good as none."""
    params = {name: value for name, value in params.items() if value}
    ignored = []
    unit = params.get(UNIT)
    if unit is not None and unit not in units:
        ignored.append(UNIT)
        unit = None
    first, last = campaign_year(year)
    days = {}
    for name, default in ((FROM, first), (TO, last)):
        day = _day(params[name], year) if name in params else default
        if day is None:
            ignored.append(name)
        days[name] = day or default
    if days[FROM] > days[TO]:
        ignored += [name for name in (FROM, TO) if name in params and name not in ignored]
        days = {FROM: first, TO: last}
    return Choice(unit or None, days[FROM], days[TO]), ignored


def read_flag(params: Mapping[str, str], flags: Sequence[str]) -> tuple[str | None, list[str]]:
    """The red flag the address asks the records for (None: every record), and whether ``flag`` was ignored."""
    flag = params.get(FLAG) or None
    if flag is None or flag in flags:
        return flag, []
    return None, [FLAG]


def read_page(params: Mapping[str, str]) -> tuple[int, list[str]]:
    """The records page (from 1) the address asks for, and whether ``page`` was ignored."""
    text = params.get(PAGE)
    if not text:
        return 1, []
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_PAGE:  # not "²", which isdigit() too
        return int(text), []
    return 1, [PAGE]


def address() -> dict[str, str]:
    """The address's parameters (the last value of a repeated one)."""
    return st.query_params.to_dict()


def drop(ignored: Sequence[str]) -> None:
    """Take the ignored parameters out of the address, and say so quietly."""
    if not ignored:
        return
    for name in ignored:
        st.query_params.pop(name, None)
    st.caption(t("filters.ignored", names=t("filters.separator").join(ignored)), help=t("filters.ignored_help"))


def _write(name: str, key: str, text_of: Callable[[Any], str] = str) -> None:
    """Put widget ``key``'s value into the address as ``name`` (a cleared widget removes it); any
    change of filter goes back to the first page of records."""
    value = st.session_state.get(key)
    if value is None or value == "":
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = text_of(value)
    if name != PAGE:
        st.query_params.pop(PAGE, None)


def bound(name: str, value: Any, text_of: Callable[[Any], str] = str) -> dict[str, Any]:
    """The arguments that bind a widget to address parameter ``name``, showing ``value``."""
    key = KEY_PREFIX + name
    st.session_state[key] = value
    return {"key": key, "on_change": _write, "args": (name, key, text_of)}


def _iso(day: dt.date) -> str:
    return day.isoformat()


def unit_and_period(units: Mapping[str, str], year: int) -> Choice:
    """The unit and period widgets, set from the address; the choice they show."""
    choice, ignored = read_choice(address(), units, year)
    lowest, highest = dt.date(year - YEARS_AROUND, 1, 1), dt.date(year + YEARS_AROUND, 12, 31)
    unit_column, first_column, last_column = st.columns([2, 1, 1])
    unit_column.selectbox(
        t("filters.unit"), ["", *units], format_func=lambda code: units[code] if code else t("filters.all_units"),
        **bound(UNIT, choice.unit or ""),
    )
    first_column.date_input(t("filters.from"), min_value=lowest, max_value=highest, **bound(FROM, choice.first, _iso))
    last_column.date_input(t("filters.to"), min_value=lowest, max_value=highest, **bound(TO, choice.last, _iso))
    drop(ignored)
    return choice
