"""The dates and periods the exports are asked for: a day (2026-11-30), a week (2026-W47), a month (2026-11)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from collectors.errors import UserError
from models.indicators import Scope

WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class PeriodError(UserError):
    """A date, week or month that cannot be read or is outside the campaign year."""


@dataclass(frozen=True)
class Period:
    """A week (Monday to Sunday) or a calendar month, with its issue number within the year
    (the ISO week number, or the month)."""

    kind: str  # week | month
    first: dt.date
    last: dt.date
    number: int

    @property
    def key(self) -> str:
        """How the period is written on the command line and in the page's address: 2026-W47, 2026-11."""
        if self.kind == "week":
            return f"{self.year}-W{self.number:02d}"
        return f"{self.year}-{self.number:02d}"

    @property
    def year(self) -> int:
        return self.first.isocalendar().year if self.kind == "week" else self.first.year

    @property
    def label(self) -> str:
        """The period in words: 2026年11月16日至11月22日, or 2026年11月."""
        if self.kind == "month":
            return f"{self.first.year}年{self.first.month}月"
        end = f"{self.last.month}月{self.last.day}日" if self.last.year == self.first.year else chinese_date(self.last)
        return f"{chinese_date(self.first)}至{end}"

    def scope(self, timezone: str, params: dict[str, float] | None = None) -> Scope:
        """The period from local midnight to local midnight, as UTC."""
        zone = ZoneInfo(timezone)
        start = dt.datetime.combine(self.first, dt.time(), tzinfo=zone).astimezone(dt.UTC)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=zone).astimezone(dt.UTC)
        return Scope(start=start, end=end, params=params or {})

    def check_in(self, year: int) -> None:
        """Raise unless the period has a day in the campaign ``year``."""
        if self.first.year > year or self.last.year < year:
            raise PeriodError(f"{self.key} is not in the campaign year {year}; give a week or month of {year}")


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def parse_date(text: str) -> dt.date:
    """A day written 2026-11-30."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-30") from None


def parse_week(text: str) -> Period:
    """An ISO week written 2026-W47 (Monday to Sunday)."""
    match = WEEK.match(text.strip())
    try:
        if not match:
            raise ValueError(text)
        monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise PeriodError(f"'{text}' is not a week; write it as YYYY-Www, e.g. 2026-W47") from None
    return Period("week", monday, monday + dt.timedelta(days=6), int(match[2]))


def parse_month(text: str) -> Period:
    """A calendar month written 2026-11."""
    match = MONTH.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise PeriodError(f"'{text}' is not a month; write it as YYYY-MM, e.g. 2026-11")
    first = dt.date(int(match[1]), int(match[2]), 1)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Period("month", first, following - dt.timedelta(days=1), first.month)


def week_of(day: dt.date) -> Period:
    """The week ``day`` is in."""
    year, week, _ = day.isocalendar()
    return parse_week(f"{year}-W{week}")


def month_of(day: dt.date) -> Period:
    """The month ``day`` is in."""
    return parse_month(f"{day.year}-{day.month}")


def weeks_in(year: int) -> list[Period]:
    """Every week with a day in ``year``, in order (the first may begin in December of the year before)."""
    first, last = week_of(dt.date(year, 1, 1)), week_of(dt.date(year, 12, 31))
    count = (last.first - first.first).days // 7 + 1
    return [week_of(first.first + dt.timedelta(weeks=index)) for index in range(count)]


def months_in(year: int) -> list[Period]:
    """The twelve months of ``year``."""
    return [parse_month(f"{year}-{month}") for month in range(1, 13)]
