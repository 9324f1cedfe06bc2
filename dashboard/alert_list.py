"""The alerts list (预警) as red and yellow cards: the list :func:`application.alerts.every_alert` builds from
what the pages already hold (the plugins' alerts, the indicators, the collectors), most urgent first."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from collectors.alerts import Alert, Level, kind_counts
from dashboard import routes
from dashboard.badges import badge
from dashboard.campaign_view import CampaignView
from dashboard.filters import FLAG, link_params
from dashboard.format import datetime_text, number
from dashboard.i18n import current_language, t
from dashboard.indicator_block import source_names

LEVEL_COLORS = {Level.RED: "red", Level.YELLOW: "orange"}
LEVEL_ICONS = {Level.RED: ":material/error:", Level.YELLOW: ":material/warning:"}
SOURCE_LINKS = {"uploads": routes.UNITS}
"""The page holding the records of the sources without a page of their own."""


def alert_words(alert: Alert) -> tuple[str, str]:
    """The alert's title and its particulars (led by its unit when it has one), in the visitor's language."""
    title, text = alert.words(current_language())
    return title, (f"{alert.unit}{t('alerts.unit_separator')}{text}" if alert.unit else text)


def alert_link(alert: Alert, campaign: CampaignView) -> tuple[str, dict[str, str]] | None:
    """The page (and its address parameters) that lists the alert's records: its source's page filtered to its
    unit and red flag, the units page for the offices' ledgers, the collector page for a collection problem."""
    page = routes.SOURCE_PAGES.get(alert.source) or SOURCE_LINKS.get(alert.source)
    if page is None:
        return (routes.COLLECTORS, {}) if alert.source else None
    if page == routes.UNITS:
        return page, {}
    codes = {name: code for code, name in campaign.unit_names.items()}
    params = link_params(campaign.year, codes.get(alert.unit or ""))
    return page, {**params, **({FLAG: alert.flag} if alert.flag else {})}


def kinds_line(alerts: list[Alert]) -> str:
    """How many alerts of each kind, as coloured badges, reds first."""
    return " ".join(badge(f"{title} {number(count)}", LEVEL_COLORS[level])
                    for level, title, count in kind_counts(alerts, current_language()))


def render_card(alert: Alert, campaign: CampaignView, titles: Mapping[str, str], key: str | None = None) -> None:
    """One alert as a bordered card: kind, unit and particulars, when it began, its source and its records
    (``key`` names the card's container for the page's style)."""
    with st.container(border=True, key=key):
        title, line = alert_words(alert)
        color = LEVEL_COLORS[alert.level]
        st.markdown(f":{color}[{LEVEL_ICONS[alert.level]} **{title}**] · {line}")
        meta, link = st.columns([3, 1], vertical_alignment="center")
        source = source_names([alert.source], titles) if alert.source else t("empty")
        meta.caption(t("alerts.meta", at=datetime_text(alert.at, campaign.timezone), source=source))
        target = alert_link(alert, campaign)
        if target is not None:
            link.page_link(target[0], label=t("alerts.records"), icon=":material/table_view:", query_params=target[1])


def render_alerts(alerts: list[Alert], campaign: CampaignView, titles: Mapping[str, str], limit: int) -> None:
    """The counts of each colour and kind, the first ``limit`` alerts as cards (reds first) and a link to all."""
    if not alerts:
        st.success(t("alerts.none"), icon=":material/check_circle:")
        return
    reds = sum(alert.level == Level.RED for alert in alerts)
    st.markdown(t("alerts.counts", red=number(reds), yellow=number(len(alerts) - reds)) + " · " + kinds_line(alerts))
    for number_of, alert in enumerate(alerts[:limit]):
        render_card(alert, campaign, titles, key=f"alert_{number_of}")
    if len(alerts) > limit:
        st.page_link(routes.ALERTS, label=t("alerts.all", count=number(len(alerts))), icon=":material/arrow_forward:")
