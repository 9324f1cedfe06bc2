"""The collector framework: the plugin API, the runner, the scheduler and the demo server.

A plugin writes ``from collectors import hookimpl, Collector, Record, Checkpoint``.
"""

import pluggy

from collectors.alerts import Alert, AlertRule, Level, Watch
from collectors.collector import (
    Checkpoint,
    CollectContext,
    Collector,
    FileUpload,
    Record,
    Rejected,
    Setting,
    UnitDirectory,
)
from collectors.demo import DemoContext, DemoFiles, DemoSource, DemoUnit
from collectors.headlines import Figure, Headline, indicator_figure
from collectors.registry import IndicatorSpec, Notifier, RecordKind, UnitPanel
from collectors.templates import Column, UploadTemplate

hookimpl = pluggy.HookimplMarker("storm")

__all__ = [
    "Alert",
    "AlertRule",
    "Checkpoint",
    "CollectContext",
    "Collector",
    "Column",
    "DemoContext",
    "DemoFiles",
    "DemoSource",
    "DemoUnit",
    "FileUpload",
    "Figure",
    "Headline",
    "IndicatorSpec",
    "Level",
    "Record",
    "RecordKind",
    "Rejected",
    "Setting",
    "UnitDirectory",
    "Notifier",
    "UnitPanel",
    "UploadTemplate",
    "Watch",
    "hookimpl",
    "indicator_figure",
]
