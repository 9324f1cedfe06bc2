"""History: a daily snapshot of every indicator's overall value, taken from its cells.

The snapshot of a local day holds the values as they stood after the last change of that day
(:func:`take` rewrites the day's snapshot), so that pages show the trend over the campaign:
this week against last week, and each phase's start and end (:func:`value_on`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import String, delete, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.indicators.engine import IndicatorValues
from models.indicators.sql import LOCAL_OFFSET_HOURS


class IndicatorSnapshot(Base):
    """An indicator's overall value at the end of a local day (as far as that day's data went)."""

    __tablename__ = "indicator_history"

    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    value: Mapped[float | None]
    numerator: Mapped[float | None]
    denominator: Mapped[float | None]
    taken_at: Mapped[dt.datetime]


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today's local date."""
    return ((now or utcnow()).astimezone(dt.UTC) + dt.timedelta(hours=LOCAL_OFFSET_HOURS)).date()


def taken(session: Session, day: dt.date) -> bool:
    """Whether the snapshot of ``day`` has been taken."""
    return session.scalar(select(IndicatorSnapshot.indicator).where(IndicatorSnapshot.day == day).limit(1)) is not None


def take(session: Session, values: Mapping[str, IndicatorValues], day: dt.date | None = None) -> None:
    """Write ``values`` (by indicator id) as the snapshot of ``day`` (default: today), replacing the
    day's values of those indicators."""
    day = day or local_today()
    if not values:
        return
    session.execute(delete(IndicatorSnapshot).where(IndicatorSnapshot.day == day,
                                                    IndicatorSnapshot.indicator.in_(list(values))))
    now = utcnow()
    session.execute(insert(IndicatorSnapshot), [
        {"indicator": indicator, "day": day, "value": found.value, "numerator": found.numerator,
         "denominator": found.denominator, "taken_at": now}
        for indicator, found in values.items()
    ])


def value_on(session: Session, day: dt.date, indicators: Iterable[str] | None = None) -> dict[str, float | None]:
    """Each indicator's value in the newest snapshot taken on or before ``day`` (indicators without one
    are left out)."""
    newest = select(IndicatorSnapshot.indicator, func.max(IndicatorSnapshot.day).label("day")).where(
        IndicatorSnapshot.day <= day).group_by(IndicatorSnapshot.indicator)
    if indicators is not None:
        newest = newest.where(IndicatorSnapshot.indicator.in_(list(indicators)))
    latest = newest.subquery("latest")
    query = select(IndicatorSnapshot.indicator, IndicatorSnapshot.value).join(
        latest, (latest.c.indicator == IndicatorSnapshot.indicator) & (latest.c.day == IndicatorSnapshot.day))
    return {indicator: value for indicator, value in session.execute(query)}


def series(session: Session, indicator: str) -> list[tuple[dt.date, float | None]]:
    """The indicator's snapshots, oldest first: (day, value)."""
    query = select(IndicatorSnapshot.day, IndicatorSnapshot.value).where(
        IndicatorSnapshot.indicator == indicator).order_by(IndicatorSnapshot.day)
    return [(day, value) for day, value in session.execute(query)]


@dataclass(frozen=True)
class Trend:
    """An indicator's value in the newest snapshot and a week before it."""

    now: float | None
    week_ago: float | None

    @property
    def change(self) -> float | None:
        return None if self.now is None or self.week_ago is None else self.now - self.week_ago


def weekly_trends(session: Session, today: dt.date | None = None) -> dict[str, Trend]:
    """Every indicator's value as of ``today`` (default: today) and as of a week earlier, from the snapshots."""
    today = today or local_today()
    current, before = value_on(session, today), value_on(session, today - dt.timedelta(days=7))
    return {indicator: Trend(value, before.get(indicator)) for indicator, value in current.items()}
