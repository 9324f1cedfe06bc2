"""The campaign as the store keeps it: units, actions, tasks, phases, duties, indicators.

These rows are written from the campaign file by :mod:`models.campaign_file`; everything
else (collectors, indicators, the dashboard) reads the campaign from here.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

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


class Duty(Base):
    """One of the "five ones" (五个一) every unit owes."""

    __tablename__ = "duties"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str]
    activity_type: Mapped[str]
    position: Mapped[int] = mapped_column(default=0)


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
