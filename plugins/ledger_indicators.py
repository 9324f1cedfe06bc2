"""Built-in plugin: the indicators fed by the office uploads (单位上报), tasks 1–3, 9–13 and 15–18
and the cross-cutting required duties and self-checks, rectification, commitments and evaluation.

It declares indicators only; the templates and the ``uploads`` collector are
:mod:`plugins.unit_uploads`, the measures :mod:`plugins.ledger_measures`, and the
units page's tables :mod:`plugins.ledger_views`, offered as panels by
:mod:`plugins.ledger_panels`.

Two indicators are counts *by title* or *by type* in the campaign (``T03.honours``,
``T18.actions``); the engine breaks values down by unit and month only, so they give the
total, by unit and by month, and the page groups the ledger by title or type itself.
"""

from __future__ import annotations

from collectors import AlertRule, Headline, IndicatorSpec, UnitPanel, hookimpl
from plugins.complaints import Complaints
from plugins.ledger_measures import MEASURES
from plugins.ledger_panels import PANELS
from plugins.ledger_watch import ALERT_RULES, HEADLINES
from plugins.unit_uploads import UnitUploads

ALSO_FROM_COMPLAINTS = {"T18.verified_actioned_rate"}
"""Indicators that also read the complaints the complaints collector brings."""


def sources(indicator: str) -> tuple[str, ...]:
    """The collectors an indicator's value is as of."""
    if indicator in ALSO_FROM_COMPLAINTS:
        return (Complaints.name, UnitUploads.name)
    return (UnitUploads.name,)


@hookimpl
def storm_indicators() -> list[IndicatorSpec]:
    return [IndicatorSpec(id=key, measure=measure, sources=sources(key)) for key, measure in MEASURES.items()]


@hookimpl
def storm_unit_panels() -> list[UnitPanel]:
    return PANELS


@hookimpl
def storm_headlines() -> list[Headline]:
    return HEADLINES


@hookimpl
def storm_alert_rules() -> list[AlertRule]:
    return ALERT_RULES
