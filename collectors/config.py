"""storm.toml: where the store is, which campaign, and every collector's settings.

::

    [store]
    url = "sqlite:///storm.db"          # $STORM_DATABASE_URL wins over this

    [campaign]
    file = "my-district.toml"           # default: the shipped campaign
    year = 2026                          # default: the file's year, else this year

    [collectors.service_center]
    url = "http://127.0.0.1:8765/service-center"
    every_minutes = 10
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collectors.collector import Collector, Setting
from collectors.errors import ConfigError
from models.store import URL_VARIABLE, database_url

CONFIG_VARIABLE = "STORM_CONFIG"
DEFAULT_CONFIG = "storm.toml"
SECTIONS = {"store", "campaign", "collectors", "demo", "indicators", "dashboard", "orders", "notify"}
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Config:
    """The parsed config file (empty when there is none)."""

    path: Path | None
    data: Mapping[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Mapping[str, Any]:
        return self.data.get(name, {})

    @property
    def database_url(self) -> str:
        return os.environ.get(URL_VARIABLE) or self.section("store").get("url") or database_url()

    @property
    def campaign_file(self) -> Path | None:
        file = self.section("campaign").get("file")
        if not file:
            return None
        path = Path(file)
        return path if path.is_absolute() or self.path is None else self.path.parent / path

    @property
    def campaign_year(self) -> int | None:
        return self.section("campaign").get("year")

    @property
    def indicator_params(self) -> Mapping[str, float]:
        return self.section("indicators")


def load_config(path: str | Path | None = None) -> Config:
    """Read the config from ``path``, ``$STORM_CONFIG`` or ./storm.toml (which may be absent)."""
    explicit = path or os.environ.get(CONFIG_VARIABLE)
    config_path = Path(explicit or DEFAULT_CONFIG)
    if not config_path.exists():
        if explicit:
            raise ConfigError(f"config file {config_path} does not exist; create it or unset {CONFIG_VARIABLE}")
        return Config(path=None)
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path} is not valid TOML: {exc}") from None
    unknown = set(data) - SECTIONS
    if unknown:
        raise ConfigError(
            f"{config_path}: unknown section [{sorted(unknown)[0]}]; the sections are {', '.join(sorted(SECTIONS))}"
        )
    return Config(path=config_path, data=data)


def parse_value(setting: Setting, text: str) -> Any:
    """A ``--set`` value (text) as the setting's type."""
    if setting.type is bool:
        word = text.strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValueError("expected true or false")
    if setting.type in (dict, list):
        value = json.loads(text)
        if not isinstance(value, setting.type):
            raise ValueError(f"expected a JSON {setting.type.__name__}")
        return value
    return setting.type(text)


def _checked(setting: Setting, value: Any) -> Any:
    if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, setting.type) or (setting.type is int and isinstance(value, bool)):
        raise ValueError(f"expected {setting.type.__name__}, got {type(value).__name__}")
    return value


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["key=value", …]`` from the command line as a dict."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set takes key=value, not '{pair}'")
        overrides[key.strip()] = value
    return overrides


def collector_settings(
    config: Config,
    collector: type[Collector],
    overrides: Mapping[str, str] | None = None,
    check_required: bool = True,
) -> dict[str, Any]:
    """The settings of ``collector``: its defaults, then storm.toml, then ``--set`` overrides.

    ``check_required=False`` reads them for display (schedules, status) without failing
    on a required setting that is not given yet.
    """
    declared = {setting.name: setting for setting in collector.all_settings()}
    where = f"{config.path or DEFAULT_CONFIG} [collectors.{collector.name}]"
    values = {name: setting.default for name, setting in declared.items()}
    values["every_minutes"] = collector.every_minutes
    for source, items, parse in (
        (where, config.section("collectors").get(collector.name, {}), _checked),
        ("--set", overrides or {}, parse_value),
    ):
        for key, raw in items.items():
            setting = declared.get(key)
            if setting is None:
                known = ", ".join(sorted(declared))
                raise ConfigError(f"{source}: '{key}' is not a setting of {collector.name}; its settings are: {known}")
            try:
                values[key] = parse(setting, raw)
            except ValueError as exc:
                raise ConfigError(f"{source}: {key} = {raw!r} is wrong ({exc})") from None
    missing = [name for name, setting in declared.items() if setting.required and values[name] in (None, "")]
    if missing and check_required:
        raise ConfigError(f"{where}: {collector.name} needs '{missing[0]}'; set it there or with --set {missing[0]}=…")
    return values


def check_collector_sections(config: Config, names: set[str]) -> None:
    """Fail on a ``[collectors.X]`` section for a collector that is not installed."""
    for name in config.section("collectors"):
        if name not in names:
            known = ", ".join(sorted(names))
            raise ConfigError(f"{config.path}: [collectors.{name}] names no installed collector; they are: {known}")
