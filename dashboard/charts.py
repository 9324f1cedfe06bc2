"""Chart builders: pure functions from indicator and campaign data to Altair charts.

Nothing here imports Streamlit, so the charts are tested by their Vega-Lite spec. Empty
inputs give a chart with no rows (it renders empty axes); pages show a "no data" note instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from dashboard.campaign_view import PhaseInfo
from dashboard.format import date_text, month_label, value_text
from dashboard.i18n import t
from models.indicators import Breakdown

MEETS_COLOR = "#2e7d32"
MISSES_COLOR = "#c62828"
NEUTRAL_COLOR = "#1f77b4"
TARGET_COLOR = "#616161"
TODAY_COLOR = "#d32f2f"
PHASE_COLORS = ("#bdbdbd", "#1565c0", "#90caf9")  # past, current, future
BAR_STEP = 22
"""Pixels per bar in the by-unit chart."""
WORST_SHOWN = 10
"""How many units the by-unit chart shows at most: the failing ones, worst first, else the bottom ten."""
MIN_TREND_POINTS = 3
"""A trend needs at least this many months to be drawn."""
TREND_HEIGHT = 200
"""Pixels: a trend beside the by-unit chart of its indicator, low enough for a page to be read at a glance."""
TOLERANCE = 1e-9


def _value_axis(unit: str) -> alt.Axis:
    """Percentages for ratios, whole ticks for counts, at most one decimal otherwise."""
    if unit == "ratio":
        return alt.Axis(format=".1~%")
    if unit in ("count", "days"):
        return alt.Axis(format=",d", tickMinStep=1)
    return alt.Axis(format=",.1~f")


def _target_rule(target: float, unit: str, channel: str) -> alt.Chart:
    """A dashed line at ``target`` along ``channel`` ("x" or "y")."""
    frame = pd.DataFrame({"target": [target], "text": [value_text(target, unit)]})
    position = alt.X("target:Q") if channel == "x" else alt.Y("target:Q")
    return (
        alt.Chart(frame)
        .mark_rule(strokeDash=[6, 4], color=TARGET_COLOR, strokeWidth=1.5)
        .encode(position, tooltip=[alt.Tooltip("text:N", title=t("chart.target"))])
    )


def month_trend(
    by_month: Sequence[Breakdown], target: float | None, unit: str, today: dt.date | None = None
) -> alt.LayerChart:
    """The indicator month by month (line and points), with its target as a dashed rule. A count with a
    target (a number to reach in the year) is drawn as its running total, so that it meets the target's line
    when the year's count does; the month holding ``today`` is labelled as partial and drawn hollow."""
    rows = sorted((b for b in by_month if b.value is not None), key=lambda b: b.key)
    values = [b.value for b in rows]
    if unit == "count" and target is not None:
        values = [sum(values[: i + 1]) for i in range(len(values))]
    current = f"{today.year}-{today.month:02d}" if today else None
    labels = [t("chart.partial_month", month=month_label(b.key), day=today.day) if b.key == current and today
              else month_label(b.key) for b in rows]
    frame = pd.DataFrame(
        {
            "label": labels,
            "value": values,
            "text": [value_text(value, unit) for value in values],
            "partial": [b.key == current for b in rows],
        }
    )
    base = alt.Chart(frame).encode(
        x=alt.X("label:O", sort=labels, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None, axis=_value_axis(unit), scale=alt.Scale(zero=unit == "count")),
        tooltip=[alt.Tooltip("label:N", title=t("chart.month")), alt.Tooltip("text:N", title=t("chart.value"))],
    )
    points = base.mark_point(size=60, color=NEUTRAL_COLOR, strokeWidth=2, opacity=1).encode(
        fill=alt.condition(alt.datum.partial, alt.value("white"), alt.value(NEUTRAL_COLOR))
    )
    layers = [base.mark_line(color=NEUTRAL_COLOR), points]
    rule = [_target_rule(target, unit, "y")] if target is not None else []
    return alt.layer(*layers, *rule).properties(height=TREND_HEIGHT)


def trend_title(unit: str, target: float | None) -> str:
    """What the trend chart shows: month by month, or the running total for a count with a year's target."""
    return t("indicator.cumulative") if unit == "count" and target is not None else t("indicator.by_month")


def worst_units(by_unit: Sequence[Breakdown], target: float | None, direction: str) -> tuple[list[Breakdown], int]:
    """The units the by-unit chart shows, worst first: those missing the target (at most
    :data:`WORST_SHOWN`), or the bottom :data:`WORST_SHOWN` when there is no target or every unit meets
    it; and how many units miss the target."""
    rows = sorted((b for b in by_unit if b.value is not None), key=lambda b: b.value, reverse=direction == "lower")
    failing = [b for b in rows if target is not None and not meets(b.value, target, direction)]
    return (failing or rows)[:WORST_SHOWN], len(failing)


def meets(value: float, target: float, direction: str) -> bool:
    """Whether ``value`` reaches ``target`` in the indicator's direction."""
    return value >= target - TOLERANCE if direction == "higher" else value <= target + TOLERANCE


def by_unit_bars(
    by_unit: Sequence[Breakdown], unit_names: Mapping[str, str], target: float | None, direction: str, unit: str
) -> alt.LayerChart:
    """One horizontal bar per unit, worst first, coloured by whether it meets the target.

    Each unit's value is written beside its name, so that bars of near-equal length still read, and a dot
    marks the value at the bar's end, so that a unit at zero still shows in its colour.
    """
    rows = sorted((b for b in by_unit if b.value is not None), key=lambda b: b.value, reverse=direction == "lower")
    texts = [value_text(b.value, unit) for b in rows]
    labels = [f"{unit_names.get(b.key, b.key)}  {text}" for b, text in zip(rows, texts, strict=True)]
    frame = pd.DataFrame(
        {
            "label": labels,
            "unit": [unit_names.get(b.key, b.key) for b in rows],
            "value": [b.value for b in rows],
            "text": texts,
            "standing": [
                "" if target is None else t("chart.meets") if meets(b.value, target, direction) else t("chart.misses")
                for b in rows
            ],
        }
    )
    color: alt.Color | dict[str, str] = alt.value(NEUTRAL_COLOR)
    if target is not None:
        color = alt.Color(
            "standing:N",
            scale=alt.Scale(domain=[t("chart.meets"), t("chart.misses")], range=[MEETS_COLOR, MISSES_COLOR]),
            legend=alt.Legend(title=None, orient="top"),
        )
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=labels, title=None),
        x=alt.X("value:Q", title=None, axis=_value_axis(unit)),
        color=color,
        tooltip=[alt.Tooltip("unit:N", title=t("chart.unit")), alt.Tooltip("text:N", title=t("chart.value"))],
    )
    layers = [base.mark_bar(), base.mark_point(filled=True, size=80, opacity=1)]
    rule = [_target_rule(target, unit, "x")] if target is not None else []
    return alt.layer(*layers, *rule).properties(height=alt.Step(BAR_STEP))


def _calendar_x(field: str) -> alt.X:
    """A date axis labelled by month, shared by every layer of the timeline.

    The scale is UTC, so dates do not shift with the browser's zone; the axis must not also say
    ``formatType="utc"``: Streamlit's Vega then ignores ``format`` and labels months in English.
    """
    axis = alt.Axis(format=t("chart.month_axis"), tickCount="month")
    return alt.X(f"{field}:T", title=None, scale=alt.Scale(type="utc"), axis=axis)


def phase_timeline(phases: Sequence[PhaseInfo], today: dt.date) -> alt.Chart | alt.LayerChart:
    """The phases as bars on a calendar, the current one highlighted, today marked when inside them."""
    states = [t("chart.phase_past"), t("chart.phase_current"), t("chart.phase_future")]

    def state(phase: PhaseInfo) -> str:
        return states[0] if phase.ends_on < today else states[2] if phase.starts_on > today else states[1]

    frame = pd.DataFrame(
        {
            "phase": [p.name for p in phases],
            "start": [p.starts_on.isoformat() for p in phases],
            "end": [(p.ends_on + dt.timedelta(days=1)).isoformat() for p in phases],
            "dates": [f"{date_text(p.starts_on)}—{date_text(p.ends_on)}" for p in phases],
            "state": [state(p) for p in phases],
        }
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadius=3)
        .encode(
            x=_calendar_x("start"),
            x2="end:T",
            y=alt.Y("phase:N", sort=[p.name for p in phases], title=None),
            color=alt.Color("state:N", scale=alt.Scale(domain=states, range=list(PHASE_COLORS)), legend=None),
            tooltip=[alt.Tooltip("phase:N", title=t("chart.phase")), alt.Tooltip("dates:N", title=t("chart.dates"))],
        )
    )
    if not phases or not min(p.starts_on for p in phases) <= today <= max(p.ends_on for p in phases):
        return bars
    marker = alt.Chart(pd.DataFrame({"day": [today.isoformat()], "label": [t("chart.today")]}))
    rule = marker.mark_rule(color=TODAY_COLOR, strokeWidth=2).encode(x=_calendar_x("day"))
    label = marker.mark_text(color=TODAY_COLOR, align="left", dx=4, dy=-4, baseline="bottom", y=0).encode(
        x=_calendar_x("day"), text="label:N"
    )
    return alt.layer(bars, rule, label)


def count_bars(counts: Sequence[Breakdown], names: Mapping[str, str]) -> alt.Chart:
    """One horizontal bar per group (a category, a channel, a method), most first, its count beside its name."""
    rows = sorted((b for b in counts if b.value is not None), key=lambda b: b.value, reverse=True)
    shown = [names.get(b.key, b.key) for b in rows]
    labels = [f"{name}  {value_text(b.value, 'count')}" for name, b in zip(shown, rows, strict=True)]
    frame = pd.DataFrame({"label": labels, "name": shown, "value": [b.value for b in rows]})
    return (
        alt.Chart(frame)
        .mark_bar(color=NEUTRAL_COLOR)
        .encode(
            y=alt.Y("label:N", sort=labels, title=None),
            x=alt.X("value:Q", title=None, axis=_value_axis("count")),
            tooltip=[
                alt.Tooltip("name:N", title=t("chart.group")),
                alt.Tooltip("value:Q", title=t("chart.count"), format=",d"),
            ],
        )
        .properties(height=alt.Step(BAR_STEP))
    )
