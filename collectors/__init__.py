"""The collector framework: the plugin API, the runner, the scheduler and the demo server.

A plugin writes ``from collectors import hookimpl, Collector, Record, Checkpoint``.
"""

import pluggy

from collectors.collector import (
    CollectContext,
    Checkpoint,
    Collector,
    Record,
    Rejected,
    Setting,
    UnitDirectory,
)
from collectors.demo import DemoContext, DemoSource, DemoUnit
from collectors.registry import IndicatorSpec, RecordKind

hookimpl = pluggy.HookimplMarker("storm")

__all__ = [
    "Checkpoint",
    "CollectContext",
    "Collector",
    "DemoContext",
    "DemoSource",
    "DemoUnit",
    "IndicatorSpec",
    "Record",
    "RecordKind",
    "Rejected",
    "Setting",
    "UnitDirectory",
    "hookimpl",
]
