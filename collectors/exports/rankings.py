"""Units ranked among their peers (townships and streets together, departments together) from
the indicators' by-unit values.

On each indicator a unit's place counts from the best value (the indicator's direction
says which way is better); equal values share a place (1, 2, 2, 4). The overall ranking
orders the units by their mean place over the indicators they have a value on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from collectors.report import IndicatorReport
from models.campaign import UnitKind

GROUPS = (
    ("乡镇街道", (UnitKind.TOWNSHIP.value, UnitKind.STREET.value)),
    ("部门", (UnitKind.DEPARTMENT.value,)),
)
"""The peer groups: a title and the unit kinds ranked together."""


@dataclass(frozen=True)
class RankedUnit:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Place:
    """A unit's place on one indicator."""

    report: IndicatorReport
    unit: RankedUnit
    place: int
    value: float
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class Standing:
    """A unit's overall place: by its mean place over ``indicators`` indicators."""

    place: int
    unit: RankedUnit
    mean_place: float
    indicators: int


@dataclass(frozen=True)
class GroupRanking:
    title: str
    standings: list[Standing]
    places: list[Place]


def competition_places(values: dict[str, float], higher_is_better: bool) -> dict[str, int]:
    """Each key's place, best first; equal values share a place (1, 2, 2, 4)."""
    ordered = sorted(values.values(), reverse=higher_is_better)
    return {key: ordered.index(value) + 1 for key, value in values.items()}


def _indicator_places(report: IndicatorReport, units: Sequence[RankedUnit]) -> list[Place]:
    by_code = {unit.code: unit for unit in units}
    shown = [b for b in report.by_unit if b.key in by_code and b.value is not None]
    places = competition_places({b.key: float(b.value or 0) for b in shown}, report.direction == "higher")
    ranked = [Place(report, by_code[b.key], places[b.key], float(b.value or 0), b.numerator, b.denominator)
              for b in shown]
    return sorted(ranked, key=lambda p: (p.place, p.unit.name))


def rank_group(title: str, units: Sequence[RankedUnit], reports: Sequence[IndicatorReport]) -> GroupRanking:
    """``units`` ranked on every indicator of ``reports`` that has by-unit values for them, and overall."""
    places = [place for report in reports for place in _indicator_places(report, units)]
    mine: dict[str, list[int]] = {}
    for place in places:
        mine.setdefault(place.unit.code, []).append(place.place)
    means = {code: sum(found) / len(found) for code, found in mine.items()}
    overall = competition_places(means, higher_is_better=False)
    by_code = {unit.code: unit for unit in units}
    standings = [Standing(overall[code], by_code[code], means[code], len(mine[code])) for code in means]
    return GroupRanking(title, sorted(standings, key=lambda s: (s.place, s.unit.name)), places)


def rank_units(units: Sequence[RankedUnit], reports: Sequence[IndicatorReport]) -> list[GroupRanking]:
    """Every peer group of :data:`GROUPS`, ranked."""
    return [rank_group(title, [unit for unit in units if unit.kind in kinds], reports) for title, kinds in GROUPS]
