"""How values, targets, dates and names are written on the dashboard."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from collectors.numerals import chinese_numeral
from dashboard.i18n import t

DEFAULT_TIMEZONE = "Asia/Shanghai"


def number(value: float) -> str:
    """An integer without decimals, anything else with one: ``28``, ``46.5``, ``13,610``."""
    rounded = round(value, 1)
    return f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"


def percent(ratio: float) -> str:
    """A ratio (0–1) as a percentage with one decimal, without a trailing ``.0``: ``96.9%``, ``100%``."""
    return f"{number(ratio * 100)}%"


def value_text(value: float | None, unit: str) -> str:
    """An indicator's value in its unit (ratio, count, days or score); ``—`` when there is none."""
    if value is None:
        return t("empty")
    if unit == "ratio":
        return percent(value)
    return _in_unit(number(value), unit)


def _in_unit(text: str, unit: str) -> str:
    """A number already written, with its unit word (days and scores have one)."""
    return t(f"value.{unit}", value=text) if unit in ("days", "score") else text


def target_text(target: float, unit: str, direction: str) -> str:
    """A target with its direction: ``≥ 98%``, ``≤ 60 天``."""
    return t(f"target.{direction}", value=value_text(target, unit))


def gap_text(value: float | None, target: float | None, unit: str, direction: str) -> str | None:
    """The distance to ``target`` in words, never as a sign or an arrow that would read as a trend:
    ``距目标差 0.9 个百分点``, or ``已达目标``; None without a value or a target."""
    if value is None or target is None:
        return None
    short = target - value if direction == "higher" else value - target
    if round(short * (100 if unit == "ratio" else 1), 1) <= 0:
        return t("gap.met")
    amount = t("value.points", value=number(short * 100)) if unit == "ratio" else value_text(short, unit)
    return t("gap.short", gap=amount)


def _local(moment: dt.datetime, timezone: str = DEFAULT_TIMEZONE) -> dt.datetime:
    """``moment`` in ``timezone`` (an aware datetime is expected; a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(timezone))


def datetime_text(moment: dt.datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """A point in time in local time: ``2026年11月24日 23:45``; ``—`` for None."""
    if moment is None:
        return t("empty")
    at = _local(moment, timezone)
    return t("date.time", year=at.year, month=at.month, day=at.day, hour=at.hour, minute=at.minute)


def date_text(day: dt.date, with_year: bool = False) -> str:
    """A date: ``6月1日``, or ``2026年6月1日`` with the year."""
    key = "date.day" if with_year else "date.month_day"
    return t(key, year=day.year, month=day.month, day=day.day)


def month_label(key: str) -> str:
    """A month key such as ``2026-03`` as an axis label: ``3月``."""
    year, month = key.split("-")
    return t("date.month", year=int(year), month=int(month))


def action_title(no: int, name: str) -> str:
    """An action as the plan heads it: ``一、凝心聚力振精神``."""
    return t("action.title", numeral=chinese_numeral(no), no=no, name=name)


def period_text(key: str) -> str:
    """An upload period key as people write it: ``2026年6月``, ``2026年``, ``全程``."""
    year, _, month = key.partition("-")
    if not year.isdigit():
        return t("period.campaign")
    if month:
        return t("period.month", year=int(year), month=int(month))
    return t("period.year", year=int(year))


def column_format(unit: str) -> str:
    """How a table column of an indicator's values is formatted (``st.column_config.NumberColumn``);
    ratios are shown as percentages with one decimal, so their cells hold :func:`column_value`."""
    if unit == "ratio":
        return "%.1f%%"
    if unit in ("days", "score"):
        return t(f"value.{unit}", value="%.1f")
    return "localized"


def column_value(value: float | None, unit: str) -> float | None:
    """An indicator's value as a table cell formatted by :func:`column_format` holds it (ratios in percent)."""
    if value is None or unit != "ratio":
        return value
    return round(value * 100, 1)
