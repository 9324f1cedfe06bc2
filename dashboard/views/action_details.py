"""What a task's page shows beside its indicators when one number cannot say it all: for task 5, the
baseline of actual compression (which window, how many items) and the items whose promised limit
is cut by less than 30%, per unit; for task 11, the ranking of the key law-enforcement departments
with who is praised and who is admonished, once all are appraised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from collectors.report import campaign_scope
from dashboard import data
from dashboard.campaign_view import CampaignView
from dashboard.format import date_text
from dashboard.i18n import t
from dashboard.tables import full_height, labelled_frame, show_table
from models.indicators.service import BASELINE_DAYS, baseline_window, compression_items, items_short_of_cut

SHORT_ROWS = 15
"""Rows shown before the table scrolls."""


def _local_day(moment: dt.datetime, timezone: str) -> dt.date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def _task5(campaign: CampaignView) -> None:
    """Actual compression's baseline and items; the items short of a 30% cut of their promised limit."""
    settings = data.config()
    with data.store().begin() as session:
        scope = campaign_scope(session, settings).from_campaign_start()
        items = compression_items(session, scope)
        short = items_short_of_cut(session, scope)
    start, end = baseline_window(scope)
    window = dict(start=date_text(_local_day(start, campaign.timezone), with_year=True),
                  end=date_text(_local_day(end, campaign.timezone) - dt.timedelta(days=1), with_year=True),
                  days=int(scope.param("compression_baseline_days", BASELINE_DAYS)))
    if items:
        st.markdown(t("task5.baseline", items=len(items), cases=sum(item.cases for item in items), **window))
        frame = labelled_frame([
            {"unit": campaign.unit_names.get(item.unit or "", item.unit or ""), "item": item.name,
             "baseline_cases": item.baseline_cases, "baseline_days": round(item.baseline_days, 1),
             "cases": item.cases, "days": round(item.days, 1), "compression": round(item.compression * 100, 1)}
            for item in items
        ], ["unit", "item", "baseline_cases", "baseline_days", "cases", "days", "compression"])
        with st.expander(t("task5.items")):
            show_table(frame, hide_index=True, height=full_height(min(len(frame), SHORT_ROWS)))
    else:
        st.info(t("task5.no_baseline", **window))
    if not short:
        st.markdown(t("task5.none_short"))
        return
    st.markdown(t("task5.short", count=len(short)))
    frame = labelled_frame([
        {"unit": campaign.unit_names.get(item.unit or "", item.unit or ""), "item": item.name,
         "original_limit": item.original_days, "promised_limit": item.promised_days,
         "compression": round(item.cut * 100, 1)}
        for item in short
    ], ["unit", "item", "original_limit", "promised_limit", "compression"])
    show_table(frame, hide_index=True, height=full_height(min(len(frame), SHORT_ROWS)))


RANKING_PANEL = "enforcement_ranking"
"""The units panel that ranks the key law-enforcement departments (task 11)."""


def _task11(campaign: CampaignView) -> None:
    """The 政风行风评议 ranking: 通报表扬 and 诫勉谈话 · 限期整改 once every key department has a score,
    评议进行中 with how many are appraised until then."""
    panel = data.registry().unit_panels.get(RANKING_PANEL)
    if panel is None:
        return
    with data.store().begin() as session:
        rows = panel.rows(session, campaign_scope(session, data.config()), False)
    if rows:
        st.markdown(f"**{panel.title}**")
        show_table(pd.DataFrame(rows), hide_index=True, height=full_height(len(rows)))


TASK_DETAILS: Mapping[int, Callable[[CampaignView], None]] = {5: _task5, 11: _task11}
"""Task number → what its page shows after its indicators."""
