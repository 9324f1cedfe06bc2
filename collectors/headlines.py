"""Headline numbers (核心数据): the few figures the overview and the display screen lead with.

A plugin declares :class:`Headline` s through the ``storm_headlines`` hook: either one of the
campaign's indicators (:func:`indicator_figure`) or a figure of its own read from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from collectors.alerts import Watch


@dataclass(frozen=True)
class Figure:
    """A headline's value now, in an indicator unit (ratio, count, days, score)."""

    value: float | None
    unit: str
    target: float | None = None
    direction: str = "higher"
    note: str = ""
    """A short line under the number, e.g. 其中超期 3 件."""
    note_en: str = ""
    """The note in English ("" when there is none: the Chinese note is shown)."""

    def note_in(self, language: str) -> str:
        """The note in ``language`` ("zh" or "en")."""
        return self.note_en if language == "en" and self.note_en else self.note


@dataclass(frozen=True)
class Headline:
    """A headline number: ``figure(session, watch)`` computes it; ``source`` is the collector it
    comes from; headlines are shown by ``position``, lowest first."""

    key: str
    title: str
    source: str
    figure: Callable[[Session, Watch], Figure]
    position: int = 100
    title_en: str = ""
    """The title in English ("" when there is none: the Chinese title is shown)."""


@dataclass(frozen=True)
class HeadlineValue:
    """A headline with its figure, computed."""

    key: str
    title: str
    source: str
    figure: Figure
    title_en: str = ""

    def title_in(self, language: str) -> str:
        """The title in ``language`` ("zh" or "en")."""
        return self.title_en if language == "en" and self.title_en else self.title


def indicator_figure(indicator_id: str) -> Callable[[Session, Watch], Figure]:
    """A headline figure that is the campaign indicator ``indicator_id`` (its value, target and direction)."""

    def figure(session: Session, watch: Watch) -> Figure:
        report = watch.reports.get(indicator_id)
        if report is None:
            return Figure(None, "count")
        return Figure(report.value, report.unit, report.target, report.direction)

    return figure


def headline_values(session: Session, headlines: Iterable[Headline], watch: Watch) -> list[HeadlineValue]:
    """Every headline's figure, by position."""
    ordered = sorted(headlines, key=lambda h: h.position)
    return [HeadlineValue(h.key, h.title, h.source, h.figure(session, watch), h.title_en) for h in ordered]
