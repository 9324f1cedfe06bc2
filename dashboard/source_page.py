"""A source's page (政务服务, 效能投诉, 招投标): its unit and period filters, volumes, charts, red flags
and records, for any source of :data:`models.summaries.SOURCES`.

Every number is counted in SQL (:mod:`models.summaries`); records come a page at a time. Every tile,
chart and table says which collector its data comes from and when that collector last succeeded,
stale marked. Records show personal columns (complaint text, names, phone numbers, addresses) only
to the roles of :data:`dashboard.auth.PERSONAL_DATA`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import auth, data, filters
from dashboard.charts import by_unit_bars, count_bars, month_trend, worst_units
from dashboard.format import datetime_text, value_text
from dashboard.i18n import t, t_or
from dashboard.indicator_block import source_freshness
from dashboard.tables import show_table
from models.summaries import Filter, Flag, RecordPage, Summary

RECORDS_PER_PAGE = 50
CHARTS_SHOWN = 4
"""Charts shown at once (two rows); the others open on request, so that a page is read at a glance."""
HANDLING_UNITS = {"service_center": "workdays", "complaints": "workdays", "tenders": "days"}
"""What a source's handling time counts: working days, or calendar days (tender periods)."""
UNIT_COLUMNS = ("unit_code", "point_unit_code")
"""Record columns holding a unit's code, shown as its name."""


def _labels(source: str, group: str, keys: list[str]) -> dict[str, str]:
    """The names of a grouping's values (``complaints.category.lax`` → 庸懒散慢); unknown values as they are."""
    return {key: t_or(f"{source}.{group}.{key}", key) for key in keys}


def _metrics(source: str, summary: Summary, provenance: str) -> None:
    """The volumes and the handling time's median and mean, one tile each."""
    unit = HANDLING_UNITS[source]
    tiles = [(t(f"{source}.volume.{name}"), value_text(count, "count")) for name, count in summary.volumes.items()]
    tiles += [
        (t(f"{source}.handling.median"), value_text(summary.handling.median, unit)),
        (t(f"{source}.handling.mean"), value_text(summary.handling.mean, unit)),
    ]
    with st.container(border=True):
        for column, (label, value) in zip(st.columns(len(tiles)), tiles, strict=True):
            column.metric(label, value)
        st.caption(provenance)


def _charts(source: str, summary: Summary, unit_names: Mapping[str, str], where: Filter, provenance: str) -> None:
    """Volumes by month and by unit, counts by each grouping, and the handling time by month and by unit,
    two to a row; the by-unit charts (the ten units with the most records, the ten slowest) only while no unit
    is chosen."""
    unit = HANDLING_UNITS[source]
    handling = summary.handling
    charts: list[tuple[str, alt.TopLevelMixin]] = []
    if summary.by_month:
        charts.append((t("sources.by_month"), month_trend(summary.by_month, None, "count")))
    if summary.by_unit and where.unit is None:
        most = worst_units(summary.by_unit, None, "lower")[0]
        charts.append((t("sources.by_unit"), by_unit_bars(most, unit_names, None, "lower", "count")))
    for group, counts in summary.groups.items():
        if counts:
            labels = _labels(source, group, [b.key for b in counts])
            charts.append((t(f"{source}.{group}"), count_bars(counts, labels)))
    if handling.by_month:
        charts.append((t(f"{source}.handling.by_month"), month_trend(handling.by_month, None, unit)))
    if handling.by_unit and where.unit is None:
        bars = by_unit_bars(worst_units(handling.by_unit, None, "lower")[0], unit_names, None, "lower", unit)
        charts.append((t(f"{source}.handling.by_unit"), bars))
    if not charts:
        st.info(t("sources.no_data"))
        st.caption(provenance)
        return
    _chart_rows(charts[:CHARTS_SHOWN], provenance)
    if len(charts) > CHARTS_SHOWN:
        with st.expander(t("sources.more_charts", count=len(charts) - CHARTS_SHOWN)):
            _chart_rows(charts[CHARTS_SHOWN:], provenance)


def _chart_rows(charts: list[tuple[str, alt.TopLevelMixin]], provenance: str) -> None:
    """The charts two to a row, each with its caption and provenance."""
    for row in range(0, len(charts), 2):
        for column, (caption, chart) in zip(st.columns(2), charts[row : row + 2], strict=False):
            with column:
                st.caption(caption)
                st.altair_chart(chart, width="stretch")
                st.caption(provenance)


def _flag_label(source: str, flag: str) -> str:
    return t(f"{source}.flag.{flag}")


def _flags(source: str, flags: list[Flag], unit_names: Mapping[str, str], provenance: str) -> None:
    """Units × red flags, the units with most flags first, and a total row."""
    st.subheader(t("sources.flags"))
    st.caption(t(f"{source}.flags_caption"))
    if not any(flag.count for flag in flags):
        st.success(t("sources.no_flags"), icon=":material/check_circle:")
        st.caption(provenance)
        return
    counts: dict[str, dict[str, int]] = {}
    for flag in flags:
        for group in flag.by_unit:
            counts.setdefault(group.key, {})[flag.key] = int(group.value or 0)
    ordered = sorted(counts, key=lambda code: (-sum(counts[code].values()), unit_names.get(code, code)))
    unit_column = t("record.unit_code")
    rows = [{unit_column: unit_names.get(code, code), **_flag_cells(source, flags, counts[code])} for code in ordered]
    rows.append({unit_column: t("sources.total"), **_flag_cells(source, flags, {f.key: f.count for f in flags})})
    show_table(pd.DataFrame(rows), hide_index=True)
    st.caption(provenance)


def _flag_cells(source: str, flags: list[Flag], counts: Mapping[str, int]) -> dict[str, int]:
    return {_flag_label(source, flag.key): counts.get(flag.key, 0) for flag in flags}


def _cell(source: str, column: str, value: Any, unit_names: Mapping[str, str], timezone: str) -> Any:
    """A record's value as the table shows it: local times, unit names, named codes, 是/否."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return datetime_text(value, timezone)
    if isinstance(value, bool):
        return t("record.yes") if value else t("record.no")
    if isinstance(value, Decimal):
        return float(value)
    if column in UNIT_COLUMNS:
        return unit_names.get(value, value)
    if isinstance(value, str):
        return t_or(f"{source}.{column}.{value}", value)
    return value


def _record_frame(source: str, page: RecordPage, unit_names: Mapping[str, str], timezone: str) -> pd.DataFrame:
    rows = [
        {t(f"record.{column}"): _cell(source, column, row[column], unit_names, timezone) for column in page.columns}
        for row in page.rows
    ]
    return pd.DataFrame(rows, columns=[t(f"record.{column}") for column in page.columns])


def _page_of_records(source: str, where: Filter, flag: str | None, personal: bool, number: int) -> RecordPage:
    """Page ``number`` of the records, or the last page when there are fewer."""
    page = data.source_records(source, where, flag, personal, (number - 1) * RECORDS_PER_PAGE, RECORDS_PER_PAGE)
    last = max(1, math.ceil(page.total / RECORDS_PER_PAGE))
    if number > last:
        return _page_of_records(source, where, flag, personal, last)
    return page


def _records(source: str, where: Filter, flags: list[Flag], unit_names: Mapping[str, str], timezone: str,
             provenance: str) -> None:
    """The records of the filter (or of one red flag), a page at a time; personal columns only for some roles."""
    st.subheader(t("sources.records"))
    params = filters.address()
    flag, ignored = filters.read_flag(params, [f.key for f in flags])
    number, ignored_page = filters.read_page(params)
    personal = auth.current().may(auth.PERSONAL_DATA)
    page = _page_of_records(source, where, flag, personal, number)
    pages = max(1, math.ceil(page.total / RECORDS_PER_PAGE))
    counts = {f.key: f.count for f in flags}
    flag_column, page_column = st.columns([3, 1])
    flag_column.selectbox(
        t("sources.records_of"), ["", *counts],
        format_func=lambda key: t("sources.flag_choice", flag=_flag_label(source, key), count=counts[key]) if key
        else t("sources.all_records"),
        **filters.bound(filters.FLAG, flag or ""),
    )
    page_column.number_input(
        t("sources.page", pages=pages), min_value=1, max_value=pages, step=1,
        **filters.bound(filters.PAGE, page.offset // RECORDS_PER_PAGE + 1),
    )
    filters.drop(ignored + ignored_page)
    if not page.rows:
        st.info(t("sources.no_records"))
    else:
        show_table(_record_frame(source, page, unit_names, timezone), hide_index=True)
        shown = t("sources.records_range", first=page.offset + 1, last=page.offset + len(page.rows), total=page.total)
        st.caption(f"{shown} · {t('sources.personal_shown' if personal else 'sources.personal_hidden')}")
    st.caption(provenance)


def render(source: str) -> None:
    """The page of ``source`` (a key of :data:`models.summaries.SOURCES` and of the routes' source pages)."""
    auth.require(auth.VIEWERS)
    campaign = data.campaign()
    st.title(t(f"{source}.title"))
    st.caption(t(f"{source}.caption"))
    units = {unit.code: unit.name for unit in campaign.units}
    choice = filters.unit_and_period(units, campaign.year)
    where = choice.where(campaign.timezone, data.config().indicator_params)
    statuses = {status.name: status for status in data.statuses()}
    provenance = source_freshness(source, statuses, campaign.timezone)
    summary = data.source_summary(source, where)
    _metrics(source, summary, provenance)
    _charts(source, summary, campaign.unit_names, where, provenance)
    _flags(source, summary.flags, campaign.unit_names, provenance)
    _records(source, where, summary.flags, campaign.unit_names, campaign.timezone, provenance)
