"""Upload templates: what an office fills in, declared once by a plugin.

From a declaration come the table its rows land in (built here, ``ledger_<id>`` on the
store's metadata), the blank files to download (:mod:`collectors.template_files`) and
the validator (:mod:`collectors.upload_validation`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from collectors.parsing import LOCAL_TIME
from collectors.upload_problems import bad_period
from models.base import Base
from models.uploads import UploadedFile

ColumnType = Literal["text", "int", "number", "date", "choice", "unit", "yesno"]
COLUMN_TYPES: tuple[str, ...] = ("text", "int", "number", "date", "choice", "unit", "yesno")
SQL_TYPES: dict[str, sa.types.TypeEngine[object]] = {
    "text": sa.Text(), "int": sa.Integer(), "number": sa.Float(), "date": sa.Date(),
    "choice": sa.String(64), "unit": sa.String(64), "yesno": sa.Boolean(),
}
INDEXED_TYPES = {"unit", "date", "choice"}
"""Column types indicators filter on; their ledger columns are indexed."""
BOOKKEEPING = ("id", "upload_id", "unit_code", "row_no")
"""Ledger columns beside the template's own fields."""
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
YES_NO = ("是", "否")
CAMPAIGN_PERIOD = "campaign"
DATED_PERIODS = "dates"
"""The period of a file whose rows' dates give their periods (a cumulative ledger, one running sheet)."""
MAX_TEXT = 2000
"""Characters a text cell may hold (a ``text`` column is unbounded in the store; a ledger's cell is not)."""


@dataclass(frozen=True)
class Column:
    """One column of a template.

    ``type`` is one of :data:`COLUMN_TYPES`: ``unit`` takes a campaign unit by code, name,
    short name or alias and stores its code; ``yesno`` takes 是/否, 有/无, Y/N and stores a
    boolean, shown with the two words of ``choices`` (default 是/否). ``min`` and ``max``
    bound numbers; ``not_above`` / ``not_below`` name another column of the same type that
    this one may not exceed / fall below in the same row (通过人数 ≤ 参加人数).
    """

    field: str
    header: str
    type: ColumnType = "text"
    required: bool = False
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    help: str = ""
    not_above: str | None = None
    not_below: str | None = None

    def __post_init__(self) -> None:
        if not NAME.match(self.field) or self.field in BOOKKEEPING:
            raise ValueError(f"column field '{self.field}' must be lowercase letters, digits and _, not {BOOKKEEPING}")
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column '{self.field}': type '{self.type}' is not one of {', '.join(COLUMN_TYPES)}")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"column '{self.field}' is a choice without choices")
        if self.type == "yesno" and self.choices is not None and len(self.choices) != 2:
            raise ValueError(f"column '{self.field}': a yesno column's choices are its yes and no words")

    @property
    def words(self) -> tuple[str, ...] | None:
        """The values offered in a dropdown: the choices, or a yesno column's two words."""
        if self.type == "yesno":
            return self.choices or YES_NO
        return self.choices


@dataclass(frozen=True)
class UploadTemplate:
    """A ledger offices upload, and the table its rows are stored in.

    ``unit_column`` is the field naming a row's unit. With ``row_unit="own"`` every row's
    unit must be the uploading unit; ``"any"`` rows name other units (such files are
    uploaded by admins only). ``period`` is how often a unit reports: once a ``month``, a
    ``year`` or for the whole ``campaign``; a new file for the same unit and period
    replaces the earlier one. ``period_field`` is a date column every row's date must
    fall in the period; ``key`` the fields that identify a row (two rows with the same
    key are duplicates; without a key only identical rows are). ``feeds`` lists the
    campaign tasks the ledger feeds.
    """

    id: str
    title: str
    columns: tuple[Column, ...]
    unit_column: str | None = None
    row_unit: Literal["own", "any"] = "own"
    period: Literal["month", "year", "campaign"] = "month"
    feeds: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    period_field: str | None = None
    description: str = ""
    table: sa.Table = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check()
        object.__setattr__(self, "table", _ledger_table(self))

    def _check(self) -> None:
        if not NAME.match(self.id):
            raise ValueError(f"template id '{self.id}' must be lowercase letters, digits and underscores")
        fields = [column.field for column in self.columns]
        for values, what in ((fields, "field"), ([column.header for column in self.columns], "header")):
            if len(set(values)) != len(values):
                raise ValueError(f"template '{self.id}' declares a {what} twice")
        by_field = {column.field: column for column in self.columns}
        references = [(self.unit_column, "unit"), (self.period_field, "date")]
        references += [(name, None) for name in self.key]
        for column in self.columns:
            references += [(column.not_above, column.type), (column.not_below, column.type)]
        for name, kind in references:
            if name is not None and (name not in by_field or kind not in (None, by_field[name].type)):
                raise ValueError(f"template '{self.id}' refers to '{name}', which is not a {kind or ''} column of it")
        if self.row_unit not in ("own", "any") or self.period not in ("month", "year", CAMPAIGN_PERIOD):
            raise ValueError(f"template '{self.id}': row_unit is own|any, period is month|year|campaign")

    def column(self, field_name: str) -> Column:
        return next(column for column in self.columns if column.field == field_name)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def dated(self) -> bool:
        """Whether a file's periods can be taken from its rows' dates (a month or year ledger with a date column)."""
        return self.period != CAMPAIGN_PERIOD and self.period_field is not None

    def period_key(self, text: str | None, today: dt.date | None = None) -> str:
        """The period a file is for, written the one way: ``2026-06``, ``2026``, ``campaign``, or
        :data:`DATED_PERIODS` when each row's date gives its period.

        Accepts ``2026-6``, ``2026/06``, ``2026年6月`` (``2026年`` for a year). Empty means
        the rows' dates for a :attr:`dated` ledger, else the current period. Raises
        ``ValueError`` with a message for the clerk.
        """
        value = unicodedata.normalize("NFKC", text or "").strip()
        if self.period == CAMPAIGN_PERIOD:
            if value in ("", CAMPAIGN_PERIOD, "全程"):
                return CAMPAIGN_PERIOD
            raise ValueError(bad_period(value, self.period))
        if value in ("", DATED_PERIODS) and self.dated:
            return DATED_PERIODS
        if not value:
            return self.period_of(today or dt.datetime.now(LOCAL_TIME).date())
        pattern = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?" if self.period == "month" else r"(\d{4})\s*年?"
        match = re.fullmatch(pattern, value)
        if not match or (self.period == "month" and not 1 <= int(match[2]) <= 12):
            raise ValueError(bad_period(value, self.period))
        return f"{match[1]}-{int(match[2]):02d}" if self.period == "month" else match[1]

    def period_of(self, day: dt.date) -> str:
        """The key of the month or year period ``day`` falls in."""
        return f"{day:%Y-%m}" if self.period == "month" else f"{day:%Y}"

    def period_dates(self, key: str) -> tuple[dt.date, dt.date] | None:
        """First and last day of a period key; None for the whole campaign or periods taken from dates."""
        if self.period == CAMPAIGN_PERIOD or key == DATED_PERIODS:
            return None
        year, _, month = key.partition("-")
        if not month:
            return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
        last = calendar.monthrange(int(year), int(month))[1]
        return dt.date(int(year), int(month), 1), dt.date(int(year), int(month), last)


def _ledger_table(template: UploadTemplate) -> sa.Table:
    """The table ``ledger_<id>``: who uploaded each row, from which file, and one column per field."""
    name = f"ledger_{template.id}"
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("upload_id", sa.ForeignKey(UploadedFile.id), nullable=False, index=True),
        sa.Column("unit_code", sa.String(64), nullable=False, index=True),
        sa.Column("row_no", sa.Integer, nullable=False),
        *(sa.Column(c.field, SQL_TYPES[c.type], index=c.type in INDEXED_TYPES) for c in template.columns),
    ]
    existing = Base.metadata.tables.get(name)
    if existing is not None:
        if [(c.name, repr(c.type)) for c in existing.columns][len(BOOKKEEPING):] != [
            (c.field, repr(SQL_TYPES[c.type])) for c in template.columns
        ]:
            raise ValueError(f"the upload template '{template.id}' is declared twice with different columns")
        return existing
    return sa.Table(name, Base.metadata, *columns)
