"""What the pages read, and how it is cached.

The store and the registry are resources (one per database URL, one per process); query
results are cached for :data:`CACHE_SECONDS` and keyed by *data versions*
(:mod:`models.versions`): the versions of the sources a view reads, which change only when a
source stored, updated or deleted rows, so a run that changed nothing leaves every cache warm
and a run that changed one source recomputes only the views that read it. What depends on the
run times (where the data is as of, whether a source is stale, the collectors' status) is keyed
by the *run version* instead and read without recomputing indicators; indicator values, read
from the kept cells, are also recomputed each :data:`~models.indicators.cells.CLOCK_TICK` for
the measures that depend on the time now.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from collectors import exports
from collectors.alerts import Alert, Watch, newest_first, rule_alerts
from collectors.cells import indicator_values
from collectors.config import CONFIG_VARIABLE, Config, collector_settings, load_config
from collectors.errors import UserError
from collectors.exports.tables import Sheet
from collectors.headlines import HeadlineValue, headline_values
from collectors.registry import Registry, load_registry
from collectors.report import IndicatorReport, campaign_scope, indicator_reports
from collectors.status import CollectorStatus, collector_statuses
from collectors.templates import UploadTemplate
from collectors.uploads import UPLOADS_SOURCE
from dashboard import i18n
from dashboard.campaign_view import CampaignView, read_campaign_view
from models import versions
from models.accounts import User
from models.audit import AuditEntry, audit
from models.base import utcnow
from models.campaign import Campaign
from models.indicators import IndicatorValues, history
from models.indicators.cells import CLOCK_TICK
from models.indicators.history import Trend
from models.runs import CollectorRun
from models.store import URL_VARIABLE, Store, StoreError, open_store
from models.summaries import SOURCES, Filter, RecordPage, Summary
from models.uploads import UploadedFile, UploadStatus

CACHE_SECONDS = 300
CACHED_VERSIONS = 4
"""How many data versions a cache keeps: a screen left on for days must not keep every version."""

RunVersion = tuple[int | None, str | None]
"""The newest collector run's id and the latest finish: changes whenever a run starts or ends."""
DataVersion = tuple[tuple[str, int], ...]
"""The data versions of the sources a view reads (:func:`models.versions.versions`)."""
AUDIT_ROWS = 500
"""How many audit entries the audit page lists at most."""


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


def store() -> Store:
    """The store (for the pages that write: logins, uploads, accounts; reads go through the functions below)."""
    return _store(_url())


def _run_version(url: str) -> RunVersion:
    with _store(url).begin() as session:
        newest, finished = session.execute(select(func.max(CollectorRun.id), func.max(CollectorRun.finished_at))).one()
    return newest, finished.isoformat() if finished else None


def _data_version(url: str, sources: Iterable[str] | None = None) -> DataVersion:
    """The data versions of ``sources`` (None: every source) and of the indicators' definitions."""
    with _store(url).begin() as session:
        return versions.versions(session, None if sources is None else [*sources, versions.INDICATORS])


def _clock_tick() -> int:
    """A number that changes each :data:`~models.indicators.cells.CLOCK_TICK`."""
    return int(utcnow().timestamp() // CLOCK_TICK.total_seconds())


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
    return _reports(url, _run_version(url), _data_version(url), _clock_tick(), config())


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHED_VERSIONS, show_spinner=False)
def _reports(url: str, runs: RunVersion, version: DataVersion, tick: int, settings: Config) -> list[IndicatorReport]:
    """``runs``, ``version`` and ``tick`` are not read: they are part of the cache key. The values come
    from :func:`_values`, which a run that changed no data leaves cached."""
    values = _values(url, version, tick, settings)
    with _store(url).begin() as session:
        return indicator_reports(session, registry(), settings, breakdowns=True, values=values)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHED_VERSIONS, show_spinner=False)
def _values(url: str, version: DataVersion, tick: int, settings: Config) -> dict[str, IndicatorValues]:
    """``version`` and ``tick`` are not read: they are part of the cache key."""
    with _store(url).begin() as session:
        return indicator_values(session, registry(), settings)


def trends() -> dict[str, Trend]:
    """Every indicator's value now and a week ago, from the daily history."""
    url = _url()
    return _trends(url, _data_version(url), history.local_today())


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHED_VERSIONS, show_spinner=False)
def _trends(url: str, version: DataVersion, today: dt.date) -> dict[str, Trend]:
    """``version`` is not read: it is part of the cache key."""
    with _store(url).begin() as session:
        return history.weekly_trends(session, today)


@dataclass(frozen=True)
class Panel:
    """A plugin's units-page table, computed."""

    title: str
    rows: list[dict[str, Any]]


def unit_panels(personal: bool) -> list[Panel]:
    """The plugins' units-page tables; names of people only with ``personal``."""
    url = _url()
    return _unit_panels(url, _data_version(url), config(), personal)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHED_VERSIONS, show_spinner=False)
def _unit_panels(url: str, version: DataVersion, settings: Config, personal: bool) -> list[Panel]:
    """``version`` is not read: it is part of the cache key."""
    with _store(url).begin() as session:
        scope = campaign_scope(session, settings)
        return [Panel(panel.title, panel.rows(session, scope, personal)) for panel in registry().unit_panels.values()]


def statuses() -> list[CollectorStatus]:
    """Every installed collector's last run, last success and next run."""
    url = _url()
    return _statuses(url, _run_version(url), config())


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHED_VERSIONS, show_spinner=False)
def _statuses(url: str, version: RunVersion, settings: Config) -> list[CollectorStatus]:
    """``version`` is not read: it is part of the cache key."""
    with _store(url).begin() as session:
        return collector_statuses(session, registry(), settings)


@dataclass(frozen=True)
class Situation:
    """The headline numbers and the plugins' alerts (newest first), as computed at ``at`` (UTC)."""

    headlines: list[HeadlineValue]
    alerts: list[Alert]
    at: dt.datetime


def situation() -> Situation:
    """The headline numbers and the plugins' alerts, recomputed when new data lands (or after the cache expires)."""
    url = _url()
    return _situation(url, _run_version(url), _data_version(url), _clock_tick(), config())


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHED_VERSIONS, show_spinner=False)
def _situation(url: str, runs: RunVersion, version: DataVersion, tick: int, settings: Config) -> Situation:
    """``runs``, ``version`` and ``tick`` are not read: they are part of the cache key."""
    reports = {report.id: report for report in _reports(url, runs, version, tick, settings)}
    with _store(url).begin() as session:
        campaign = session.get(Campaign, 1)
        watch = Watch(campaign_scope(session, settings), utcnow(), campaign.timezone, reports)
        found = rule_alerts(session, registry().alert_rules.values(), watch)
        return Situation(headline_values(session, registry().headlines.values(), watch), newest_first(found), watch.now)


def latest_run(name: str) -> CollectorRun | None:
    """Collector ``name``'s newest run as it stands now (not cached: for following a run as it goes)."""
    with store().begin() as session:
        return session.scalars(select(CollectorRun).where(CollectorRun.collector == name)
                               .order_by(CollectorRun.id.desc()).limit(1)).first()


def start_run(name: str, actor: str) -> None:
    """Start collector ``name`` once, now, with storm.toml's settings, in a process of its own (``storm collect
    NAME``), so that a long or stuck source never holds up the web process; write it to the audit log.

    The run's progress and outcome are in its ``collector_runs`` row as it goes. A collector already running
    (in a worker) is skipped by that process, not run twice. A setting missing from storm.toml raises
    :class:`~collectors.errors.ConfigError` here, before anything starts."""
    settings = config()
    collector_settings(settings, registry().collector(name))
    environment = {**os.environ, URL_VARIABLE: settings.database_url}
    if settings.path is not None:
        environment[CONFIG_VARIABLE] = str(settings.path.resolve())
    process = subprocess.Popen([sys.executable, "-m", "storm", "collect", name], env=environment,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    threading.Thread(target=process.wait, daemon=True).start()  # reaped when it ends
    with store().begin() as session:
        audit(session, actor, "collector.run", name, ok=True, status="started", pid=process.pid)


def evaluation_sheets(day: dt.date) -> list[Sheet]:
    """The 总结测评 report as of the end of ``day``, as the workbook's sheets."""
    url = _url()
    return _evaluation_sheets(url, _run_version(url), _data_version(url), config(), day)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHED_VERSIONS, show_spinner=False)
def _evaluation_sheets(url: str, runs: RunVersion, version: DataVersion, settings: Config, day: dt.date) -> list[Sheet]:
    """``runs`` and ``version`` are not read: they are part of the cache key."""
    with _store(url).begin() as session:
        return exports.evaluation_sheets(exports.evaluation(session, registry(), settings, day))


def source_titles() -> dict[str, str]:
    """Installed collectors' display names by collector name."""
    return {name: collector.title for name, collector in registry().collectors.items()}


def upload_templates() -> dict[str, UploadTemplate]:
    """Every installed upload template by id, in the order the plugins declare them."""
    return registry().upload_templates


@dataclass(frozen=True)
class LedgerMark:
    """The newest period of a unit's ledger that holds a stored file, and how many stored files it has."""

    template: str
    unit_code: str
    latest_period: str
    files: int


def ledger_marks() -> list[LedgerMark]:
    """Which unit has uploaded which ledger, and for which latest period (stored files only)."""
    url = _url()
    return _ledger_marks(url, _data_version(url, [UPLOADS_SOURCE]))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _ledger_marks(url: str, version: DataVersion) -> list[LedgerMark]:
    """``version`` is not read: it is part of the cache key."""
    query = (
        select(UploadedFile.template, UploadedFile.unit_code, func.max(UploadedFile.period), func.count())
        .where(UploadedFile.status == UploadStatus.STORED)
        .group_by(UploadedFile.template, UploadedFile.unit_code)
    )
    with _store(url).begin() as session:
        return [LedgerMark(*row) for row in session.execute(query)]


def has_accounts() -> bool:
    """Whether any account exists (none: an unconfigured demo, open to every visitor). Not cached."""
    with store().begin() as session:
        return session.scalar(select(User.id).limit(1)) is not None


@dataclass(frozen=True)
class Account:
    """An account as the user list shows it (no password hash)."""

    username: str
    display_name: str
    role: str
    unit_code: str | None
    active: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None


def accounts() -> list[Account]:
    """Every account by user name (not cached: the user page shows its own changes at once)."""
    with store().begin() as session:
        users = session.scalars(select(User).order_by(User.username))
        return [
            Account(u.username, u.display_name, u.role, u.unit_code, u.active, u.created_at, u.last_login_at)
            for u in users
        ]


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    actor: str
    action: str
    target: str | None
    ok: bool
    detail: dict[str, Any]
    address: str | None


def audit_entries(action: str | None = None, actor: str | None = None, limit: int = AUDIT_ROWS) -> list[AuditRow]:
    """The audit log newest first, of one action and one actor if given (not cached)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    with store().begin() as session:
        return [AuditRow(e.at, e.actor, e.action, e.target, e.ok, dict(e.detail or {}), e.address)
                for e in session.scalars(query)]


def audit_choices() -> tuple[list[str], list[str]]:
    """The actions and the actors the audit log holds, sorted (for its filters)."""
    with store().begin() as session:
        actions = session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
        actors = session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)).all()
    return list(actions), list(actors)


def source_summary(source: str, where: Filter) -> Summary:
    """A source page's numbers (``source`` a key of :data:`models.summaries.SOURCES`) for a unit and period."""
    url = _url()
    return _source_summary(url, _data_version(url, [source]), source, where)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHED_VERSIONS * 8, show_spinner=False)
def _source_summary(url: str, version: DataVersion, source: str, where: Filter) -> Summary:
    """``version`` is not read: it is part of the cache key."""
    with _store(url).begin() as session:
        return SOURCES[source].summary(session, where)


def source_records(source: str, where: Filter, flag: str | None, personal: bool, offset: int, limit: int) -> RecordPage:
    """A page of a source's records for a unit and period (those raising ``flag`` if given); personal
    columns only with ``personal``."""
    url = _url()
    return _source_records(url, _data_version(url, [source]), source, where, flag, personal, offset, limit)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHED_VERSIONS * 8, show_spinner=False)
def _source_records(
    url: str, version: DataVersion, source: str, where: Filter, flag: str | None, personal: bool, offset: int, limit: int
) -> RecordPage:
    """``version`` is not read: it is part of the cache key."""
    with _store(url).begin() as session:
        return SOURCES[source].records(session, where, flag, personal, offset, limit)
