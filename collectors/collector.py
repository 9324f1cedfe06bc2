"""What a collector is: its declaration, its settings, and what it yields to the runner."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import requests

from collectors.words import UnknownWords


@dataclass(frozen=True)
class Setting:
    """One setting of a collector, as storm.toml's ``[collectors.NAME]`` and ``--set`` give it."""

    name: str
    type: type
    default: Any = None
    help: str = ""
    required: bool = False


COMMON_SETTINGS: tuple[Setting, ...] = (
    Setting("enabled", bool, True, "run this collector on schedule and in `storm collect`"),
    Setting("every_minutes", int, None, "minutes between scheduled runs (default: the collector's own)"),
    Setting("timeout", float, 30.0, "seconds to wait for a source to answer"),
    Setting("retries", int, 3, "retries of a failed request (connection errors, 429 and 5xx)"),
    Setting("max_minutes", float, 30.0, "a run taking longer than this is stopped and recorded as failed"),
    Setting("max_response_mb", float, 64.0, "the largest answer a source may send to one request"),
    Setting("max_run_mb", float, 512.0, "what one run may read from its source in all"),
)
"""Settings every collector has, beside its own."""


@dataclass(frozen=True)
class Record:
    """A record for the store: the record kind's table, and column values with ``external_id``."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Checkpoint:
    """The cursor after the records yielded so far; stored in the same transaction as they are."""

    cursor: dict[str, Any]


@dataclass(frozen=True)
class Rejected:
    """An item of the source that could not be read; counted and reported, the rest goes on."""

    reason: str
    external_id: str | None = None


@dataclass(frozen=True)
class FileUpload:
    """A file for an upload template (see ``storm_upload_templates``), found by a collector.

    The runner validates and stores it exactly as an upload through the page or ``storm
    upload`` would be, in a transaction of its own; ``period`` None is the current one.
    """

    template: str
    unit: str
    period: str | None
    filename: str
    data: bytes = field(repr=False)


Yielded = Record | Checkpoint | Rejected | FileUpload


class UnitDirectory:
    """The campaign's units by every name they go by, so that a source's names map to codes."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._codes = {name.strip(): code for name, code in names.items()}

    def code_for(self, name: str | None) -> str | None:
        """The unit code for a code, name, short name or alias; None when unknown."""
        if not name:
            return None
        return self._codes.get(name.strip())


@dataclass
class CollectContext:
    """What the runner hands to :meth:`Collector.collect`."""

    settings: Mapping[str, Any]
    http: requests.Session
    cursor: Mapping[str, Any]
    log: logging.Logger
    units: UnitDirectory = field(default_factory=lambda: UnitDirectory({}))
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    unknown_words: UnknownWords = field(default_factory=UnknownWords)
    """Where a collector counts the words its tables did not know (:meth:`collectors.words.WordTable.value`)."""
    notes: list[str] = field(default_factory=list)
    """What the run's report should say beside its counts, such as how a column's dates were read."""


STALE_AFTER_RUNS = 3
"""A source is stale when its last success is older than this many scheduled intervals."""


class Collector:
    """Base of every collector. A subclass sets the class attributes and implements :meth:`collect`.

    The docstring of a subclass is its manual and has four parts, each a line starting with
    its heading: ``System:`` what it reads, ``Settings:`` its settings, ``Caveats:`` what to
    know about the source, ``Format:`` where the source's format is documented.
    """

    name: ClassVar[str]
    """Unique name, used in storm.toml (``[collectors.NAME]``) and on the command line."""
    title: ClassVar[str]
    """Name shown on the dashboard (Chinese)."""
    kinds: ClassVar[tuple[str, ...]]
    """The record kinds it yields."""
    every_minutes: ClassVar[int] = 15
    """Default minutes between scheduled runs."""
    settings: ClassVar[tuple[Setting, ...]] = ()
    """Its own settings (the :data:`COMMON_SETTINGS` come on top)."""
    record_settings: ClassVar[tuple[str, ...]] = ()
    """The settings that shape its records (mappings of headers and words): when one changes, the
    runner forgets which files were read, so that every file is read again with the new mapping."""

    def collect(self, context: CollectContext) -> Iterable[Yielded]:
        """Yield records, checkpoints and rejections. Never touch the database."""
        raise NotImplementedError

    @classmethod
    def all_settings(cls) -> tuple[Setting, ...]:
        return COMMON_SETTINGS + cls.settings

    @classmethod
    def stale_after(cls, settings: Mapping[str, Any]) -> dt.timedelta | None:
        """How long after its last success the collector's data counts as stale: by default three
        scheduled intervals. ``None`` for a source that is not read on a schedule (its data
        comes when people send it), which never goes stale by the clock."""
        return dt.timedelta(minutes=int(settings["every_minutes"]) * STALE_AFTER_RUNS)
