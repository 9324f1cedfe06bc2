"""Our side of the comparison: every indicator as the dashboard computes it, and the headline
aggregates alone, each cold (on a newly opened store) and warm (again, on the same one)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select

from collectors import report
from collectors.config import Config
from collectors.registry import Registry
from collectors.report import campaign_scope, indicator_reports
from models.campaign import IndicatorTarget
from models.indicators import Scope, compute
from models.indicators.complaints import as_of
from models.store import Store, open_store
from storm.bench.baselines import Values
from storm.bench.headlines import HEADLINES, Window
from storm.bench.measure import Measured, measure


def window(scope: Scope) -> Window:
    """The scope as the naive UTC times the baselines compare with."""
    naive = {"start": scope.start, "end": scope.end, "moment": as_of(scope)}
    return Window(**{name: moment.replace(tzinfo=None) for name, moment in naive.items()})


def scope_of(store: Store, config: Config) -> Scope:
    with store.begin() as session:
        return campaign_scope(session, config)


def engine_values(store: Store, registry: Registry, scope: Scope) -> Values:
    """The headline aggregates as the indicator engine computes them (overall, no breakdowns)."""
    with store.begin() as session:
        return {headline.id: compute(session, registry.indicators[headline.id].measure, scope, False).value
                for headline in HEADLINES}


def every_indicator(store: Store, registry: Registry, config: Config) -> int:
    """Every indicator of the campaign with its breakdowns by unit and month, as the dashboard reads them."""
    with store.begin() as session:
        reports = indicator_reports(session, registry, config, breakdowns=True)
    return sum(report.value is not None for report in reports)


def cold_and_warm(url: str, run: Callable[[Store], Any]) -> tuple[Any, Measured, Measured]:
    """``run`` on a newly opened store (cold: no connection, no page cache of ours), then again (warm)."""
    store = open_store(url)
    try:
        with measure() as cold:
            run(store)
        with measure() as warm:
            result = run(store)
    finally:
        store.dispose()
    return result, cold, warm


def indicator_scopes(store: Store, config: Config, ids: Iterable[str]) -> dict[str, Scope]:
    """Each indicator's period: the campaign year, or from the campaign's first day where the campaign file says so."""
    with store.begin() as session:
        scope = campaign_scope(session, config)
        targets = {target.id: target for target in session.scalars(select(IndicatorTarget))}
    return {id_: report.scope_of(targets[id_], scope) if id_ in targets else scope for id_ in ids}


def full_recompute(store: Store, registry: Registry, scopes: Mapping[str, Scope]) -> int:
    """Every indicator of ``scopes`` with its breakdowns over its period, by the engine from the stored
    rows (whatever the dashboard reads them from): the number with a value."""
    with store.begin() as session:
        values = [compute(session, registry.indicators[id_].measure, scope).value for id_, scope in scopes.items()]
    return sum(value is not None for value in values)
