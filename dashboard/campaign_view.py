"""The campaign's structure as the pages need it: plain, picklable data read from the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.campaign import Action, Campaign, Phase, Task, Unit


@dataclass(frozen=True)
class ActionInfo:
    no: int
    name: str
    summary: str


@dataclass(frozen=True)
class TaskInfo:
    no: int
    action_no: int
    name: str
    summary: str
    lead: tuple[str, ...]
    responsible: tuple[str, ...]


@dataclass(frozen=True)
class PhaseInfo:
    key: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    due: tuple[str, ...]


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    short: str
    kind: str
    """township, street or department (:class:`models.campaign.UnitKind`)."""


@dataclass(frozen=True)
class CampaignView:
    """The campaign, its actions, tasks and phases in plan order, its units' short names by code,
    and its units in plan order."""

    name: str
    district: str
    year: int
    timezone: str
    actions: Sequence[ActionInfo]
    tasks: Sequence[TaskInfo]
    phases: Sequence[PhaseInfo]
    unit_names: Mapping[str, str]
    units: Sequence[UnitInfo] = ()

    def action(self, no: int) -> ActionInfo | None:
        return next((action for action in self.actions if action.no == no), None)

    def tasks_of(self, action_no: int) -> list[TaskInfo]:
        return [task for task in self.tasks if task.action_no == action_no]


@dataclass(frozen=True)
class PhaseToday:
    """Where today falls: in ``current``, or before ``upcoming``, or after ``last`` (the campaign is over)."""

    current: PhaseInfo | None
    upcoming: PhaseInfo | None
    last: PhaseInfo | None


def read_campaign_view(session: Session) -> CampaignView | None:
    """The campaign in the store, or None when it holds none."""
    campaign = session.get(Campaign, 1)
    if campaign is None:
        return None
    actions = session.scalars(select(Action).order_by(Action.no))
    tasks = session.scalars(select(Task).order_by(Task.no))
    phases = session.scalars(select(Phase).order_by(Phase.position, Phase.starts_on))
    units = list(session.scalars(select(Unit).order_by(Unit.position)))
    return CampaignView(
        name=campaign.name,
        district=campaign.district,
        year=campaign.year,
        timezone=campaign.timezone,
        actions=[ActionInfo(a.no, a.name, a.summary) for a in actions],
        tasks=[TaskInfo(t.no, t.action_no, t.name, t.summary, tuple(t.lead), tuple(t.responsible)) for t in tasks],
        phases=[PhaseInfo(p.key, p.name, p.starts_on, p.ends_on, tuple(p.due)) for p in phases],
        unit_names={unit.code: unit.short or unit.name for unit in units},
        units=[UnitInfo(unit.code, unit.name, unit.short or unit.name, unit.kind) for unit in units],
    )


def phase_today(phases: Sequence[PhaseInfo], today: dt.date) -> PhaseToday:
    """The phase ``today`` is in, else the next one to start; ``last`` is the phase that ends last."""
    current = next((p for p in phases if p.starts_on <= today <= p.ends_on), None)
    later = [p for p in phases if p.starts_on > today]
    upcoming = min(later, key=lambda p: p.starts_on) if later and current is None else None
    last = max(phases, key=lambda p: p.ends_on) if phases else None
    return PhaseToday(current=current, upcoming=upcoming, last=last)
