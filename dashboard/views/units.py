"""单位: each unit's scorecard and rank among its peers, the five-ones, overdue rectification items and
which ledgers each unit has uploaded. Townships and streets are ranked together, departments together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from collectors.exports.rankings import competition_places
from collectors.report import IndicatorReport
from collectors.templates import UploadTemplate
from dashboard import auth, data
from dashboard.campaign_view import UnitInfo
from dashboard.data import LedgerMark
from dashboard.format import column_format, column_value, period_text
from dashboard.i18n import t
from dashboard.tables import full_height, show_table
from dashboard.unit_score import UnitScore, score_weights, unit_scores

GROUPS = (("units.group_local", ("township", "street")), ("units.group_departments", ("department",)))
CROSS_CUTTING = "X"
TABLE_ROWS = 15  # rows a ranking table shows before it scrolls (a string here would show on the page)


def _values(report: IndicatorReport, units: Sequence[UnitInfo | UnitScore]) -> dict[str, float]:
    """The report's value of each of ``units`` that has one."""
    codes = {unit.code for unit in units}
    return {b.key: b.value for b in report.by_unit if b.key in codes and b.value is not None}


def _heading(report: IndicatorReport) -> str:
    task = t("uploads.task_crosscutting") if report.task == CROSS_CUTTING else t("units.task", no=report.task)
    return t("units.indicator", task=task, name=report.name)


def _scorecard(units: Sequence[UnitInfo], reports: list[IndicatorReport], weights: Mapping[str, float]) -> list[UnitScore]:
    """Units ranked by their overall score, with their values on the indicators it weighs and on the others
    that break down by unit (every column sortable); the scores, best first."""
    st.subheader(t("units.scorecard"))
    scores = unit_scores(reports, weights, [unit.code for unit in units])
    ranked = [report for report in reports if _values(report, units)]
    if not ranked:
        st.info(t("units.scorecard_none"))
        return scores
    st.caption(t("units.score_rule", count=len(weights)))
    headings = {report.id: _heading(report) for report in ranked}
    names = {unit.code: unit.name for unit in units}
    places = competition_places({s.code: s.score for s in scores if s.score is not None}, True)
    columns = sorted(ranked, key=lambda report: report.id not in weights)
    rows = []
    for score in scores:
        row: dict[str, object] = {t("column.rank"): places.get(score.code), t("column.unit"): names[score.code],
                                  t("units.score"): None if score.score is None else round(score.score, 1)}
        for report in columns:
            row[headings[report.id]] = column_value(_values(report, [score]).get(score.code), report.unit)
        rows.append(row)
    config = {
        headings[report.id]: st.column_config.NumberColumn(headings[report.id], format=column_format(report.unit))
        for report in columns
    } | {t("units.score"): st.column_config.NumberColumn(format="%.1f")}
    frame = pd.DataFrame(rows).astype({t("column.rank"): "Int64"})
    show_table(frame, hide_index=True, column_config=config, height=full_height(min(len(rows), TABLE_ROWS)))
    return scores


def _breakdown(units: Sequence[UnitInfo], scores: list[UnitScore], key: str) -> None:
    """One unit's score, part by part: each weighed indicator's value, its 0–100 score and its weight."""
    names = {unit.code: unit.name for unit in units}
    with st.expander(t("units.breakdown")):
        chosen = st.selectbox(t("filters.unit"), [s.code for s in scores], format_func=names.__getitem__, key=key)
        score = next(s for s in scores if s.code == chosen)
        if not score.parts:
            st.info(t("units.no_score"))
            return
        frame = pd.DataFrame([{t("units.part_indicator"): part.name, t("units.part_score"): round(part.score, 1),
                               t("units.part_weight"): part.weight} for part in score.parts])
        show_table(frame, hide_index=True)


def _panel(panel: data.Panel) -> None:
    """A plugin's table (required duties, overdue items, rankings), or a notice while it is empty."""
    if not panel.rows:
        st.info(t("units.pending", name=panel.title))
        return
    show_table(pd.DataFrame(panel.rows), hide_index=True, height=full_height(min(len(panel.rows), TABLE_ROWS)))


def _ledgers(units: Sequence[UnitInfo], templates: Sequence[UploadTemplate], marks: list[LedgerMark]) -> None:
    """Unit × ledger: the newest stored period of each, and how many ledgers each unit has uploaded."""
    st.caption(t("units.ledgers_caption"))
    latest = {(mark.unit_code, mark.template): mark.latest_period for mark in marks}
    rows = []
    for unit in units:
        row = {t("column.unit"): unit.name}
        periods = {template.title: latest.get((unit.code, template.id)) for template in templates}
        row[t("units.ledgers_count")] = f"{sum(p is not None for p in periods.values())}/{len(templates)}"
        row.update({title: period_text(p) if p else t("empty") for title, p in periods.items()})
        rows.append(row)
    show_table(pd.DataFrame(rows), hide_index=True, height=full_height(min(len(rows), TABLE_ROWS)))


viewer = auth.require(auth.VIEWERS)
campaign = data.campaign()
reports = data.reports()
own_ledgers = [template for template in data.upload_templates().values() if template.row_unit == "own"]
marks = data.ledger_marks()
weights = score_weights(data.config())
st.title(t("units.title"))
st.caption(t("units.caption"))
groups = [(t(label), [unit for unit in campaign.units if unit.kind in kinds]) for label, kinds in GROUPS]
for index, (tab, (label, units)) in enumerate(zip(st.tabs([label for label, _ in groups]), groups, strict=True)):
    with tab:
        scores = _scorecard(units, reports, weights)
        _breakdown(units, scores, key=f"units.breakdown.{index}")
        with st.expander(t("units.ledgers")):
            _ledgers(units, own_ledgers, marks)
for panel in data.unit_panels(personal=viewer.may(auth.PERSONAL_DATA)):
    with st.expander(panel.title):
        _panel(panel)
