"""Indicators: measures declared as SQL queries and one engine that aggregates them."""

from models.indicators import cells, history
from models.indicators.engine import Aggregate, Breakdown, Clock, IndicatorValues, Measure, Scope, compute

__all__ = ["Aggregate", "Breakdown", "Clock", "IndicatorValues", "Measure", "Scope", "cells", "compute", "history"]
