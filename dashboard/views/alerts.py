"""Every alert (预警): reds first and the longest-lasting first, filtered by colour, kind, unit and source,
a page at a time; each links to the page that lists its records."""

from __future__ import annotations

import math

import streamlit as st

from application.alerts import every_alert
from collectors.alerts import Alert, Level
from dashboard import data
from dashboard.alert_list import LEVEL_COLORS, alert_words, kinds_line, render_card
from dashboard.format import number
from dashboard.i18n import t
from dashboard.indicator_block import source_names

# Cards on one page of the list.
PER_PAGE = 20


def _filtered(alerts: list[Alert], titles: dict[str, str]) -> list[Alert]:
    """The filter widgets, and the alerts they leave."""
    levels, kinds, units, sources = st.columns([1, 2, 2, 2])
    chosen_levels = levels.pills(
        t("alerts.filter_level"), list(Level), selection_mode="multi", default=list(Level),
        format_func=lambda level: f":{LEVEL_COLORS[level]}[{t('alerts.level_' + level)}]", key="alerts.level",
    )
    chosen_kinds = kinds.multiselect(
        t("alerts.filter_kind"), sorted({alert_words(a)[0] for a in alerts}), placeholder=t("alerts.any"),
        key="alerts.kind",
    )
    chosen_unit = units.selectbox(
        t("filters.unit"), ["", *sorted({a.unit for a in alerts if a.unit})],
        format_func=lambda unit: unit or t("filters.all_units"), key="alerts.unit",
    )
    chosen_source = sources.selectbox(
        t("alerts.filter_source"), ["", *sorted({a.source for a in alerts if a.source})],
        format_func=lambda source: source_names([source], titles) if source else t("alerts.any"), key="alerts.source",
    )
    return [
        alert for alert in alerts
        if alert.level in chosen_levels
        and (not chosen_kinds or alert_words(alert)[0] in chosen_kinds)
        and (not chosen_unit or alert.unit == chosen_unit)
        and (not chosen_source or alert.source == chosen_source)
    ]


campaign = data.campaign()
situation = data.situation()
titles = data.source_titles()
every = every_alert(situation.alerts, data.reports(), data.statuses(), situation.at)
st.title(t("alerts.title"))
if not every:
    st.success(t("alerts.none"), icon=":material/check_circle:")
    st.stop()
st.markdown(kinds_line(every))
shown = _filtered(every, titles)
pages = max(1, math.ceil(len(shown) / PER_PAGE))
counter, pager = st.columns([3, 1], vertical_alignment="bottom")
number_of = pager.number_input(t("alerts.page"), min_value=1, max_value=pages, value=1, step=1, key="alerts.page")
first = (number_of - 1) * PER_PAGE
counter.caption(t("alerts.showing", first=number(first + 1 if shown else 0), last=number(min(first + PER_PAGE, len(shown))),
                  count=number(len(shown)), total=number(len(every))))
for alert in shown[first:first + PER_PAGE]:
    render_card(alert, campaign, titles)
