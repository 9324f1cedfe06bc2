"""The dashboard's chart builders, checked by their Vega-Lite specs (no Streamlit involved)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import pytest

from dashboard.campaign_view import PhaseInfo
from dashboard.charts import (
    MEETS_COLOR,
    MISSES_COLOR,
    NEUTRAL_COLOR,
    by_unit_bars,
    meets,
    month_trend,
    phase_timeline,
    worst_units,
)
from models.indicators import Breakdown

MONTHS = [
    Breakdown("2026-04", 0.99, 99, 100),
    Breakdown("2026-02", 0.95, 95, 100),
    Breakdown("2026-03", None),
    Breakdown("2026-03", 0.97, 97, 100),
]
UNITS = [Breakdown("fgj", 0.99), Breakdown("jyj", 0.90), Breakdown("zzz", 0.98), Breakdown("nul", None)]
UNIT_NAMES = {"fgj": "发改委", "jyj": "教育局", "zzz": "住建局"}
PHASES = [
    PhaseInfo("mobilise", "动员部署", dt.date(2026, 6, 1), dt.date(2026, 6, 10), ("召开动员部署大会",)),
    PhaseInfo("self_check", "自查自纠", dt.date(2026, 6, 11), dt.date(2026, 7, 20), ()),
    PhaseInfo("rectify", "整改推进", dt.date(2026, 7, 21), dt.date(2026, 11, 10), ()),
]


def rows(spec: dict[str, Any], layer: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The data rows of ``layer`` (or of the chart, or of its first layer)."""
    for view in (layer, spec, *spec.get("layer", [])[:1]):
        if view and "data" in view:
            return spec["datasets"][view["data"]["name"]]
    raise AssertionError("no data")


def test_month_trend_is_a_line_in_month_order_with_a_dashed_target() -> None:
    chart = month_trend(MONTHS, 0.98, "ratio")
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()
    line, points, rule = spec["layer"]
    assert line["mark"]["type"] == "line" and points["mark"]["type"] == "point"
    assert [row["label"] for row in rows(spec, line)] == ["2月", "3月", "4月"]
    assert [row["partial"] for row in rows(spec, line)] == [False, False, False]
    assert [row["text"] for row in rows(spec, line)] == ["95%", "97%", "99%"]
    assert line["encoding"]["x"]["sort"] == ["2月", "3月", "4月"]
    assert line["encoding"]["y"]["field"] == "value"
    assert line["encoding"]["y"]["axis"]["format"] == ".1~%"
    assert line["encoding"]["y"]["scale"]["zero"] is False
    assert rule["mark"]["type"] == "rule" and rule["mark"]["strokeDash"]
    assert rule["encoding"]["y"]["field"] == "target"
    assert rows(spec, rule) == [{"target": 0.98, "text": "98%"}]


def test_month_trend_without_target_has_no_rule_and_counts_have_whole_ticks() -> None:
    spec = month_trend([Breakdown("2026-05", 3.0), Breakdown("2026-06", 5.0)], None, "count").to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "point"]
    assert spec["layer"][0]["encoding"]["y"]["axis"] == {"format": ",d", "tickMinStep": 1}
    assert [row["text"] for row in rows(spec)] == ["3", "5"]


def test_whole_days_have_whole_ticks() -> None:
    spec = month_trend([Breakdown("2026-05", 5.2), Breakdown("2026-06", 5.8)], 6.0, "days").to_dict()
    assert spec["layer"][0]["encoding"]["y"]["axis"] == {"format": ",d", "tickMinStep": 1}


def test_a_count_with_a_target_for_the_year_is_drawn_as_its_running_total() -> None:
    spec = month_trend([Breakdown("2026-05", 1.0), Breakdown("2026-06", 2.0), Breakdown("2026-07", 1.0)],
                       8.0, "count").to_dict()
    assert [row["value"] for row in rows(spec)] == [1.0, 3.0, 4.0]
    assert rows(spec, spec["layer"][-1]) == [{"target": 8.0, "text": "8"}]


def test_the_current_month_is_marked_partial() -> None:
    spec = month_trend(MONTHS, 0.98, "ratio", dt.date(2026, 4, 4)).to_dict()
    assert [row["label"] for row in rows(spec)] == ["2月", "3月", "4月（至4日）"]
    assert [row["partial"] for row in rows(spec)] == [False, False, True]


@pytest.mark.parametrize("target", [0.98, None])
def test_month_trend_of_nothing_still_renders(target: float | None) -> None:
    spec = month_trend([], target, "ratio").to_dict()
    assert rows(spec) == []


def test_by_unit_bars_put_the_worst_unit_first_and_colour_by_target() -> None:
    chart = by_unit_bars(UNITS, UNIT_NAMES, 0.98, "higher", "ratio")
    spec = chart.to_dict()
    bars, dots, rule = spec["layer"]
    data = rows(spec)
    assert [row["unit"] for row in data] == ["教育局", "住建局", "发改委"]
    assert [row["label"] for row in data] == ["教育局  90%", "住建局  98%", "发改委  99%"]
    assert [row["standing"] for row in data] == ["未达标", "达标", "达标"]
    assert bars["mark"]["type"] == "bar" and dots["mark"]["type"] == "point"  # a unit at zero still shows
    assert bars["encoding"]["y"]["sort"] == [row["label"] for row in data]
    assert bars["encoding"]["color"]["scale"] == {"domain": ["达标", "未达标"], "range": [MEETS_COLOR, MISSES_COLOR]}
    assert rule["encoding"]["x"]["field"] == "target"
    assert spec["height"] == {"step": 22}


def test_by_unit_bars_for_lower_is_better_and_unknown_units() -> None:
    days = [Breakdown("a", 30.0), Breakdown("b", 75.0), Breakdown("c", 61.0)]
    spec = by_unit_bars(days, {"a": "甲"}, 60.0, "lower", "days").to_dict()
    data = rows(spec)
    assert [row["unit"] for row in data] == ["b", "c", "甲"]
    assert [row["text"] for row in data] == ["75 天", "61 天", "30 天"]
    assert [row["standing"] for row in data] == ["未达标", "未达标", "达标"]


def test_by_unit_bars_without_target_are_one_colour() -> None:
    spec = by_unit_bars([Breakdown("a", 3.0)], {}, None, "higher", "count").to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "point"]  # no target rule
    assert spec["layer"][0]["encoding"]["color"] == {"value": NEUTRAL_COLOR}


def test_the_units_shown_are_the_failing_ones_else_the_bottom_ten() -> None:
    many = [Breakdown(f"u{i:02d}", i / 20) for i in range(20)]
    shown, failing = worst_units(many, 0.9, "higher")
    assert failing == 18 and [b.key for b in shown] == [f"u{i:02d}" for i in range(10)]
    shown, failing = worst_units(many[:12], 0.2, "higher")
    assert failing == 4 and [b.key for b in shown] == ["u00", "u01", "u02", "u03"]
    shown, failing = worst_units(many, None, "higher")
    assert failing == 0 and len(shown) == 10 and shown[0].key == "u00"


def test_by_unit_bars_of_nothing_still_render() -> None:
    spec = by_unit_bars([Breakdown("a", None)], UNIT_NAMES, 1.0, "higher", "ratio").to_dict()
    assert rows(spec) == []


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [(0.98, 0.98, "higher", True), (0.979, 0.98, "higher", False), (60, 60, "lower", True), (61, 60, "lower", False)],
)
def test_meets(value: float, target: float, direction: str, expected: bool) -> None:
    assert meets(value, target, direction) is expected


def test_phase_timeline_marks_today_and_the_current_phase() -> None:
    chart = phase_timeline(PHASES, dt.date(2026, 7, 1))
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()
    bars, rule, label = spec["layer"]
    data = rows(spec, bars)
    assert [row["state"] for row in data] == ["已结束", "进行中", "未开始"]
    assert data[0]["start"] == "2026-06-01" and data[0]["end"] == "2026-06-11"  # the last day is included
    assert data[1]["dates"] == "6月11日—7月20日"
    assert bars["encoding"]["x"]["axis"]["format"] == "%-m月"
    assert bars["encoding"]["y"]["sort"] == ["动员部署", "自查自纠", "整改推进"]
    assert rule["mark"]["type"] == "rule"
    assert rows(spec, rule) == [{"day": "2026-07-01", "label": "今天"}]
    assert label["encoding"]["text"]["field"] == "label"


@pytest.mark.parametrize("today", [dt.date(2026, 3, 1), dt.date(2026, 12, 1)])
def test_phase_timeline_leaves_today_out_when_outside_the_phases(today: dt.date) -> None:
    chart = phase_timeline(PHASES, today)
    assert isinstance(chart, alt.Chart)
    assert {row["state"] for row in rows(chart.to_dict())} == {"未开始" if today.month == 3 else "已结束"}


def test_phase_timeline_of_no_phases_still_renders() -> None:
    spec = phase_timeline([], dt.date(2026, 7, 1)).to_dict()
    assert rows(spec) == []
