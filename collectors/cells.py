"""Keeping every indicator's cells (:mod:`models.indicators.cells`) up to date with the plugins' definitions.

- :func:`keep` rebuilds the cells of the indicators whose definition changed: its *fingerprint*
  covers the campaign file's entry for it (where it counts from, its sources), the campaign's
  structure the measures read (units, task units, phases, duties, the working-day calendar),
  the ``[indicators]`` settings and the period they give, and the version of the plugin that
  computes it (its distribution's version and the source of the module of its measure).
  ``storm init`` calls it, ``storm recompute`` forces it, and reads call it first.
- :func:`rows_written` is called by the runner and uploads in the transaction that stored,
  updated or deleted rows: it bumps the source's data version and recomputes the cells the
  write changed, for the indicators fed by that source.
- :func:`indicator_values` reads every indicator's values from its cells, after recomputing the
  cells that the passing of time changed (:func:`models.indicators.cells.tick`).
- :func:`snapshot` writes the day's :mod:`history <models.indicators.history>`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from collectors.config import Config
from collectors.registry import IndicatorSpec, Registry
from models import versions
from models.calendar import CalendarDay
from models.campaign import Campaign, Duty, IndicatorTarget, Phase, TaskUnit, Unit
from models.indicators import IndicatorValues, Measure, Scope, cells, history
from models.indicators.cells import CellBasis, Months
from models.upsert import UpsertCounts

LOOKUP_CHUNK = 500
"""Records looked up per query when finding the months a batch touched."""


@cache
def _release(package: str) -> str:
    """The distributions (name==version) that install the top-level ``package``."""
    names = _distributions().get(package, [])
    return ",".join(f"{name}=={metadata.version(name)}" for name in names)


@cache
def _distributions() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


@cache
def _code_version(measure: Measure) -> str:
    """The version of the code that computes ``measure``: its distribution's version and a digest of
    the source of the module its row query is defined in."""
    module = sys.modules.get(getattr(measure.rows, "__module__", ""), None)
    try:
        source = inspect.getsource(module) if module else ""
    except (OSError, TypeError):
        source = ""
    release = _release((module.__name__ if module else "").split(".")[0])
    return f"{release}:{hashlib.sha256(source.encode()).hexdigest()}"


def _structure(session: Session) -> str:
    """A digest of what of the campaign the measures may read besides the data."""
    parts: list[Any] = []
    for model in (Campaign, Unit, TaskUnit, Phase, Duty):
        table = model.__table__
        parts.append([list(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))])
    calendar = select(func.count(), func.min(CalendarDay.day), func.max(CalendarDay.day), func.sum(CalendarDay.workday_seq))
    parts.append(list(session.execute(calendar).one()))
    return hashlib.sha256(json.dumps(parts, default=str, ensure_ascii=False).encode()).hexdigest()


def _definitions(session: Session, registry: Registry, config: Config) -> dict[str, tuple[Scope, str]]:
    """Every computed indicator's scope and fingerprint."""
    from collectors.report import campaign_scope, scope_of  # the report reads cells through this module

    year = campaign_scope(session, config)
    targets = {target.id: target for target in session.scalars(select(IndicatorTarget))}
    structure = _structure(session)
    found = {}
    for indicator, spec in registry.indicators.items():
        target = targets.get(indicator)
        scope = scope_of(target, year) if target else year
        entry = {"counts_from": target.counts_from if target else None, "sources": list(spec.sources),
                 "scope": cells.scope_json(scope), "structure": structure, "code": _code_version(spec.measure),
                 "aggregate": spec.measure.aggregate.value}
        fingerprint = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()
        found[indicator] = (scope, fingerprint)
    return found


def keep(
    session: Session, registry: Registry, config: Config, only: Iterable[str] | None = None, force: bool = False
) -> list[str]:
    """Rebuild the cells of the indicators (those in ``only``, if given) whose definition changed, or all of
    them with ``force``; the ids rebuilt."""
    chosen = set(only) if only is not None else None
    built = {indicator: fingerprint for indicator, fingerprint in session.execute(select(CellBasis.indicator, CellBasis.fingerprint))}
    stale = [(indicator, registry.indicators[indicator].measure, scope, fingerprint)
             for indicator, (scope, fingerprint) in _definitions(session, registry, config).items()
             if (chosen is None or indicator in chosen) and (force or built.get(indicator) != fingerprint)]
    if stale:
        cells.rebuild(session, stale)
        versions.bump(session, versions.INDICATORS)
    return [indicator for indicator, *_ in stale]


def fed_by(registry: Registry, source: str) -> dict[str, IndicatorSpec]:
    """The indicators computed from ``source``'s data."""
    return {indicator: spec for indicator, spec in registry.indicators.items() if source in spec.sources}


def rows_written(
    session: Session, registry: Registry, source: str, touched: Mapping[str, Months | None],
    added: Mapping[str, ColumnElement[bool]] | None = None,
) -> None:
    """Record in the writer's transaction that ``source`` stored, updated or deleted rows: ``touched`` gives,
    per table, the months of the changed rows' dates before and after (None: not known); ``added``, when
    the write only added rows, a condition per table that selects them (see :func:`models.indicators.cells.refresh`)."""
    if not touched:
        return
    versions.bump(session, source)
    for indicator, spec in fed_by(registry, source).items():
        cells.refresh(session, indicator, spec.measure, dict(touched), added)


class BatchMonths:
    """The months a batch of records touches, per table: those of the stored rows' dates before the
    batch is stored (:meth:`__init__`) and after (:meth:`after`)."""

    def __init__(self, session: Session, models: Mapping[type[Any], list[str]], source: str) -> None:
        self.session, self.models, self.source = session, models, source
        self.before = {model.__tablename__: self._months(model, ids) for model, ids in models.items()}

    def _months(self, model: type[Any], ids: list[str]) -> set[str | None]:
        months: set[str | None] = set()
        for start in range(0, len(ids), LOOKUP_CHUNK):
            where = (model.source == self.source) & model.external_id.in_(ids[start:start + LOOKUP_CHUNK])
            months |= cells.dated_months(self.session, model.__table__, where)
        return months

    def after(self, counts: Mapping[str, UpsertCounts]) -> tuple[dict[str, Months | None], dict[str, Any] | None]:
        """What storing the batch did (``counts`` by table), for :func:`rows_written`: the months touched in
        the tables where rows were inserted or updated, and when every record was new, the condition
        that selects them per table (else None)."""
        changed = {table for table, found in counts.items() if found.inserted or found.updated}
        touched = {model.__tablename__: self.before[model.__tablename__] | self._months(model, ids)
                   for model, ids in self.models.items() if model.__tablename__ in changed}
        only_new = all(not found.updated and not found.unchanged for found in counts.values())
        added = {model.__tablename__: (model.source == self.source) & model.external_id.in_(ids)
                 for model, ids in self.models.items()} if only_new else None
        return touched, added


def indicator_values(
    session: Session, registry: Registry, config: Config, breakdowns: bool = True, only: Iterable[str] | None = None
) -> dict[str, IndicatorValues]:
    """Every computed indicator's values (those in ``only``, if given) from its cells, rebuilt first if
    its definition changed, and with the cells that the passing of time changed recomputed."""
    chosen = set(only) if only is not None else set(registry.indicators)
    keep(session, registry, config, chosen)
    found = {}
    for indicator, spec in registry.indicators.items():
        if indicator in chosen:
            cells.tick(session, indicator, spec.measure)
            found[indicator] = cells.read(session, indicator, spec.measure, breakdowns)
    return found


def kept_values(session: Session, registry: Registry) -> dict[str, IndicatorValues]:
    """The overall values of every indicator whose cells have been built, as they stand (no settings needed)."""
    built = set(session.scalars(select(CellBasis.indicator)))
    found = {}
    for indicator, spec in registry.indicators.items():
        if indicator in built:
            cells.tick(session, indicator, spec.measure)
            found[indicator] = cells.read(session, indicator, spec.measure, breakdowns=False)
    return found


def snapshot(session: Session, registry: Registry, day: dt.date | None = None, changed: bool = True) -> None:
    """Write the snapshot of ``day`` (default: today) from the cells; when nothing ``changed``, only if
    the day has none yet."""
    day = day or history.local_today()
    if changed or not history.taken(session, day):
        history.take(session, kept_values(session, registry), day)
