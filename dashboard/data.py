"""What the pages read, and how it is cached.

The store and the registry are resources (one per database URL, one per process); query
results are cached for :data:`CACHE_SECONDS` and keyed by the store's *data version*, so a
collector run that lands shows on the next rerun rather than after the cache expires.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from collectors.config import Config, load_config
from collectors.errors import UserError
from collectors.registry import Registry, load_registry
from collectors.report import IndicatorReport, indicator_reports
from collectors.status import CollectorStatus, collector_statuses
from dashboard import i18n
from dashboard.campaign_view import CampaignView, read_campaign_view
from models.campaign import Campaign
from models.runs import CollectorRun
from models.store import Store, StoreError, open_store

CACHE_SECONDS = 300

DataVersion = tuple[int | None, str | None]
"""The newest collector run's id and the latest finish: changes whenever a run starts or ends."""


@dataclass(frozen=True)
class StoreCheck:
    """Whether the pages can be shown; if not, why (an :mod:`i18n` key) and the technical detail."""

    problem: str | None = None
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.problem is None


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_store(url)


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    """Every installed plugin's collectors and indicators."""
    return load_registry()


def config() -> Config:
    """storm.toml (read again on every rerun: it is small, and edits then apply at once)."""
    return load_config()


def startup() -> StoreCheck:
    """Read the config, apply its ``[dashboard] language`` and check that the store is initialised."""
    try:
        settings = config()
        i18n.use_language(settings.section("dashboard").get("language", i18n.DEFAULT_LANGUAGE))
        store = _store(settings.database_url)
    except UserError as exc:
        return StoreCheck("setup.config_error", str(exc))
    except StoreError as exc:
        return StoreCheck("setup.unreachable", str(exc))
    try:
        if not inspect(store.engine).has_table(Campaign.__tablename__):
            return StoreCheck("setup.not_initialised")
        with store.begin() as session:
            if session.get(Campaign, 1) is None:
                return StoreCheck("setup.not_initialised")
    except SQLAlchemyError as exc:
        return StoreCheck("setup.unreachable", str(getattr(exc, "orig", exc) or exc).splitlines()[0])
    return StoreCheck()


def _url() -> str:
    return config().database_url


def _data_version(url: str) -> DataVersion:
    with _store(url).begin() as session:
        newest, finished = session.execute(select(func.max(CollectorRun.id), func.max(CollectorRun.finished_at))).one()
    return newest, finished.isoformat() if finished else None


def campaign() -> CampaignView:
    """The campaign's structure (the store must be initialised: see :func:`startup`)."""
    return _campaign(_url())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _campaign(url: str) -> CampaignView:
    with _store(url).begin() as session:
        view = read_campaign_view(session)
    if view is None:
        raise StoreError("the store holds no campaign; run `storm init`")
    return view


def reports() -> list[IndicatorReport]:
    """Every indicator with its value, status, provenance and breakdowns, in campaign order."""
    url = _url()
    return _reports(url, _data_version(url), config())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _reports(url: str, version: DataVersion, settings: Config) -> list[IndicatorReport]:
    """``version`` is not read: it is part of the cache key."""
    with _store(url).begin() as session:
        return indicator_reports(session, registry(), settings, breakdowns=True)


def statuses() -> list[CollectorStatus]:
    """Every installed collector's last run, last success and next run."""
    url = _url()
    return _statuses(url, _data_version(url), config())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _statuses(url: str, version: DataVersion, settings: Config) -> list[CollectorStatus]:
    """``version`` is not read: it is part of the cache key."""
    with _store(url).begin() as session:
        return collector_statuses(session, registry(), settings)


def source_titles() -> dict[str, str]:
    """Installed collectors' display names by collector name."""
    return {name: collector.title for name, collector in registry().collectors.items()}
