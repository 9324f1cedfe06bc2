"""Where every collector stands: its last run, its last success, its next scheduled run."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collectors.config import Config, collector_settings
from collectors.registry import Registry
from collectors.words import unknown_words_text
from models.base import utcnow
from models.runs import CollectorRun


@dataclass(frozen=True)
class CollectorStatus:
    name: str
    title: str
    enabled: bool
    every_minutes: int
    last_run: dict[str, Any] | None
    last_success_at: dt.datetime | None
    next_run_at: dt.datetime | None
    stale: bool

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("last_success_at", "next_run_at"):
            data[key] = _iso(data[key])
        return data


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _run_json(run: CollectorRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run.status,
        "started": _iso(run.started_at),
        "finished": _iso(run.finished_at),
        "fetched": run.fetched,
        "inserted": run.inserted,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
        "error": run.error,
        "problems": run.problems,
        "reasons": run.reasons,
        "unknown_words": run.unknown_words,
        "notes": run_notes(run.reasons, run.unknown_words, run.notes),
    }


def run_notes(reasons: dict[str, int], unknown_words: dict[str, dict[str, int]], notes: list[str]) -> list[str]:
    """What a run lost or could not read, one line each: rejections by kind of reason, unknown words, then the
    collector's own notes."""
    lines = [f"{count} rejected: {reason}" for reason, count in reasons.items()]
    return lines + [unknown_words_text(field, words) for field, words in unknown_words.items()] + notes


LEASE_MARGIN_MINUTES = 5
DATA_LANDED = ("success", "partial")
"""Run statuses after which a source's data is current (a partial run stored what it could read)."""


def last_successes(session: Session) -> dict[str, dt.datetime]:
    """Each collector's latest finish that brought its data up to date."""
    query = (
        select(CollectorRun.collector, func.max(CollectorRun.finished_at))
        .where(CollectorRun.status.in_(DATA_LANDED))
        .group_by(CollectorRun.collector)
    )
    return {name: finished for name, finished in session.execute(query) if finished is not None}


def _latest_runs(session: Session) -> dict[str, CollectorRun]:
    newest = select(CollectorRun.collector, func.max(CollectorRun.id).label("id")).group_by(CollectorRun.collector)
    ids = [row.id for row in session.execute(newest)]
    return {run.collector: run for run in session.scalars(select(CollectorRun).where(CollectorRun.id.in_(ids)))}


def run_lease(settings: dict[str, Any]) -> dt.timedelta:
    """How long a run may hold its collector's lock: its ``max_minutes`` and a margin."""
    return dt.timedelta(minutes=float(settings["max_minutes"]) + LEASE_MARGIN_MINUTES)


def is_stale(last_success: dt.datetime | None, stale_after: dt.timedelta | None, now: dt.datetime) -> bool:
    """Whether data last collected at ``last_success`` is stale at ``now`` (never, without a ``stale_after``)."""
    if stale_after is None:
        return False
    return last_success is None or now - last_success > stale_after


def collector_statuses(session: Session, registry: Registry, config: Config) -> list[CollectorStatus]:
    """The status of every installed collector, in name order."""
    now = utcnow()
    latest = _latest_runs(session)
    successes = last_successes(session)
    statuses = []
    for name, collector in sorted(registry.collectors.items()):
        settings = collector_settings(config, collector, check_required=False)
        every = int(settings["every_minutes"])
        run = latest.get(name)
        last_run = _run_json(run) if run else None
        if last_run and run is not None and run.status == "running" and now - run.started_at > run_lease(settings):
            last_run["status"] = "abandoned"
        next_run = None
        if settings["enabled"]:
            next_run = max(run.started_at + dt.timedelta(minutes=every), now) if run else now
        statuses.append(
            CollectorStatus(
                name=name,
                title=collector.title,
                enabled=bool(settings["enabled"]),
                every_minutes=every,
                last_run=last_run,
                last_success_at=successes.get(name),
                next_run_at=next_run,
                stale=is_stale(successes.get(name), collector.stale_after(settings), now),
            )
        )
    return statuses
