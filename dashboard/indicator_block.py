"""One indicator on a page: value against target, status, provenance, trend and units, and links to
the records behind it on its sources' pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from collectors.report import IndicatorReport
from collectors.status import CollectorStatus
from dashboard import routes
from dashboard.badges import status_badge
from dashboard.campaign_view import CampaignView
from dashboard.charts import MIN_TREND_POINTS, by_unit_bars, month_trend, trend_title, worst_units
from dashboard.collector_summary import freshness
from dashboard.filters import link_params
from dashboard.format import (
    column_format,
    column_value,
    date_text,
    datetime_text,
    gap_text,
    number,
    target_text,
    value_text,
)
from dashboard.i18n import t, t_or
from dashboard.tables import show_table
from models.indicators import Breakdown


def source_names(sources: list[str], titles: Mapping[str, str]) -> str:
    """The sources' display names: the collector's title if installed, else the known name."""
    names = [titles.get(source) or t_or(f"source.{source}", source) for source in sources]
    return t("provenance.separator").join(names)


def provenance(report: IndicatorReport, titles: Mapping[str, str], timezone: str) -> str:
    """Where the value comes from and how fresh it is, or why there is none."""
    sources = source_names(report.sources, titles)
    if not report.computed:
        return t("provenance.pending", sources=sources)
    if report.as_of is None:
        return t("provenance.awaiting", sources=sources)
    line = t("provenance.sources", sources=sources, as_of=datetime_text(report.as_of, timezone))
    return f"{line} · {t('provenance.stale')}" if report.stale else line


def source_freshness(source: str, statuses: Mapping[str, CollectorStatus], timezone: str) -> str:
    """Where a source page's numbers come from: the collector, the data as of its last success, stale marked."""
    line, stale = freshness(source, statuses, timezone)
    line = t("provenance.source_line", line=line)
    return f"{line} · {t('provenance.stale')}" if stale else line


def _basis(report: IndicatorReport) -> str | None:
    """What the value was computed from: numerator / denominator, or the sample size."""
    if report.numerator is not None and report.denominator is not None:
        return t("indicator.fraction", numerator=number(report.numerator), denominator=number(report.denominator))
    if report.unit != "count" and report.denominator is not None:
        return t("indicator.sample", count=number(report.denominator))
    return None


def counting_period(report: IndicatorReport, campaign: CampaignView) -> str:
    """Where the indicator's period starts: the campaign's first day, or the campaign year."""
    if report.counts_from == "campaign" and campaign.phases:
        first = min(phase.starts_on for phase in campaign.phases)
        return t("indicator.counts_from_campaign", day=date_text(first))
    return t("indicator.counts_from_year")


def _unit_table(units: list[Breakdown], unit_names: Mapping[str, str], unit: str) -> None:
    """Every unit's value in a table sortable by its columns."""
    frame = pd.DataFrame({t("chart.unit"): [unit_names.get(b.key, b.key) for b in units],
                          t("chart.value"): [column_value(b.value, unit) for b in units]})
    show_table(frame, hide_index=True, column_config={t("chart.value"): st.column_config.NumberColumn(
        format=column_format(unit))})


def _charts(report: IndicatorReport, unit_names: Mapping[str, str], today: dt.date) -> None:
    """The month trend (from three months on) and the failing (or bottom ten) units, side by side; every unit
    in a sortable table for the reader who asks for it."""
    months = [b for b in report.by_month if b.value is not None]
    units = [b for b in report.by_unit if b.value is not None]
    if not months and not units:
        return
    trend, bars = st.columns(2)
    if len(months) >= MIN_TREND_POINTS:
        trend.caption(trend_title(report.unit, report.target))
        trend.altair_chart(month_trend(months, report.target, report.unit, today), width="stretch")
    elif months:
        trend.caption(t("indicator.too_few_months"))
    if not units:
        return
    worst, failing = worst_units(units, report.target, report.direction)
    if report.target is not None and not failing:  # nothing to point at: every unit meets the target
        bars.caption(f"{t('indicator.by_unit')} · {t('indicator.all_met', count=len(units))}")
    else:
        shown = t("indicator.worst", failing=number(failing), shown=len(worst)) if failing else t(
            "indicator.bottom", shown=len(worst))
        bars.caption(f"{t('indicator.by_unit')} · {shown}")
        bars.altair_chart(by_unit_bars(worst, unit_names, report.target, report.direction, report.unit),
                          width="stretch")
    if len(units) > len(worst) or not failing:
        with bars.expander(t("indicator.all_units", count=len(units))):
            _unit_table(units, unit_names, report.unit)


def _drill_down(report: IndicatorReport, campaign: CampaignView, titles: Mapping[str, str]) -> None:
    """Links to the records behind the value: the page of each of its sources that has one, filtered to
    the campaign year and, once one is picked from the units it breaks down by, to that unit."""
    pages = [(source, routes.SOURCE_PAGES[source]) for source in report.sources if source in routes.SOURCE_PAGES]
    if not pages:
        return
    units = [b.key for b in report.by_unit if b.value is not None and b.key in campaign.unit_names]
    unit = None
    if units:
        picker, links = st.columns([1, 2], vertical_alignment="bottom")
        unit = picker.selectbox(
            t("drill.unit"), ["", *units], key=f"drill.{report.id}",
            format_func=lambda code: campaign.unit_names[code] if code else t("drill.all_units"),
        ) or None
    else:
        links = st.container()
    for source, page in pages:
        label = t("drill.records", source=source_names([source], titles))
        links.page_link(page, label=label, icon=":material/table_view:", query_params=link_params(campaign.year, unit))


def render_indicator(report: IndicatorReport, campaign: CampaignView, titles: Mapping[str, str]) -> None:
    """The indicator in a bordered box; charts only where it breaks down by month or unit."""
    with st.container(border=True):
        figure, details = st.columns([2, 5])
        with figure:
            st.metric(report.name, value_text(report.value, report.unit))
            gap = gap_text(report.value, report.target, report.unit, report.direction)
            st.markdown(status_badge(report.status) + (f" {gap}" if gap else ""))
        with details:
            if report.target is None:
                target = t("indicator.no_target")
            else:
                target = t("indicator.target", target=target_text(report.target, report.unit, report.direction))
            basis = _basis(report)
            st.markdown(f"**{target}**" + (f" · {basis}" if basis else ""))
            st.markdown(report.description)
            if report.basis:
                st.markdown(t("indicator.basis", basis=report.basis))
            st.caption(f"{counting_period(report, campaign)} · {provenance(report, titles, campaign.timezone)}")
            _drill_down(report, campaign, titles)
        _charts(report, campaign.unit_names, dt.datetime.now(ZoneInfo(campaign.timezone)).date())
