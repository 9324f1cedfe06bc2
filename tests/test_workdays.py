"""Working days counted with the per-year lookup table agree with counting day by day."""

from __future__ import annotations

import datetime as dt
import random

import chinese_calendar
import pytest

from models import workdays
from models.workdays import add_workdays, is_workday, workdays_between

ONE_DAY = dt.timedelta(days=1)


def counted_day_by_day(start: dt.date, end: dt.date) -> int:
    return sum(is_workday(start + ONE_DAY * n) for n in range(1, (end - start).days + 1))


def added_day_by_day(start: dt.date, days: int) -> dt.date:
    day = start
    if days == 0:
        while not is_workday(day):
            day += ONE_DAY
        return day
    while days:
        day += ONE_DAY
        days -= is_workday(day)
    return day


def test_lookups_agree_with_counting_each_day_across_years_holidays_and_uncovered_years() -> None:
    rng = random.Random(3)
    uncovered = max(year for year in range(2004, 2100) if workdays.is_covered(year)) + 1
    for _ in range(400):
        start = dt.date(2018, 1, 1) + ONE_DAY * rng.randrange((dt.date(uncovered + 1, 6, 1) - dt.date(2018, 1, 1)).days)
        end = start + ONE_DAY * rng.randrange(-20, 900)
        days = rng.randrange(0, 400)
        assert workdays_between(start, end) == (counted_day_by_day(start, end) if end > start else 0), (start, end)
        assert add_workdays(start, days) == added_day_by_day(start, days), (start, days)


def test_national_day_and_its_make_up_workday() -> None:
    assert add_workdays(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)  # 1–8 October off
    assert add_workdays(dt.date(2025, 10, 4), 0) == dt.date(2025, 10, 9)
    assert is_workday(dt.date(2025, 10, 11)) and workdays_between(dt.date(2025, 10, 10), dt.date(2025, 10, 13)) == 2


def test_a_count_asks_the_holiday_calendar_once_per_day_of_a_year_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = []
    real = chinese_calendar.is_workday
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda day: asked.append(day) or real(day))
    workdays._counted.cache_clear()
    for _ in range(1000):
        workdays_between(dt.date(2026, 1, 5), dt.date(2026, 11, 30))
    assert len(asked) <= 366
