"""Synthetic office ledgers: rows drawn from each upload template's own column declarations.

Every template gets files: the units report their own ledgers (a monthly one each month, a
yearly one, one for the campaign); a ledger naming other units is sent by one supervising
unit. The rows are spread evenly over the files and keep every rule the validator checks
(required cells, choices, bounds, one column not above or below another, the period's dates,
no two rows with the same key), so each file is stored whole.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from collectors.templates import CAMPAIGN_PERIOD, Column, UploadTemplate
from collectors.uploads import MAX_ROWS

Slot = tuple[UploadTemplate, str, str]
"""A file's template, uploading unit and period."""
INT_TOP = 200
TRIES = 20
"""Draws of a row before giving up on one whose key is taken (a month has only so many days)."""


@dataclass(frozen=True)
class LedgerFile:
    """One file for the uploads inbox: template, uploading unit, period and rows (field → value)."""

    template: UploadTemplate
    unit: str
    period: str
    rows: list[dict[str, Any]]

    @property
    def name(self) -> str:
        return f"{self.template.id}__{self.unit}__{self.period}.csv"


def _periods(template: UploadTemplate, year: int) -> list[str]:
    if template.period == "month":
        return [f"{year}-{month:02d}" for month in range(1, 13)]
    return [str(year)] if template.period == "year" else [CAMPAIGN_PERIOD]


def slots(templates: Sequence[UploadTemplate], units: Sequence[str], year: int) -> list[Slot]:
    """(template, uploading unit, period) of every file, the templates taking turns."""
    supervisor = units[0]
    per_template = [
        [(template, unit, period) for period in _periods(template, year)
         for unit in (units if template.row_unit == "own" else [supervisor])]
        for template in templates
    ]
    longest = max((len(group) for group in per_template), default=0)
    return [group[i] for i in range(longest) for group in per_template if i < len(group)]


class _Rows:
    """Draws the rows of one file."""

    def __init__(self, rng: random.Random, template: UploadTemplate, unit: str, units: Sequence[str],
                 dates: tuple[dt.date, dt.date]) -> None:
        self.rng, self.template, self.unit, self.units, self.dates = rng, template, unit, units, dates

    def _day(self, after: dt.date | None = None) -> dt.date:
        first, last = after or self.dates[0], self.dates[1]
        return first + dt.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def _value(self, column: Column, row: dict[str, Any], n: int) -> Any:
        rng = self.rng
        if not column.required and rng.random() < 0.2:
            return None
        if column.type == "unit":
            own = self.template.row_unit == "own" and column.field == self.template.unit_column
            return self.unit if own else rng.choice(self.units)
        if column.type == "date":
            return self._day(row.get(column.not_below))
        if column.type in ("int", "number"):
            low = column.min or 0
            limit = row.get(column.not_above) if column.not_above else None
            high = min(INT_TOP if column.max is None else column.max, INT_TOP if limit is None else limit)
            return rng.randint(int(low), int(high)) if column.type == "int" else round(rng.uniform(low, high), 1)
        if column.type == "choice":
            return rng.choice(column.choices or ())
        if column.type == "yesno":
            return rng.random() < 0.7
        return f"{column.header}{n}"

    def draw(self, count: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        keys: set[tuple[Any, ...]] = set()
        for n in range(1, count * TRIES + 1):
            row: dict[str, Any] = {}
            for column in self.template.columns:
                row[column.field] = self._value(column, row, n)
            key = tuple(row[name] for name in self.template.key) if self.template.key else (n,)
            if key not in keys:
                keys.add(key)
                rows.append(row)
            if len(rows) == count:
                break
        return rows


def ledger_files(templates: Sequence[UploadTemplate], units: Sequence[str], year: int, total: int,
                 seed: int) -> Iterator[LedgerFile]:
    """Files holding about ``total`` rows in all, spread evenly (at most MAX_ROWS a file)."""
    rng = random.Random(seed)
    every = slots(templates, units, year)
    if not every or total <= 0:
        return
    base, extra = divmod(total, len(every))
    for number, (template, unit, period) in enumerate(every):
        count = min(MAX_ROWS, base + (number < extra))
        if count == 0:
            continue
        dates = template.period_dates(period) if period != CAMPAIGN_PERIOD else None
        drawer = _Rows(rng, template, unit, units, dates or (dt.date(year, 1, 1), dt.date(year, 12, 31)))
        yield LedgerFile(template, unit, period, drawer.draw(count))
