"""The overview: today's phase, the five actions at a glance, cross-cutting indicators, collectors."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st

from application.alerts import every_alert
from collectors.report import IndicatorReport, campaign_scope
from collectors.status import CollectorStatus
from dashboard import data, routes
from dashboard.alert_list import render_alerts
from dashboard.badges import STATUS_COLORS, status_badge
from dashboard.campaign_view import CampaignView, phase_today
from dashboard.charts import phase_timeline
from dashboard.collector_summary import collector_frame, freshness
from dashboard.format import action_title, date_text, gap_text, target_text, value_text
from dashboard.i18n import current_language, t
from dashboard.indicator_block import render_indicator
from dashboard.tables import show_table

# Statuses every action card counts, even at zero; others (tracked) only when present. (A page
# script is run with Streamlit's magic: a string under a constant would be shown on the page.)
ALWAYS_COUNTED = ("met", "at_risk", "missed", "no_data")
CROSS_CUTTING = "X"
ALERTS_SHOWN = 5
LIVE_SECONDS = 60
# The units panel that counts, per duty every unit owes, the units on time, late, overdue and pending.
DUTIES_PANEL = "phase_duties"
# On a phone the headline and action cards go two to a row, the provenance lines are left out and three alerts
# shown, so that the headlines, the reds and the five actions fit in three screens.
PHONE_STYLE = """<style>
@media (max-width: 640px) {
  .st-key-headlines [data-testid="stHorizontalBlock"], .st-key-actions [data-testid="stHorizontalBlock"] {
    flex-flow: row wrap !important; gap: .5rem !important; }
  .st-key-headlines [data-testid="stColumn"], .st-key-actions [data-testid="stColumn"] {
    width: calc(50% - .25rem) !important; flex: 0 0 calc(50% - .25rem) !important; min-width: 0 !important; }
  .st-key-headlines [data-testid="stCaptionContainer"], .st-key-alerts [data-testid="stCaptionContainer"] {
    display: none; }
  .st-key-headlines [data-testid="stMetricValue"] { font-size: 1.7rem; }
  .st-key-headlines [data-testid="stMarkdownContainer"] p, .st-key-actions [data-testid="stMarkdownContainer"] p {
    font-size: .85rem; }
  .st-key-alerts [data-testid="stHorizontalBlock"], .st-key-actions [data-testid="stCaptionContainer"] { display: none; }
  .st-key-alerts [data-testid="stVerticalBlock"] { gap: .5rem; }
  .st-key-alert_3, .st-key-alert_4 { display: none; }
  [data-testid="stMain"] h1 { font-size: 1.6rem; }
}
</style>"""


def _headlines(campaign: CampaignView, situation: data.Situation, statuses: dict[str, CollectorStatus]) -> None:
    st.subheader(t("overview.headlines"))
    language = current_language()
    for column, headline in zip(st.columns(len(situation.headlines) or 1), situation.headlines, strict=False):
        figure = headline.figure
        with column, st.container(border=True, height="stretch"):
            st.metric(headline.title_in(language), value_text(figure.value, figure.unit))
            note = figure.note_in(language)
            lines = [note] if note else []
            if figure.target is not None:
                lines.append(t("headline.target", target=target_text(figure.target, figure.unit, figure.direction)))
                lines.append(gap_text(figure.value, figure.target, figure.unit, figure.direction) or "")
            if any(lines):
                st.markdown(" · ".join(line for line in lines if line))
            line, stale = freshness(headline.source, statuses, campaign.timezone)
            st.caption(f"{line} · {t('provenance.stale')}" if stale else line)


def _alerts(campaign: CampaignView, situation: data.Situation, reports: list[IndicatorReport],
            statuses: list[CollectorStatus]) -> None:
    st.subheader(t("overview.alerts"))
    alerts = every_alert(situation.alerts, reports, statuses, situation.at)
    render_alerts(alerts, campaign, data.source_titles(), ALERTS_SHOWN)


def _duty_rows() -> list[dict[str, Any]]:
    """The per-duty progress rows (phase, duty, deadline, owed by, units per state), if a plugin gives them."""
    panel = data.registry().unit_panels.get(DUTIES_PANEL)
    if panel is None:
        return []
    with data.store().begin() as session:
        return panel.rows(session, campaign_scope(session, data.config()), False)


def _duties(phase_name: str) -> None:
    """What every unit owes in the current phase, by when and how many stand where; and how many units
    are late on the duties of the phases before it."""
    rows = _duty_rows()
    due = [row for row in rows if row["阶段"] == phase_name]
    if due:
        st.markdown(t("phase.duties", end=date_text(due[0]["截止日期"])) + "".join(
            "\n- " + t("phase.duty_line", name=row["规定动作"], owners=row["责任单位"], on_time=row["按期完成"],
                       late=row["逾期完成"], overdue=row["逾期未完成"], pending=row["未到期"])
            for row in due
        ))
    earlier = [row for row in rows if row["截止日期"] < due[0]["截止日期"]] if due else []
    late = [row for row in earlier if row["逾期完成"] or row["逾期未完成"]]
    if late:
        st.markdown(t("phase.earlier") + "".join(
            "\n- " + t("phase.earlier_line", name=row["规定动作"], late=row["逾期完成"], overdue=row["逾期未完成"])
            for row in late
        ))


def _phases(campaign: CampaignView) -> None:
    if not campaign.phases:
        st.info(t("phase.none"))
        return
    today = dt.datetime.now(ZoneInfo(campaign.timezone)).date()
    where = phase_today(campaign.phases, today)
    text, timeline = st.columns([2, 3])
    with text:
        if where.current:
            phase = where.current
            st.markdown(
                t("phase.current", name=phase.name, start=date_text(phase.starts_on), end=date_text(phase.ends_on))
            )
            st.markdown(t("phase.due") + "".join(f"\n- {item}" for item in phase.due))
            _duties(phase.name)
        elif where.upcoming:
            st.markdown(t("phase.upcoming", name=where.upcoming.name, start=date_text(where.upcoming.starts_on)))
        elif where.last:
            st.markdown(t("phase.finished", name=where.last.name, end=date_text(where.last.ends_on, with_year=True)))
    with timeline:
        st.altair_chart(phase_timeline(campaign.phases, today), width="stretch")


def _status_counts(reports: list[IndicatorReport]) -> str:
    counts = Counter(report.status for report in reports)
    shown = [status for status in STATUS_COLORS if status in ALWAYS_COUNTED or counts[status]]
    return " ".join(status_badge(status, counts[status]) for status in shown)


def _action_cards(campaign: CampaignView, reports: list[IndicatorReport]) -> None:
    st.subheader(t("overview.actions"))
    for column, action in zip(st.columns(len(campaign.actions)), campaign.actions, strict=True):
        tasks = {str(task.no) for task in campaign.tasks_of(action.no)}
        mine = [report for report in reports if report.task in tasks]
        with column, st.container(border=True, height="stretch"):
            st.markdown(f"**{action_title(action.no, action.name)}**")
            st.caption(t("card.summary", tasks=len(tasks), indicators=len(mine)))
            st.markdown(_status_counts(mine))
            st.page_link(routes.action_page(action.no), label=t("card.link"), icon=":material/arrow_forward:")


def _cross_cutting(campaign: CampaignView, reports: list[IndicatorReport]) -> None:
    mine = [report for report in reports if report.task == CROSS_CUTTING]
    if not mine:
        st.info(t("no_data"))
        return
    titles = data.source_titles()
    for report in mine:
        render_indicator(report, campaign, titles)


def _live(campaign: CampaignView) -> None:
    """The headlines, the alerts and the five actions, read again every :data:`LIVE_SECONDS`, so that they move
    as new data lands while the page stays open."""
    reports, statuses, situation = data.reports(), data.statuses(), data.situation()
    with st.container(key="headlines"):
        _headlines(campaign, situation, {status.name: status for status in statuses})
    with st.container(key="alerts"):
        _alerts(campaign, situation, reports, statuses)
    with st.container(key="actions"):
        _action_cards(campaign, reports)


def _collectors(campaign: CampaignView, statuses: list[CollectorStatus]) -> None:
    if not statuses:
        st.info(t("collectors.none"))
        return
    show_table(collector_frame(statuses, campaign.timezone), hide_index=True)
    st.page_link(routes.COLLECTORS, label=t("nav.collectors"), icon=":material/arrow_forward:")


campaign = data.campaign()
reports = data.reports()
statuses = data.statuses()
st.title(campaign.name)
st.caption(t("overview.subtitle", district=campaign.district, year=campaign.year))
st.html(PHONE_STYLE)
st.fragment(_live, run_every=dt.timedelta(seconds=LIVE_SECONDS))(campaign)
with st.expander(t("overview.phases"), icon=":material/event:"):
    _phases(campaign)
with st.expander(t("overview.crosscutting"), icon=":material/checklist:"):
    _cross_cutting(campaign, reports)
with st.expander(t("overview.collectors"), icon=":material/sync:"):
    _collectors(campaign, statuses)
