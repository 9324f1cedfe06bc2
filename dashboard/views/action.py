"""An action's page: its tasks, one tab each, with its units and its indicators."""

from __future__ import annotations

import streamlit as st

from collectors.report import IndicatorReport
from dashboard import data
from dashboard.campaign_view import CampaignView, TaskInfo
from dashboard.format import action_title, value_text
from dashboard.i18n import t
from dashboard.indicator_block import render_indicator
from dashboard.views.action_details import TASK_DETAILS
from models.indicators.history import Trend


def _units_line(label_key: str, units: tuple[str, ...]) -> str:
    """``**牵头单位**：政府办、财政局``, the units exactly as the plan lists them."""
    listed = t("task.unit_separator").join(units) or t("task.no_units")
    return t("task.units", label=t(label_key), units=listed)


def _week_change(report: IndicatorReport, trend: Trend | None) -> None:
    """How the indicator moved since a week ago, from the daily history (nothing without a snapshot then)."""
    if trend is None or trend.change is None or trend.week_ago is None:
        return
    sign = "+" if trend.change > 0 else ""
    st.caption(t("task.week_change", change=sign + value_text(trend.change, report.unit),
                 before=value_text(trend.week_ago, report.unit)))


def _task(
    task: TaskInfo, reports: list[IndicatorReport], campaign: CampaignView, titles: dict[str, str],
    trends: dict[str, Trend],
) -> None:
    st.subheader(t("task.title", no=task.no, name=task.name), divider="gray")
    st.markdown(task.summary)
    st.markdown(f"{_units_line('task.lead', task.lead)}  \n{_units_line('task.responsible', task.responsible)}")
    mine = [report for report in reports if report.task == str(task.no)]
    if not mine:
        st.info(t("task.no_indicators"))
    for report in mine:
        render_indicator(report, campaign, titles)
        _week_change(report, trends.get(report.id))
    details = TASK_DETAILS.get(task.no)
    if details and mine:
        details(campaign)


def render(action_no: int) -> None:
    """The page of action ``action_no``."""
    campaign = data.campaign()
    action = campaign.action(action_no)
    if action is None:
        st.info(t("action.missing", no=action_no))
        return
    st.title(action_title(action.no, action.name))
    st.caption(action.summary)
    reports = data.reports()
    titles = data.source_titles()
    trends = data.trends()
    tasks = campaign.tasks_of(action_no)
    for tab, task in zip(st.tabs([t("task.title", no=task.no, name=task.name) for task in tasks]), tasks, strict=True):
        with tab:
            _task(task, reports, campaign, titles, trends)
