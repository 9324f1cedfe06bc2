"""What the display screen shows, and the last good copy of it for when the store cannot be read.

A screen runs for days. When the database or a collector fails it keeps showing the last
data it read, with a quiet "data as of" line, rather than an error page. The last good copy
is one per database URL and process, replaced on every successful read, so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from application.alerts import every_alert
from collectors.alerts import Alert
from collectors.errors import UserError
from collectors.headlines import HeadlineValue
from collectors.report import IndicatorReport
from collectors.status import CollectorStatus
from dashboard import data
from dashboard.campaign_view import CampaignView
from dashboard.filters import Choice, campaign_year
from dashboard.unit_score import UnitScore, score_weights, unit_scores
from models.store import StoreError
from models.summaries import Summary

SCREEN_SECONDS = 20
"""How long each view stays on the screen, unless storm.toml's ``[dashboard] screen_seconds`` says otherwise."""
MIN_SCREEN_SECONDS = 5
TREND_DAYS = 7
TREND_SOURCES = {"service_center": "accepted", "complaints": "received"}
"""The sources whose daily volume the screen draws for the last :data:`TREND_DAYS` days, and which volume."""


@dataclass(frozen=True)
class DayCount:
    """How many records a source took in on one local day."""

    day: dt.date
    count: int


@dataclass(frozen=True)
class ScreenData:
    """Everything the screen's views need: aggregates only."""

    campaign: CampaignView
    reports: list[IndicatorReport]
    headlines: list[HeadlineValue]
    alerts: list[Alert]
    statuses: dict[str, CollectorStatus]
    read_at: dt.datetime
    scores: list[UnitScore] = field(default_factory=list)
    """Every unit's overall score, best first."""
    trends: dict[str, list[DayCount]] = field(default_factory=dict)
    """The daily volume of each of :data:`TREND_SOURCES`, oldest day first."""
    complaints: Summary | None = None
    """The campaign year's complaints: volumes and channels (for the hall's hotline view)."""

    def report(self, indicator: str) -> IndicatorReport | None:
        """The indicator ``indicator``'s report, if computed."""
        return next((report for report in self.reports if report.id == indicator), None)

    @property
    def stale_sources(self) -> list[str]:
        """Titles of the enabled sources whose data is stale."""
        return [status.title for status in self.statuses.values() if status.enabled and status.stale]


@dataclass
class LastGood:
    """The newest :class:`ScreenData` read from one store."""

    data: ScreenData | None = None


@dataclass(frozen=True)
class ScreenRead:
    """The data to show (``None`` before anything could be read) and whether it was read just now."""

    data: ScreenData | None
    fresh: bool


@st.cache_resource(show_spinner=False)
def _last_good(url: str) -> LastGood:
    return LastGood()


def _trend(source: str, volume: str, today: dt.date, timezone: str, params: Mapping[str, float]) -> list[DayCount]:
    """``source``'s daily ``volume`` over the last :data:`TREND_DAYS` local days, today included."""
    days = [today - dt.timedelta(days=back) for back in range(TREND_DAYS - 1, -1, -1)]
    return [DayCount(day, data.source_summary(source, Choice(None, day, day).where(timezone, params)).volumes[volume])
            for day in days]


def _read() -> ScreenData:
    campaign = data.campaign()  # first: a store without a campaign raises StoreError here
    situation = data.situation()
    reports = data.reports()
    statuses = data.statuses()
    settings = data.config()
    alerts = every_alert(situation.alerts, reports, statuses, situation.at)
    scores = unit_scores(reports, score_weights(settings), list(campaign.unit_names))
    today = situation.at.astimezone(ZoneInfo(campaign.timezone)).date()
    params = settings.indicator_params
    by_name = {status.name: status for status in statuses}
    trends = {source: _trend(source, volume, today, campaign.timezone, params)
              for source, volume in TREND_SOURCES.items() if source in by_name}
    first, last = campaign_year(campaign.year)
    complaints = data.source_summary("complaints", Choice(None, first, last).where(campaign.timezone, params))
    return ScreenData(campaign, reports, situation.headlines, alerts, by_name, situation.at, scores, trends, complaints)


def screen_data() -> ScreenRead:
    """The screen's data now, or the last good copy when the store or the config cannot be read."""
    try:
        url = data.config().database_url
    except UserError:
        return ScreenRead(None, False)
    last = _last_good(url)
    try:
        last.data = _read()
    except (SQLAlchemyError, StoreError, UserError, OSError):
        return ScreenRead(last.data, False)
    return ScreenRead(last.data, True)


def screen_seconds() -> int:
    """How long each view stays on the screen (at least :data:`MIN_SCREEN_SECONDS`)."""
    try:
        seconds = data.config().section("dashboard").get("screen_seconds", SCREEN_SECONDS)
    except UserError:
        return SCREEN_SECONDS
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return SCREEN_SECONDS
    return max(int(seconds), MIN_SCREEN_SECONDS)


def screen_playlist(known: Collection[str], default: Sequence[str]) -> list[str]:
    """The views the screen turns through, in order: ``[dashboard] screen_views`` of storm.toml (names in
    ``known``; others are left out), else ``default``."""
    try:
        chosen = data.config().section("dashboard").get("screen_views")
    except UserError:
        chosen = None
    names = [name for name in chosen if name in known] if isinstance(chosen, list) else []
    return names or list(default)
