"""Each unit's overall score (综合得分): a weighted mean of its scores on the indicators the campaign file
weighs (``[unit_score.weights]``), each indicator scored 0–100 against its target. The campaign file
documents the rule beside the weights; the units page ranks by it and shows each part, the display
screen shows the top and the bottom of the ranking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from collectors.config import Config
from collectors.report import IndicatorReport
from models.campaign_file import campaign_path, read_campaign

FULL = 100.0


@dataclass(frozen=True)
class ScorePart:
    """One indicator's part in a unit's score."""

    indicator: str
    name: str
    weight: float
    value: float
    score: float


@dataclass(frozen=True)
class UnitScore:
    """A unit's overall score (None when none of the weighed indicators has its value) and its parts."""

    code: str
    score: float | None
    parts: tuple[ScorePart, ...]


def score_weights(config: Config) -> dict[str, float]:
    """The indicator weights of the campaign file in use (``[unit_score.weights]``), positive ones only."""
    path = Path(config.campaign_file or campaign_path())
    weights = read_campaign(path).data.get("unit_score", {}).get("weights", {})
    return {key: float(weight) for key, weight in weights.items()
            if isinstance(weight, int | float) and not isinstance(weight, bool) and weight > 0}


def indicator_score(value: float, target: float, direction: str) -> float:
    """0–100: full marks at the target, otherwise in proportion to it (value ÷ target for "higher",
    target ÷ value for "lower"; a "lower" target of zero not met scores zero)."""
    if direction == "higher":
        return FULL if value >= target else max(0.0, FULL * value / target) if target > 0 else FULL
    if value <= target:
        return FULL
    return FULL * target / value if target > 0 else 0.0


def _value_of(report: IndicatorReport, code: str) -> float | None:
    return next((b.value for b in report.by_unit if b.key == code and b.value is not None), None)


def unit_scores(reports: Sequence[IndicatorReport], weights: Mapping[str, float], codes: Sequence[str]) -> list[UnitScore]:
    """The score of each of ``codes``, best first (units without a score last, in the given order)."""
    weighed = [report for report in reports if report.id in weights and report.target is not None]
    scores = []
    for code in codes:
        values = {report.id: _value_of(report, code) for report in weighed}
        parts = tuple(
            ScorePart(report.id, report.name, weights[report.id], value,
                      indicator_score(value, report.target, report.direction))
            for report in weighed if (value := values[report.id]) is not None
        )
        total = sum(part.weight for part in parts)
        score = sum(part.weight * part.score for part in parts) / total if total else None
        scores.append(UnitScore(code, score, parts))
    return sorted(scores, key=lambda unit: (unit.score is None, -(unit.score or 0)))
