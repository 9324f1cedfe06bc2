"""单位: each unit's scorecard and rank among its peers, the five-ones, overdue rectification items and
which ledgers each unit has uploaded. Townships and streets are ranked together, departments together.
"""

from __future__ import annotations

from collections.abc import Sequence

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

GROUPS = (("units.group_local", ("township", "street")), ("units.group_departments", ("department",)))
CROSS_CUTTING = "X"


def _values(report: IndicatorReport, units: Sequence[UnitInfo]) -> dict[str, float]:
    """The report's value of each of ``units`` that has one."""
    codes = {unit.code for unit in units}
    return {b.key: b.value for b in report.by_unit if b.key in codes and b.value is not None}


def _heading(report: IndicatorReport) -> str:
    task = t("uploads.task_crosscutting") if report.task == CROSS_CUTTING else t("units.task", no=report.task)
    return t("units.indicator", task=task, name=report.name)


def _scorecard(units: Sequence[UnitInfo], reports: list[IndicatorReport], key: str) -> None:
    """Units × indicators that break down by unit, ordered by the chosen indicator, with each unit's place."""
    st.subheader(t("units.scorecard"))
    ranked = [report for report in reports if _values(report, units)]
    if not ranked:
        st.info(t("units.scorecard_none"))
        return
    headings = {report.id: _heading(report) for report in ranked}
    # Preselect the first indicator on which the units differ: a ranking of equals says nothing.
    varied = next((i for i, r in enumerate(ranked) if len(set(_values(r, units).values())) > 1), 0)
    chosen_id = st.selectbox(
        t("units.rank_by"), list(headings), index=varied, format_func=headings.__getitem__, key=key
    )
    chosen = next(report for report in ranked if report.id == chosen_id)
    ranks = competition_places(_values(chosen, units), chosen.direction == "higher")
    order = sorted(units, key=lambda unit: (ranks.get(unit.code, len(units) + 1), unit.name))
    columns = [chosen, *(report for report in ranked if report is not chosen)]
    rows = []
    for unit in order:
        row: dict[str, object] = {t("column.rank"): ranks.get(unit.code), t("column.unit"): unit.name}
        for report in columns:
            row[headings[report.id]] = column_value(_values(report, [unit]).get(unit.code), report.unit)
        rows.append(row)
    config = {
        headings[report.id]: st.column_config.NumberColumn(headings[report.id], format=column_format(report.unit))
        for report in columns
    }
    frame = pd.DataFrame(rows).astype({t("column.rank"): "Int64"})
    show_table(frame, hide_index=True, column_config=config, height=full_height(len(rows)))


def _panel(panel: data.Panel) -> None:
    """A plugin's table (required duties, overdue items, rankings), or a notice while it is empty."""
    st.subheader(panel.title)
    if not panel.rows:
        st.info(t("units.pending", name=panel.title))
        return
    show_table(pd.DataFrame(panel.rows), hide_index=True, height=full_height(len(panel.rows)))


def _ledgers(units: Sequence[UnitInfo], templates: Sequence[UploadTemplate], marks: list[LedgerMark]) -> None:
    """Unit × ledger: the newest stored period of each, and how many ledgers each unit has uploaded."""
    st.subheader(t("units.ledgers"))
    st.caption(t("units.ledgers_caption"))
    latest = {(mark.unit_code, mark.template): mark.latest_period for mark in marks}
    rows = []
    for unit in units:
        row = {t("column.unit"): unit.name}
        periods = {template.title: latest.get((unit.code, template.id)) for template in templates}
        row[t("units.ledgers_count")] = f"{sum(p is not None for p in periods.values())}/{len(templates)}"
        row.update({title: period_text(p) if p else t("empty") for title, p in periods.items()})
        rows.append(row)
    show_table(pd.DataFrame(rows), hide_index=True, height=full_height(len(rows)))


viewer = auth.require(auth.VIEWERS)
campaign = data.campaign()
reports = data.reports()
own_ledgers = [template for template in data.upload_templates().values() if template.row_unit == "own"]
marks = data.ledger_marks()
st.title(t("units.title"))
st.caption(t("units.caption"))
groups = [(t(label), [unit for unit in campaign.units if unit.kind in kinds]) for label, kinds in GROUPS]
for index, (tab, (label, units)) in enumerate(zip(st.tabs([label for label, _ in groups]), groups, strict=True)):
    with tab:
        _scorecard(units, reports, key=f"units.rank.{index}")
        _ledgers(units, own_ledgers, marks)
for panel in data.unit_panels(personal=viewer.may(auth.PERSONAL_DATA)):
    _panel(panel)
