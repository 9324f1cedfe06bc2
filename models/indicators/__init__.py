"""Indicators: measures declared as SQL queries and one engine that aggregates them."""

from models.indicators.engine import Aggregate, Breakdown, IndicatorValues, Measure, Scope, compute

__all__ = ["Aggregate", "Breakdown", "IndicatorValues", "Measure", "Scope", "compute"]
