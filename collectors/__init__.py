"""The collector framework: the plugin API, the runner, the scheduler and the demo server.

A plugin writes ``from collectors import hookimpl, Collector, Record, Checkpoint``.
"""

import pluggy

from collectors.collector import (
    CollectContext,
    Checkpoint,
    Collector,
    FileUpload,
    Record,
    Rejected,
    Setting,
    UnitDirectory,
)
from collectors.demo import DemoContext, DemoSource, DemoUnit
from collectors.registry import IndicatorSpec, RecordKind, UnitPanel
from collectors.templates import Column, UploadTemplate

hookimpl = pluggy.HookimplMarker("storm")

__all__ = [
    "Checkpoint",
    "CollectContext",
    "Collector",
    "Column",
    "DemoContext",
    "DemoSource",
    "DemoUnit",
    "FileUpload",
    "IndicatorSpec",
    "Record",
    "RecordKind",
    "Rejected",
    "Setting",
    "UnitDirectory",
    "UnitPanel",
    "UploadTemplate",
    "hookimpl",
]
