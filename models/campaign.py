"""The campaign as the store keeps it: units, actions, tasks, phases, duties, indicators.

These rows are written from the campaign file by :mod:`models.campaign_file`; everything
else (collectors, indicators, the dashboard) reads the campaign from here.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base


class UnitKind(StrEnum):
    """What sort of body a unit is; window and law-enforcement roles are flags beside it."""

    TOWNSHIP = "township"
    STREET = "street"
    DEPARTMENT = "department"


class Campaign(Base):
    """The one campaign this store monitors (a single row)."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    district: Mapped[str]
    year: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64))
    baseline_events: Mapped[int | None]
    source_file: Mapped[str]


class Unit(Base):
    """A township, street or department taking part in the campaign."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str]
    short: Mapped[str]
    kind: Mapped[str] = mapped_column(String(16))
    window: Mapped[bool] = mapped_column(default=False)
    enforcement: Mapped[bool] = mapped_column(default=False)
    key_enforcement: Mapped[bool] = mapped_column(default=False)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)


class Action(Base):
    """One of the campaign's actions (行动)."""

    __tablename__ = "actions"

    no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str]
    summary: Mapped[str] = mapped_column(default="")


class Task(Base):
    """A key task (重点任务), with its lead and responsible units as the plan words them."""

    __tablename__ = "tasks"

    no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    action_no: Mapped[int] = mapped_column(ForeignKey("actions.no"))
    name: Mapped[str]
    summary: Mapped[str] = mapped_column(default="")
    lead: Mapped[list[str]] = mapped_column(default=list)
    responsible: Mapped[list[str]] = mapped_column(default=list)


class TaskUnit(Base):
    """A unit a task names, resolved from the plan's wording ("各乡镇" → every township)."""

    __tablename__ = "task_units"

    task_no: Mapped[int] = mapped_column(ForeignKey("tasks.no"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)  # lead | responsible


class Phase(Base):
    """A step of the campaign (方法步骤) with its dates and what is due in it."""

    __tablename__ = "phases"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str]
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    due: Mapped[list[str]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)


def campaign_first_day(session: Session) -> dt.date | None:
    """The campaign's first day (its first phase's), or None when the store holds no phases."""
    return session.scalar(select(func.min(Phase.starts_on)))


class Duty(Base):
    """Something every unit owes by the end of a phase: an activity of the activities ledger.

    ``kind`` groups them as the plan does: ``required`` for the five required actions of the
    work requirements (工作要求第1条：一次动员部署大会、一个宣传专栏、一次“回头看”、一个整改方案、
    一套制度), ``phase`` for the other steps a phase asks of every unit (六查六看, 自查自验报告).
    A duty is done on time when its activity is dated no later than the last day of ``phase``.
    """

    __tablename__ = "duties"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str]
    activity_type: Mapped[str]
    position: Mapped[int] = mapped_column(default=0)
    phase: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(16), default="required")


DUTY_KINDS = ("required", "phase")
""":attr:`Duty.kind`: one of the five required actions, or another step its phase asks of every unit."""


class IndicatorTarget(Base):
    """An indicator the campaign tracks: what it means, which way is better, its target."""

    __tablename__ = "indicators"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    task: Mapped[str] = mapped_column(String(4))  # "1".."18" or "X"
    name: Mapped[str]
    description: Mapped[str] = mapped_column(default="")
    unit: Mapped[str] = mapped_column(String(16))  # ratio | count | days | score
    direction: Mapped[str] = mapped_column(String(8))  # higher | lower
    target: Mapped[float | None]
    warn_margin: Mapped[float | None]
    sources: Mapped[list[str]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)
    basis: Mapped[str] = mapped_column(default="")
    """Why: the sentence of the plan the indicator measures."""
    counts_from: Mapped[str] = mapped_column(String(16), default="year")
    """``year``: over the campaign year; ``campaign``: from the campaign's first day (see :data:`COUNTS_FROM`)."""


COUNTS_FROM = ("year", "campaign")
"""Where an indicator's period starts: the campaign year's first day, or the campaign's (its first phase's)."""
