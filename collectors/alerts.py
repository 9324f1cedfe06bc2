"""Alerts (预警): what leadership is told without having to look, as plugins declare them.

A plugin declares :class:`AlertRule` s through the ``storm_alert_rules`` hook; each reads the
store and returns :class:`Alert` s. Alerts are aggregates: a unit's overdue cases are one
alert with their count, never one per person or per complaint text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from collectors.report import IndicatorReport
from models.campaign import Unit
from models.indicators import Scope
from models.workdays import add_workdays, workdays_between

NO_UNIT = "未对应单位"
"""How an alert names the unit of records whose unit the source did not name."""


@dataclass(frozen=True)
class Watch:
    """The moment alerts and headline figures are computed for."""

    scope: Scope
    now: dt.datetime
    """UTC."""
    timezone: str
    reports: Mapping[str, IndicatorReport]
    """The indicators computed at ``now``, by id."""

    @property
    def today(self) -> dt.date:
        """The local date at ``now``."""
        return self.now.astimezone(ZoneInfo(self.timezone)).date()

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """The UTC time at which the local ``day`` ends."""
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), ZoneInfo(self.timezone))
        return midnight.astimezone(dt.UTC)

    def end_of_next_workday(self) -> dt.datetime:
        """The UTC time at which the next working day after today ends."""
        return self.end_of_day(add_workdays(self.today, 1))

    def workdays_since(self, moment: dt.datetime) -> int:
        """Working days from the local date of ``moment`` to today."""
        return workdays_between(moment.astimezone(ZoneInfo(self.timezone)).date(), self.today)


class Level(StrEnum):
    """How urgent an alert is: red for what is already late, yellow for what soon will be."""

    RED = "red"
    YELLOW = "yellow"


@dataclass(frozen=True)
class Alert:
    """One card of the alerts list, in Chinese and (when the plugin gives it) in English."""

    level: Level
    title: str
    """What kind of alert, e.g. 办件超期."""
    text: str
    """The particulars, without names of people or complaint text."""
    at: dt.datetime
    """When the condition began (UTC): the earliest due time or deadline it is about, never the time it
    was computed, so that the list keeps its order from one run to the next."""
    source: str
    """The collector whose data it comes from (for provenance)."""
    unit: str | None = None
    """The unit's name, when the alert is about one unit."""
    title_en: str = ""
    text_en: str = ""
    """The title and particulars in English ("" when the plugin gives none: the Chinese is shown)."""
    flag: str | None = None
    """The red flag of the source's page that lists the alert's records, if it has one."""

    def words(self, language: str) -> tuple[str, str]:
        """The title and the particulars in ``language`` ("zh" or "en"), Chinese when there is no English."""
        if language == "en" and self.title_en:
            return self.title_en, self.text_en or self.text
        return self.title, self.text


@dataclass(frozen=True)
class AlertRule:
    """A kind of alert a plugin adds: ``alerts(session, watch)`` returns its current alerts."""

    key: str
    title: str
    alerts: Callable[[Session, Watch], list[Alert]]


def rule_alerts(session: Session, rules: Iterable[AlertRule], watch: Watch) -> list[Alert]:
    """Every rule's current alerts."""
    return [alert for rule in rules for alert in rule.alerts(session, watch)]


def most_urgent_first(alerts: Iterable[Alert]) -> list[Alert]:
    """``alerts`` by severity (red first), then the longest-lasting first (the earliest start), then by kind
    and unit, so that the order is the same on every run."""
    return sorted(alerts, key=lambda alert: (alert.level != Level.RED, alert.at, alert.title, alert.unit or ""))


newest_first = most_urgent_first
"""The former name of :func:`most_urgent_first`, still imported by the dashboard's cache and the application."""


def kind_counts(alerts: Iterable[Alert], language: str = "zh") -> list[tuple[Level, str, int]]:
    """How many alerts of each level and kind (title in ``language``), reds first, then the most numerous."""
    counts = Counter((alert.level, alert.words(language)[0]) for alert in alerts)
    return sorted(((level, title, count) for (level, title), count in counts.items()),
                  key=lambda row: (row[0] != Level.RED, -row[2], row[1]))


@dataclass(frozen=True)
class UnitGroup:
    """Records of one unit matching an alert's condition: how many, and their earliest and latest time."""

    unit: str
    count: int
    earliest: dt.datetime
    latest: dt.datetime


def by_unit(
    session: Session, model: type[Any], time: ColumnElement[dt.datetime], *where: ColumnElement[bool]
) -> list[UnitGroup]:
    """The rows of ``model`` (a table with a ``unit_code``) matching ``where``, counted per unit
    in SQL, most first. ``time`` is the moment each row became (or becomes) late, such as a due time."""
    query = (
        select(Unit.name, func.count(), func.min(time), func.max(time))
        .select_from(model)
        .outerjoin(Unit, Unit.code == model.unit_code)
        .where(*where)
        .group_by(model.unit_code, Unit.name)
        .order_by(func.count().desc(), Unit.name)
    )
    return [UnitGroup(name or NO_UNIT, count, first, last) for name, count, first, last in session.execute(query)]
