"""The plugin manager and what the plugins declared: collectors, record kinds, indicators, upload templates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pluggy
from sqlalchemy.orm import Session

from collectors import hookspecs
from collectors.collector import Collector
from collectors.demo import DemoContext, DemoFiles, DemoSource
from collectors.errors import UserError
from collectors.templates import UploadTemplate
from models.indicators import Measure, Scope

if TYPE_CHECKING:
    from collectors.alerts import AlertRule
    from collectors.headlines import Headline

ENTRY_POINT_GROUP = "storm.plugins"


@dataclass(frozen=True)
class RecordKind:
    """A kind of record and the table (a model mixing in ``SourceRecord``) it is stored in."""

    name: str
    model: type[Any]
    title: str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    """A plugin's computation of an indicator; the name and target fields matter only for
    indicators the campaign file does not declare."""

    id: str
    measure: Measure
    sources: tuple[str, ...]
    task: str | None = None
    name: str | None = None
    description: str = ""
    unit: str | None = None
    direction: str | None = None
    target: float | None = None


@dataclass(frozen=True)
class Notifier:
    """A channel a plugin adds: route URLs that start with ``scheme://`` are sent by ``send``."""

    scheme: str
    send: Callable[..., bool]
    """``send(body, title, notify_type, attach, meta)``, as an apprise custom notification: ``meta["url"]`` is
    the route's URL, ``attach`` the files (or None); true when delivered."""


def measured_by(source: str, measures: Mapping[str, Measure]) -> list[IndicatorSpec]:
    """Specs for campaign indicators computed by ``measures`` (id → measure) from ``source``'s data."""
    return [IndicatorSpec(id=key, measure=measure, sources=(source,)) for key, measure in measures.items()]


@dataclass(frozen=True)
class UnitPanel:
    """A table a plugin adds to the units page (单位), computed over the campaign period."""

    key: str
    title: str
    rows: Callable[[Session, Scope, bool], list[dict[str, Any]]]
    """``(session, scope, personal)`` → the rows, each a dict of column header → value;
    names of people and other personal data only when ``personal`` is true."""


def plugin_manager(extra_plugins: Iterable[object] = ()) -> pluggy.PluginManager:
    """A plugin manager with the hook specs, the installed plugins and ``extra_plugins``."""
    manager = pluggy.PluginManager("storm")
    manager.add_hookspecs(hookspecs)
    manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra_plugins:
        manager.register(plugin)
    manager.check_pending()
    return manager


def _unique(items: Iterable[Any], key: str, what: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in items:
        name = getattr(item, key)
        if name in found and found[name] is not item:
            raise UserError(f"two plugins declare the {what} '{name}'; uninstall or rename one")
        found[name] = item
    return found


class Registry:
    """What the registered plugins declare, gathered once."""

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager

    @cached_property
    def collectors(self) -> dict[str, type[Collector]]:
        return _unique((c for group in self.manager.hook.storm_collectors() for c in group), "name", "collector")

    @cached_property
    def record_kinds(self) -> dict[str, RecordKind]:
        return _unique((k for group in self.manager.hook.storm_record_kinds() for k in group), "name", "record kind")

    @cached_property
    def indicators(self) -> dict[str, IndicatorSpec]:
        specs: dict[str, IndicatorSpec] = {}
        for group in reversed(self.manager.hook.storm_indicators()):
            specs.update((spec.id, spec) for spec in group)
        return specs

    @cached_property
    def upload_templates(self) -> dict[str, UploadTemplate]:
        groups = self.manager.hook.storm_upload_templates()
        return _unique((t for group in groups for t in group), "id", "upload template")

    def upload_template(self, template_id: str) -> UploadTemplate:
        try:
            return self.upload_templates[template_id]
        except KeyError:
            known = ", ".join(sorted(self.upload_templates)) or "none"
            raise UserError(f"no upload template is named '{template_id}'; the templates are: {known}") from None

    @cached_property
    def unit_panels(self) -> dict[str, UnitPanel]:
        panels = (p for group in reversed(self.manager.hook.storm_unit_panels()) for p in group)
        return _unique(panels, "key", "unit panel")

    @cached_property
    def headlines(self) -> dict[str, Headline]:
        headlines = (h for group in reversed(self.manager.hook.storm_headlines()) for h in group)
        return _unique(headlines, "key", "headline")

    @cached_property
    def alert_rules(self) -> dict[str, AlertRule]:
        rules = (r for group in reversed(self.manager.hook.storm_alert_rules()) for r in group)
        return _unique(rules, "key", "alert rule")

    @cached_property
    def notifiers(self) -> dict[str, Notifier]:
        notifiers = (n for group in self.manager.hook.storm_notifiers() for n in group)
        return _unique(notifiers, "scheme", "notification channel")

    def demo_sources(self, context: DemoContext) -> list[DemoSource]:
        """The demo sources to serve (what ``storm_demo_sources`` gives beside demo files)."""
        return [item for item in self._demo(context) if isinstance(item, DemoSource)]

    def demo_files(self, context: DemoContext) -> list[DemoFiles]:
        """The demo files to write for collectors that read folders."""
        return [item for item in self._demo(context) if isinstance(item, DemoFiles)]

    def _demo(self, context: DemoContext) -> list[DemoSource | DemoFiles]:
        return [item for group in self.manager.hook.storm_demo_sources(context=context) for item in group]

    def collector(self, name: str) -> type[Collector]:
        try:
            return self.collectors[name]
        except KeyError:
            known = ", ".join(sorted(self.collectors)) or "none"
            raise UserError(f"no collector is named '{name}'; the collectors are: {known}") from None

    def plugin_names(self) -> list[str]:
        return sorted(name for name, plugin in self.manager.list_name_plugin() if plugin is not None)


def load_registry(extra_plugins: Iterable[object] = ()) -> Registry:
    """The registry of every installed plugin (plus ``extra_plugins``, for tests and embedding)."""
    return Registry(plugin_manager(extra_plugins))
