"""The 总结测评 report as of a chosen day: every indicator by action and task, the units ranked
among their peers, and the plugins' unit panels (the ledgers), as sheets.

Everything is computed over the campaign year up to the end of that day
(:func:`collectors.report.indicator_reports` with ``through``), except the comparison of the
campaign's phases, which reads each indicator's value at the start and the end of each phase
from the daily history (:mod:`models.indicators.history`). No personal data: the panels are
asked for their rows without it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.config import Config
from collectors.errors import UserError
from collectors.exports.periods import chinese_date
from collectors.exports.rankings import GroupRanking, RankedUnit, rank_units
from collectors.exports.tables import Cell, Number, Sheet, cell_of
from collectors.numerals import chinese_numeral
from collectors.registry import Registry
from collectors.report import STATUS_LABELS, IndicatorReport, campaign_scope, indicator_reports
from models.base import utcnow
from models.campaign import Action, Campaign, Phase, Task, Unit
from models.indicators import history

CROSS_CUTTING = "X"
CROSS_CUTTING_TITLE = "贯穿全程"
DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}
INDICATOR_HEADERS = [
    "任务", "指标编号", "指标", "数值", "目标", "状态", "分子", "分母", "方向", "数据来源", "数据截至", "定义",
]
NO_INDICATOR = "本任务暂无量化指标"
EMPTY_PANEL = "暂无数据（尚未上报相关台账）"


@dataclass(frozen=True)
class TaskIndicators:
    no: int
    name: str
    reports: list[IndicatorReport]


@dataclass(frozen=True)
class ActionIndicators:
    no: int
    name: str
    tasks: list[TaskIndicators]

    @property
    def title(self) -> str:
        return f"{chinese_numeral(self.no)}、{self.name}"


@dataclass(frozen=True)
class PanelRows:
    title: str
    rows: list[dict[str, object]]


@dataclass(frozen=True)
class PhaseValues:
    """Every indicator's value from the history as a phase began (the day before its first day) and
    at its end (its last day, or the report's day if earlier); an indicator without a snapshot then
    is left out."""

    name: str
    starts_on: dt.date
    ends_on: dt.date
    at_start: dict[str, float | None]
    at_end: dict[str, float | None]


@dataclass(frozen=True)
class Evaluation:
    """The report's content; :func:`evaluation_sheets` lays it out."""

    campaign: str
    district: str
    through: dt.date
    generated_at: dt.datetime
    timezone: str
    actions: list[ActionIndicators]
    cross_cutting: list[IndicatorReport]
    rankings: list[GroupRanking]
    panels: list[PanelRows]
    source_titles: dict[str, str]
    phases: list[PhaseValues]


def evaluation(session: Session, registry: Registry, config: Config, through: dt.date) -> Evaluation:
    """The 总结测评 report over the campaign year up to the end of ``through`` (a local day)."""
    campaign = session.get(Campaign, 1)
    if campaign is None:
        raise UserError("the store holds no campaign; run `storm init` first")
    reports = indicator_reports(session, registry, config, breakdowns=True, through=through)
    by_task: dict[str, list[IndicatorReport]] = {}
    for report in reports:
        by_task.setdefault(report.task, []).append(report)
    tasks = session.scalars(select(Task).order_by(Task.no)).all()
    actions = [
        ActionIndicators(action.no, action.name, [
            TaskIndicators(task.no, task.name, by_task.get(str(task.no), []))
            for task in tasks if task.action_no == action.no
        ])
        for action in session.scalars(select(Action).order_by(Action.no))
    ]
    units = [RankedUnit(u.code, u.name, u.kind) for u in session.scalars(select(Unit).order_by(Unit.position))]
    scope = campaign_scope(session, config, through)
    panels = [PanelRows(panel.title, panel.rows(session, scope, False)) for panel in registry.unit_panels.values()]
    return Evaluation(
        campaign=campaign.name,
        district=campaign.district,
        through=through,
        generated_at=utcnow(),
        timezone=campaign.timezone,
        actions=actions,
        cross_cutting=by_task.get(CROSS_CUTTING, []),
        rankings=rank_units(units, reports),
        panels=panels,
        source_titles={name: collector.title for name, collector in registry.collectors.items()},
        phases=_phases(session, through),
    )


def _phases(session: Session, through: dt.date) -> list[PhaseValues]:
    """The phases begun by ``through``, with every indicator's value at their start and end."""
    phases = session.scalars(select(Phase).where(Phase.starts_on <= through).order_by(Phase.starts_on)).all()
    return [
        PhaseValues(phase.name, phase.starts_on, min(phase.ends_on, through),
                    history.value_on(session, phase.starts_on - dt.timedelta(days=1)),
                    history.value_on(session, min(phase.ends_on, through)))
        for phase in phases
    ]


# --- the sheets ---------------------------------------------------------------------------


def _number(value: float | None, unit: str) -> Number | None:
    return None if value is None else Number(value, unit)


def _indicator_row(task: str, report: IndicatorReport, ev: Evaluation) -> list[Cell]:
    as_of = report.as_of.astimezone(ZoneInfo(ev.timezone)).strftime("%Y-%m-%d %H:%M") if report.as_of else None
    sources = "、".join(ev.source_titles.get(source, source) for source in report.sources)
    return [
        task, report.id, report.name, _number(report.value, report.unit), _number(report.target, report.unit),
        STATUS_LABELS[report.status], _number(report.numerator, "count"), _number(report.denominator, "count"),
        DIRECTIONS.get(report.direction, report.direction), sources, as_of, report.description,
    ]


def _title(ev: Evaluation, part: str) -> str:
    return f"{ev.campaign}总结测评 · {part}（数据截至{chinese_date(ev.through)}）"


def _action_sheet(action: ActionIndicators, ev: Evaluation) -> Sheet:
    rows: list[list[Cell]] = []
    for task in action.tasks:
        heading = f"{task.no}. {task.name}"
        rows += [_indicator_row(heading, report, ev) for report in task.reports] or [[heading, None, NO_INDICATOR]]
    return Sheet(action.title, _title(ev, action.title), INDICATOR_HEADERS, rows)


def _cross_cutting_sheet(ev: Evaluation) -> Sheet:
    rows = [_indicator_row(CROSS_CUTTING_TITLE, report, ev) for report in ev.cross_cutting]
    return Sheet(CROSS_CUTTING_TITLE, _title(ev, CROSS_CUTTING_TITLE), INDICATOR_HEADERS, rows)


def _summary_row(title: str, tasks: int | None, reports: Sequence[IndicatorReport]) -> list[Cell]:
    counts = Counter(report.status for report in reports)
    return [title, tasks, len(reports), *(counts[status] for status in STATUS_LABELS)]


def _summary_sheet(ev: Evaluation) -> Sheet:
    rows = [
        _summary_row(action.title, len(action.tasks), [r for task in action.tasks for r in task.reports])
        for action in ev.actions
    ]
    rows.append(_summary_row(CROSS_CUTTING_TITLE, None, ev.cross_cutting))
    every = [r for action in ev.actions for task in action.tasks for r in task.reports] + ev.cross_cutting
    rows.append(_summary_row("合计", sum(len(action.tasks) for action in ev.actions), every))
    generated = ev.generated_at.astimezone(ZoneInfo(ev.timezone)).strftime("%Y-%m-%d %H:%M")
    return Sheet("汇总", _title(ev, f"{ev.district}汇总"), ["行动", "重点任务", "指标", *STATUS_LABELS.values()],
                 rows, note=f"生成时间：{generated}；各指标按活动年度1月1日至{chinese_date(ev.through)}的数据计算。")


def _standings_sheet(ev: Evaluation) -> Sheet:
    rows: list[list[Cell]] = [
        [group.title, s.place, s.unit.name, round(s.mean_place, 2), s.indicators]
        for group in ev.rankings for s in group.standings
    ]
    note = "乡镇街道、部门分别排名；综合名次按单位在各项有分单位数据的指标上的平均名次排列，名次相同者并列。"
    return Sheet("单位排名", _title(ev, "单位排名"), ["分组", "综合名次", "单位", "平均名次", "参评指标数"], rows, note)


def _places_sheet(ev: Evaluation) -> Sheet:
    rows: list[list[Cell]] = [
        [group.title, p.report.task if p.report.task == CROSS_CUTTING else int(p.report.task), p.report.id,
         p.report.name, p.place, p.unit.name, Number(p.value, p.report.unit), _number(p.numerator, "count"),
         _number(p.denominator, "count")]
        for group in ev.rankings for p in group.places
    ]
    headers = ["分组", "任务", "指标编号", "指标", "名次", "单位", "数值", "分子", "分母"]
    return Sheet("分项排名", _title(ev, "分项指标排名"), headers, rows)


def _panel_sheet(panel: PanelRows, ev: Evaluation) -> Sheet:
    if not panel.rows:
        return Sheet(panel.title, _title(ev, panel.title), ["说明"], [[EMPTY_PANEL]])
    headers = list(dict.fromkeys(key for row in panel.rows for key in row))
    rows = [[cell_of(row.get(header)) for header in headers] for row in panel.rows]
    return Sheet(panel.title, _title(ev, panel.title), headers, rows)


def _phases_sheet(ev: Evaluation) -> Sheet:
    """Each indicator's value at the start and end of each phase, and its change over the phase."""
    every = [r for action in ev.actions for task in action.tasks for r in task.reports] + ev.cross_cutting
    headers = ["任务", "指标编号", "指标"] + [
        f"{phase.name}{part}" for phase in ev.phases for part in ("初", "末", "变化")]
    rows: list[list[Cell]] = []
    for report in every:
        row: list[Cell] = [report.task, report.id, report.name]
        for phase in ev.phases:
            start, end = phase.at_start.get(report.id), phase.at_end.get(report.id)
            change = None if start is None or end is None else end - start
            row += [_number(start, report.unit), _number(end, report.unit), _number(change, report.unit)]
        rows.append(row)
    spans = "；".join(f"{p.name}{chinese_date(p.starts_on)}至{chinese_date(p.ends_on)}" for p in ev.phases)
    note = f"阶段初为阶段开始前一日、阶段末为阶段最后一日（或截至日）的每日快照数值，无快照者空缺。{spans}"
    return Sheet("分阶段", _title(ev, "各阶段对比"), headers, rows, note)


def evaluation_sheets(ev: Evaluation) -> list[Sheet]:
    """汇总, one sheet per action, 贯穿全程, 分阶段, 单位排名, 分项排名, then one per unit panel."""
    return [
        _summary_sheet(ev),
        *(_action_sheet(action, ev) for action in ev.actions),
        _cross_cutting_sheet(ev),
        _phases_sheet(ev),
        _standings_sheet(ev),
        _places_sheet(ev),
        *(_panel_sheet(panel, ev) for panel in ev.panels),
    ]
