"""What the display screen shows, and the last good copy of it for when the store cannot be read.

A screen runs for days. When the database or a collector fails it keeps showing the last
data it read, with a quiet "data as of" line, rather than an error page. The last good copy
is one per database URL and process, replaced on every successful read, so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from collectors.alerts import Alert
from collectors.errors import UserError
from collectors.headlines import HeadlineValue
from collectors.report import IndicatorReport
from collectors.status import CollectorStatus
from dashboard import data
from dashboard.alert_list import all_alerts
from dashboard.campaign_view import CampaignView
from models.store import StoreError

SCREEN_SECONDS = 20
"""How long each view stays on the screen, unless storm.toml's ``[dashboard] screen_seconds`` says otherwise."""
MIN_SCREEN_SECONDS = 5


@dataclass(frozen=True)
class ScreenData:
    """Everything the screen's views need: aggregates only."""

    campaign: CampaignView
    reports: list[IndicatorReport]
    headlines: list[HeadlineValue]
    alerts: list[Alert]
    statuses: dict[str, CollectorStatus]
    read_at: dt.datetime

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


def _read() -> ScreenData:
    campaign = data.campaign()  # first: a store without a campaign raises StoreError here
    situation = data.situation()
    reports = data.reports()
    statuses = data.statuses()
    alerts = all_alerts(situation.alerts, reports, statuses, situation.at)
    return ScreenData(campaign, reports, situation.headlines, alerts, {s.name: s for s in statuses}, situation.at)


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
