"""Every indicator of the campaign, read from its cells, with its status and provenance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.cells import indicator_values
from collectors.config import Config, collector_settings
from collectors.errors import UserError
from collectors.registry import IndicatorSpec, Registry
from collectors.status import is_stale, last_successes
from models.base import utcnow
from models.campaign import Campaign, IndicatorTarget, campaign_first_day
from models.indicators import Breakdown, IndicatorValues, Scope, compute

DEFAULT_MARGIN = {"ratio": 0.05}
"""How far from the target still counts as at risk, when the campaign gives no warn_margin."""
RELATIVE_MARGIN = 0.1
"""For counts, days and scores: at risk within this share of the target."""

STATUS_LABELS = {"met": "达标", "at_risk": "预警", "missed": "未达标", "no_data": "暂无数据", "tracked": "监测"}
"""``tracked`` is an indicator with a value but no target (a count to watch)."""


@dataclass
class IndicatorReport:
    id: str
    task: str
    name: str
    description: str
    unit: str
    direction: str
    target: float | None
    value: float | None
    status: str
    sources: list[str]
    as_of: dt.datetime | None
    stale: bool
    computed: bool
    numerator: float | None = None
    denominator: float | None = None
    by_unit: list[Breakdown] = field(default_factory=list)
    by_month: list[Breakdown] = field(default_factory=list)
    basis: str = ""
    """The sentence of the plan the indicator measures."""
    counts_from: str = "year"
    """``year`` or ``campaign``: where its period starts (:attr:`models.campaign.IndicatorTarget.counts_from`)."""

    @property
    def task_key(self) -> int | str:
        return int(self.task) if self.task.isdigit() else self.task

    def as_json(self, breakdowns: bool = False) -> dict[str, Any]:
        data = asdict(self)
        data["task"] = self.task_key
        data["source"] = ",".join(self.sources)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        if not breakdowns:
            del data["by_unit"], data["by_month"]
        return data


def judge(value: float | None, target: float | None, direction: str, unit: str, margin: float | None) -> str:
    """met / at_risk / missed against the target; tracked without one; no_data without a value."""
    if value is None:
        return "no_data"
    if target is None:
        return "tracked"
    if margin is None:
        margin = DEFAULT_MARGIN.get(unit, max(abs(target) * RELATIVE_MARGIN, 1.0))
    gap = value - target if direction == "higher" else target - value
    if gap >= -1e-9:
        return "met"
    return "at_risk" if gap >= -margin else "missed"


def campaign_scope(session: Session, config: Config, through: dt.date | None = None) -> Scope:
    """The campaign year, local midnight to local midnight, as UTC; with ``through``, only up to
    the end of that local day (which must be in the campaign year)."""
    campaign = session.get(Campaign, 1)
    year = campaign.year if campaign else utcnow().year
    zone = ZoneInfo(campaign.timezone if campaign else "Asia/Shanghai")
    if through is not None and through.year != year:
        raise UserError(f"{through.isoformat()} is not in the campaign year {year}; give a date in {year}")
    day_after = (through or dt.date(year, 12, 31)) + dt.timedelta(days=1)
    start = dt.datetime(year, 1, 1, tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day_after, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    return Scope(start=start, end=end, params=dict(config.indicator_params), campaign_start=campaign_start(session))


def campaign_start(session: Session) -> dt.datetime | None:
    """Local midnight of the campaign's first day, as UTC (None without phases)."""
    campaign, first = session.get(Campaign, 1), campaign_first_day(session)
    if campaign is None or first is None:
        return None
    return dt.datetime.combine(first, dt.time(), tzinfo=ZoneInfo(campaign.timezone)).astimezone(dt.UTC)


def scope_of(target: IndicatorTarget, scope: Scope) -> Scope:
    """The period ``target`` is computed over within ``scope``: from the campaign's first day if it says so."""
    return scope.from_campaign_start() if target.counts_from == "campaign" else scope


def _declared(session: Session, registry: Registry) -> list[IndicatorTarget]:
    rows = list(session.scalars(select(IndicatorTarget).order_by(IndicatorTarget.position)))
    known = {row.id for row in rows}
    for spec in registry.indicators.values():
        if spec.id not in known:
            rows.append(_target_of(spec))
    return rows


def _target_of(spec: IndicatorSpec) -> IndicatorTarget:
    if not (spec.task and spec.name and spec.unit and spec.direction):
        raise ValueError(f"indicator {spec.id} is not in the campaign and lacks task, name, unit or direction")
    return IndicatorTarget(
        id=spec.id,
        task=spec.task,
        name=spec.name,
        description=spec.description,
        unit=spec.unit,
        direction=spec.direction,
        target=spec.target,
        warn_margin=None,
        sources=list(spec.sources),
    )


def indicator_reports(
    session: Session,
    registry: Registry,
    config: Config,
    breakdowns: bool = False,
    only: set[str] | None = None,
    through: dt.date | None = None,
    values: Mapping[str, IndicatorValues] | None = None,
) -> list[IndicatorReport]:
    """Every indicator (or those in ``only``), in campaign order: over the campaign year, read from
    the indicator cells (:func:`collectors.cells.indicator_values`, or ``values`` when the caller has
    them already), or with ``through`` computed from the rows over the campaign year up to the end of
    that local day (the data is then as of that day's end at the latest). Where the data is as of and
    whether it is stale come from the runs, read now."""
    now = utcnow()
    scope = campaign_scope(session, config, through)
    if through is None and values is None:
        values = indicator_values(session, registry, config, breakdowns, only)
    successes = last_successes(session)
    stale_after = {
        name: collector.stale_after(collector_settings(config, collector, check_required=False))
        for name, collector in registry.collectors.items()
    }
    reports = []
    for target in _declared(session, registry):
        if only is not None and target.id not in only:
            continue
        spec = registry.indicators.get(target.id)
        sources = list(spec.sources) if spec else list(target.sources)
        fed = [successes.get(source) for source in sources]
        as_of = None if not fed or None in fed else min([scope.end, *(f for f in fed if f is not None)])
        stale = any(is_stale(successes.get(s), stale_after.get(s), now) for s in sources)
        found = None
        if spec and as_of:
            found = compute(session, spec.measure, scope_of(target, scope), breakdowns) if values is None \
                else values.get(target.id)
        value = found.value if found else None
        reports.append(
            IndicatorReport(
                id=target.id,
                task=target.task,
                name=target.name,
                description=target.description,
                unit=target.unit,
                direction=target.direction,
                target=target.target,
                value=value,
                status=judge(value, target.target, target.direction, target.unit, target.warn_margin),
                sources=sources,
                as_of=as_of,
                stale=stale,
                computed=spec is not None,
                numerator=found.numerator if found else None,
                denominator=found.denominator if found else None,
                by_unit=found.by_unit if found and breakdowns else [],
                by_month=found.by_month if found and breakdowns else [],
                basis=target.basis or "",
                counts_from=target.counts_from or "year",
            )
        )
    return reports
