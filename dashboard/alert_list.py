"""The alerts list (预警): the plugins' alerts beside the campaign's own, as red and yellow cards.

The campaign's own alerts come from what the pages already hold: an indicator 未达标, a
collector whose last run failed, a source gone stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import streamlit as st

from collectors.alerts import Alert, Level, newest_first
from collectors.report import IndicatorReport
from collectors.status import CollectorStatus
from dashboard.format import datetime_text, target_text, value_text
from dashboard.i18n import t

LEVEL_COLORS = {Level.RED: "red", Level.YELLOW: "orange"}
LEVEL_ICONS = {Level.RED: ":material/error:", Level.YELLOW: ":material/warning:"}


def task_label(task: str) -> str:
    """任务4, or 贯穿全程 for the cross-cutting indicators."""
    return t("alert.task", no=task) if task.isdigit() else t("overview.crosscutting")


def indicator_alerts(reports: Iterable[IndicatorReport]) -> list[Alert]:
    """A red card for every indicator 未达标, as of its data."""
    return [
        Alert(
            Level.RED,
            t("alert.indicator_missed"),
            t("alert.indicator_text", task=task_label(report.task), name=report.name,
              value=value_text(report.value, report.unit), target=target_text(report.target, report.unit, report.direction)),
            report.as_of,
            report.sources[0] if report.sources else "",
        )
        for report in reports
        if report.status == "missed" and report.as_of is not None and report.target is not None
    ]


def collector_alerts(statuses: Iterable[CollectorStatus], now: dt.datetime) -> list[Alert]:
    """A red card for an enabled collector whose last run failed; a yellow one for a run that could not store
    every record, and for a stale source."""
    alerts = []
    for status in statuses:
        if not status.enabled:
            continue
        run = status.last_run
        at = dt.datetime.fromisoformat(run["finished"] or run["started"]) if run else now
        if run and run["status"] == "failed":
            alerts.append(Alert(Level.RED, t("alert.collector_failed"), t("alert.collector_text", title=status.title),
                                at, status.name))
        elif run and run["status"] == "partial":
            alerts.append(Alert(Level.YELLOW, t("alert.collector_partial"),
                                t("alert.partial_text", title=status.title, count=run["rejected"]), at, status.name))
        elif status.stale:
            alerts.append(Alert(Level.YELLOW, t("alert.collector_stale"), t("alert.stale_text", title=status.title),
                                status.last_success_at or now, status.name))
    return alerts


def all_alerts(
    plugin_alerts: Iterable[Alert], reports: Iterable[IndicatorReport], statuses: Iterable[CollectorStatus],
    now: dt.datetime,
) -> list[Alert]:
    """Every alert, newest first."""
    return newest_first([*plugin_alerts, *indicator_alerts(reports), *collector_alerts(statuses, now)])


def alert_line(alert: Alert) -> str:
    """The alert's particulars, led by its unit when it has one."""
    return f"{alert.unit}：{alert.text}" if alert.unit else alert.text


def render_alerts(alerts: list[Alert], titles: Mapping[str, str], timezone: str, limit: int) -> None:
    """The first ``limit`` alerts as cards, red and yellow counted above them."""
    if not alerts:
        st.success(t("alerts.none"), icon=":material/check_circle:")
        return
    reds = sum(alert.level == Level.RED for alert in alerts)
    st.markdown(t("alerts.counts", red=reds, yellow=len(alerts) - reds))
    for alert in alerts[:limit]:
        with st.container(border=True):
            color = LEVEL_COLORS[alert.level]
            st.markdown(f":{color}[{LEVEL_ICONS[alert.level]} **{alert.title}**] · {alert_line(alert)}")
            source = titles.get(alert.source, alert.source)
            st.caption(t("alerts.meta", at=datetime_text(alert.at, timezone), source=source))
    if len(alerts) > limit:
        st.caption(t("alerts.more", count=len(alerts) - limit))
