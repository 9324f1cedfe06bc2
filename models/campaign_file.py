"""Reading a campaign file (TOML) and loading it into the store.

The campaign is data: the shipped ``campaigns/default.toml`` is the district's plan,
and another district's campaign is another file (``[campaign] file`` in storm.toml or
``$STORM_CAMPAIGN``).
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models.calendar import fill_calendar
from models.campaign import (
    COUNTS_FROM,
    DUTY_KINDS,
    Action,
    Campaign,
    Duty,
    IndicatorTarget,
    Phase,
    Task,
    TaskUnit,
    Unit,
    UnitKind,
)

DEFAULT_CAMPAIGN = Path(__file__).parent / "campaigns" / "default.toml"
CAMPAIGN_VARIABLE = "STORM_CAMPAIGN"
UNIT_FLAGS = ("window", "enforcement", "key_enforcement")


class CampaignError(Exception):
    """The campaign file is missing or wrong; the message names the place."""


@dataclass(frozen=True)
class CampaignSpec:
    """A campaign file, read and checked, for a concrete year."""

    path: Path
    year: int
    data: dict[str, Any]

    @property
    def units(self) -> list[dict[str, Any]]:
        return self.data["units"]

    def resolve(self, term: str) -> list[str]:
        """Unit codes a lead/responsible term stands for (a group such as 各乡镇, or one unit)."""
        group = self.data.get("unit_groups", {}).get(term)
        if group is not None:
            return [unit["code"] for unit in self.units if _selects(group, unit)]
        for unit in self.units:
            if term in (unit["name"], unit.get("short"), *unit.get("aliases", [])):
                return [unit["code"]]
        raise CampaignError(f"{self.path}: '{term}' is neither a unit nor a [unit_groups] entry")


def _selects(selector: dict[str, Any], unit: dict[str, Any]) -> bool:
    if selector.get("all"):
        return True
    if "kinds" in selector:
        return unit["kind"] in selector["kinds"]
    if "codes" in selector:
        return unit["code"] in selector["codes"]
    return any(selector.get(flag) and unit.get(flag, False) for flag in UNIT_FLAGS)


def campaign_path() -> Path:
    """The campaign file in use: ``$STORM_CAMPAIGN`` or the shipped default."""
    return Path(os.environ.get(CAMPAIGN_VARIABLE) or DEFAULT_CAMPAIGN)


def current_year(timezone: str = "Asia/Shanghai") -> int:
    return dt.datetime.now(ZoneInfo(timezone)).year


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise CampaignError(f"{where}: missing '{key}'")
    return data[key]


def _check(path: Path, data: dict[str, Any]) -> None:
    campaign = _require(data, "campaign", str(path))
    for key in ("name", "timezone"):
        _require(campaign, key, f"{path} [campaign]")
    for table in ("actions", "tasks", "phases", "duties", "units", "indicators"):
        if not data.get(table):
            raise CampaignError(f"{path}: no [[{table}]] entries")
    action_numbers = {action["no"] for action in data["actions"]}
    for task in data["tasks"]:
        where = f"{path} task {task.get('no')}"
        for key in ("no", "action", "name", "lead", "responsible"):
            _require(task, key, where)
        if task["action"] not in action_numbers:
            raise CampaignError(f"{where}: action {task['action']} is not declared")
    kinds = {kind.value for kind in UnitKind}
    codes = [unit.get("code") for unit in data["units"]]
    if len(set(codes)) != len(codes):
        raise CampaignError(f"{path}: unit codes are not unique")
    for unit in data["units"]:
        where = f"{path} unit {unit.get('code')}"
        for key in ("code", "name", "kind"):
            _require(unit, key, where)
        if unit["kind"] not in kinds:
            raise CampaignError(f"{where}: kind '{unit['kind']}' is not one of {sorted(kinds)}")
    task_keys = {str(task["no"]) for task in data["tasks"]} | {"X"}
    ids = [indicator.get("id") for indicator in data["indicators"]]
    if len(set(ids)) != len(ids):
        raise CampaignError(f"{path}: indicator ids are not unique")
    for indicator in data["indicators"]:
        where = f"{path} indicator {indicator.get('id')}"
        for key in ("id", "task", "name", "unit", "direction"):
            _require(indicator, key, where)
        if str(indicator["task"]) not in task_keys:
            raise CampaignError(f"{where}: task '{indicator['task']}' is not declared")
        if indicator["direction"] not in ("higher", "lower"):
            raise CampaignError(f"{where}: direction must be 'higher' or 'lower'")
        if indicator.get("counts_from", "year") not in COUNTS_FROM:
            raise CampaignError(f"{where}: counts_from must be one of {', '.join(COUNTS_FROM)}")
    phases = {phase.get("key") for phase in data["phases"]}
    for duty in data["duties"]:
        where = f"{path} duty {duty.get('key')}"
        for key in ("key", "name", "activity_type", "phase"):
            _require(duty, key, where)
        if duty["phase"] not in phases:
            raise CampaignError(f"{where}: phase '{duty['phase']}' is not declared")
        if duty.get("kind", "required") not in DUTY_KINDS:
            raise CampaignError(f"{where}: kind must be one of {', '.join(DUTY_KINDS)}")


def read_campaign(path: Path | None = None, year: int | None = None) -> CampaignSpec:
    """Read and check a campaign file; ``year`` overrides the file's (0 there means this year)."""
    path = Path(path or campaign_path())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CampaignError(f"campaign file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CampaignError(f"campaign file {path} is not valid UTF-8 TOML: {exc}") from None
    _check(path, data)
    year = year or data["campaign"].get("year") or current_year(data["campaign"]["timezone"])
    spec = CampaignSpec(path=path, year=int(year), data=data)
    for task in data["tasks"]:
        for term in (*task["lead"], *task["responsible"]):
            spec.resolve(term)
    return spec


def _month_day(spec: CampaignSpec, text: str, where: str) -> dt.date:
    try:
        month, day = (int(part) for part in text.split("-"))
        return dt.date(spec.year, month, day)
    except ValueError:
        raise CampaignError(f"{spec.path} {where}: '{text}' is not a MM-DD date") from None


def load_campaign(session: Session, spec: CampaignSpec) -> None:
    """Replace the campaign held in the store with ``spec`` (inside the caller's transaction)."""
    for model in (TaskUnit, Task, Action, Phase, Duty, IndicatorTarget, Unit, Campaign):
        session.execute(delete(model))
    info = spec.data["campaign"]
    session.add(
        Campaign(
            id=1,
            name=info["name"],
            district=info.get("district", ""),
            year=spec.year,
            timezone=info["timezone"],
            baseline_events=info.get("baseline_events"),
            source_file=str(spec.path),
        )
    )
    session.add_all(
        Unit(
            code=unit["code"],
            name=unit["name"],
            short=unit.get("short") or unit["name"],
            kind=unit["kind"],
            aliases=unit.get("aliases", []),
            position=position,
            **{flag: bool(unit.get(flag, False)) for flag in UNIT_FLAGS},
        )
        for position, unit in enumerate(spec.units)
    )
    session.add_all(
        Action(no=action["no"], name=action["name"], summary=action.get("summary", ""))
        for action in spec.data["actions"]
    )
    session.flush()
    for task in spec.data["tasks"]:
        session.add(
            Task(
                no=task["no"],
                action_no=task["action"],
                name=task["name"],
                summary=task.get("summary", ""),
                lead=task["lead"],
                responsible=task["responsible"],
            )
        )
    session.flush()
    for task in spec.data["tasks"]:
        for role in ("lead", "responsible"):
            codes = {code for term in task[role] for code in spec.resolve(term)}
            session.add_all(TaskUnit(task_no=task["no"], unit_code=code, role=role) for code in sorted(codes))
    for position, phase in enumerate(spec.data["phases"]):
        session.add(
            Phase(
                key=phase["key"],
                name=phase["name"],
                starts_on=_month_day(spec, phase["start"], f"phase {phase['key']}"),
                ends_on=_month_day(spec, phase["end"], f"phase {phase['key']}"),
                due=phase.get("due", []),
                position=position,
            )
        )
    session.add_all(
        Duty(
            key=duty["key"],
            name=duty["name"],
            activity_type=duty["activity_type"],
            position=position,
            phase=duty["phase"],
            kind=duty.get("kind", "required"),
        )
        for position, duty in enumerate(spec.data["duties"])
    )
    session.add_all(
        IndicatorTarget(
            id=indicator["id"],
            task=str(indicator["task"]),
            name=indicator["name"],
            description=indicator.get("description", ""),
            unit=indicator["unit"],
            direction=indicator["direction"],
            target=indicator.get("target"),
            warn_margin=indicator.get("warn_margin"),
            sources=indicator.get("sources", []),
            position=position,
            basis=indicator.get("basis", ""),
            counts_from=indicator.get("counts_from", "year"),
        )
        for position, indicator in enumerate(spec.data["indicators"])
    )
    fill_calendar(session, dt.date(spec.year - 1, 1, 1), dt.date(spec.year + 1, 12, 31))
