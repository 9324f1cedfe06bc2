"""The weekly or monthly 情况通报 (bulletin), in the shape the district's offices circulate.

Its sections: 总体情况 (the period's totals), 分类情况 (complaints by category), 排名靠后单位
(the units at the bottom by on-time rate and by satisfaction), 逾期事项 (overdue items per
unit at the period's end), 热点问题 (the most frequent complaint categories and 四乱 kinds)
and 下一步工作要求. Every number is a grouped query (:mod:`models.bulletin`, and the campaign's
indicator measures over the period); no personal data is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.config import Config
from collectors.errors import UserError
from collectors.exports.periods import Period, chinese_date
from collectors.exports.tables import Cell, Number, Sheet
from collectors.numerals import chinese_numeral
from collectors.registry import Registry
from collectors.report import campaign_scope
from models import bulletin as counts
from models.base import utcnow
from models.bulletin import CategoryCount
from models.campaign import Campaign, Unit
from models.complaints import CATEGORIES, FOUR_CHAOS
from models.indicators import IndicatorValues, Measure, Scope, compute
from models.indicators.complaints import CALLBACK_SATISFACTION

ON_TIME = "T04.on_time_rate"
SATISFACTION = "T04.satisfaction"
RECTIFICATION_OVERDUE = "X.rectification_overdue"
"""The campaign indicators the bulletin computes over its period (or, for overdue rectification, up to its end)."""
BOTTOM = 3
"""How many units the bottom rankings name."""
HOT = 3
"""How many complaint categories count as hot issues."""
NO_UNIT = "未匹配到单位"
NO_DATA = "暂无数据"
KINDS = {"week": "周报", "month": "月报"}


@dataclass(frozen=True)
class Section:
    """A numbered section: its heading, paragraphs and tables."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Sheet] = field(default_factory=list)


@dataclass(frozen=True)
class Bulletin:
    title: str
    subtitle: str
    issuer: str
    issued_on: dt.date
    period: Period
    sections: list[Section]


def _percent(value: float | None) -> str:
    return NO_DATA if value is None else Number(value, "ratio").text


def _share(part: int, whole: int) -> Number | None:
    return Number(part / whole, "ratio") if whole else None


class _Reader:
    """The bulletin's figures for one period, read from the store."""

    def __init__(self, session: Session, registry: Registry, config: Config, period: Period) -> None:
        campaign = session.get(Campaign, 1)
        if campaign is None:
            raise UserError("the store holds no campaign; run `storm init` first")
        period.check_in(campaign.year)
        self.session, self.registry, self.campaign, self.period = session, registry, campaign, period
        self.scope = period.scope(campaign.timezone, dict(config.indicator_params))
        last = min(period.last, dt.date(campaign.year, 12, 31))
        self.to_date: Scope = campaign_scope(session, config, last)
        """The campaign year up to the period's end: what is overdue then."""
        self.names = {code: name for code, name in session.execute(select(Unit.code, Unit.name))}

    def name(self, code: str | None) -> str:
        return NO_UNIT if code is None else self.names.get(code, code)

    def indicator(self, indicator_id: str, scope: Scope) -> IndicatorValues | None:
        spec = self.registry.indicators.get(indicator_id)
        return self.measure(spec.measure, scope) if spec else None

    def measure(self, measure: Measure, scope: Scope) -> IndicatorValues:
        return compute(self.session, measure, scope)


def _rate_table(reader: _Reader, values: IndicatorValues | None, label: str) -> Sheet:
    """The :data:`BOTTOM` units with the lowest rate below 100% (more cases first among equals)."""
    found = values.by_unit if values else []
    short = [b for b in found if b.value is not None and b.value < 1 and b.key in reader.names]
    bottom = sorted(short, key=lambda b: (b.value, -(b.denominator or 0), reader.name(b.key)))[:BOTTOM]
    rows: list[list[Cell]] = [
        [index, reader.name(b.key), Number(b.value or 0, "ratio"), f"{b.numerator or 0:.0f}/{b.denominator or 0:.0f}"]
        for index, b in enumerate(bottom, start=1)
    ]
    return Sheet(label, f"{label}排名靠后的单位", ["倒数名次", "单位", label, "计算依据"], rows)


def _basis(values: IndicatorValues | None, words: str) -> str:
    """``（words）`` with the fraction's denominator and numerator filled in, or nothing without a value."""
    if values is None or values.value is None:
        return ""
    return "（" + words.format(den=f"{values.denominator:.0f}", num=f"{values.numerator:.0f}") + "）"


def _overall(reader: _Reader, on_time: IndicatorValues | None, satisfaction: IndicatorValues | None,
             callback: IndicatorValues, overdue_cases: int) -> Section:
    cases = counts.case_totals(reader.session, reader.scope)
    complaints = counts.complaint_totals(reader.session, reader.scope, reader.to_date.start)
    tenders = counts.tender_totals(reader.session, reader.scope)
    on_time_rate = on_time.value if on_time else None
    satisfied = satisfaction.value if satisfaction else None
    basis = _basis(on_time, "本期应办结的{den}件中按时办结{num}件，到期仍未办结的计为未按时")
    callback_basis = _basis(callback, "有回访评价的{den}件中满意和基本满意{num}件")
    end = chinese_date(reader.period.last)
    text = (
        f"{reader.period.label}，政务服务中心受理办件{cases.accepted}件，办结{cases.completed}件，"
        f"限时办结率{_percent(on_time_rate)}{basis}，办事群众满意率{_percent(satisfied)}。"
        f"受理效能投诉{complaints.received}件，办结{complaints.closed}件，"
        f"投诉回访满意率{_percent(callback.value)}{callback_basis}；截至{end}，超过办理时限未办结的投诉"
        f"{complaints.overdue}件，超过承诺时限未办结的办件{overdue_cases}件。"
        f"公共资源交易发布招标公告{tenders.published}项（其中仅一家投标{tenders.single_bidder}项），"
        f"授予合同{tenders.awarded}项。"
    )
    rows: list[list[Cell]] = [
        ["受理办件（件）", cases.accepted], ["办结办件（件）", cases.completed],
        ["限时办结率", Number(on_time_rate, "ratio") if on_time_rate is not None else NO_DATA],
        ["办事群众满意率", Number(satisfied, "ratio") if satisfied is not None else NO_DATA],
        ["受理投诉（件）", complaints.received], ["办结投诉（件）", complaints.closed],
        ["投诉回访满意率", Number(callback.value, "ratio") if callback.value is not None else NO_DATA],
        ["超期未办结投诉（件）", complaints.overdue], ["超期未办结办件（件）", overdue_cases],
        ["发布招标公告（项）", tenders.published], ["其中仅一家投标（项）", tenders.single_bidder],
        ["授予合同（项）", tenders.awarded],
    ]
    return Section("总体情况", [text], [Sheet("总体情况", "本期主要数据", ["项目", "数量"], rows)])


def _categories(reader: _Reader, found: list[CategoryCount]) -> Section:
    received = {c.key: c for c in found}
    total = sum(c.received for c in found)
    ordered = sorted(CATEGORIES, key=lambda key: -(received[key].received if key in received else 0))
    rows: list[list[Cell]] = [
        [CATEGORIES[key], received[key].received if key in received else 0,
         _share(received[key].received, total) if key in received else None,
         received[key].closed if key in received else 0]
        for key in ordered
    ]
    rows.append(["合计", total, _share(total, total), sum(c.closed for c in found)])
    text = f"本期共受理效能投诉{total}件，按问题类别分布如下（办结数截至{chinese_date(reader.period.last)}）。"
    headers = ["类别", "受理（件）", "占比", "已办结（件）"]
    return Section("分类情况", [text], [Sheet("分类情况", "投诉分类情况", headers, rows)])


def _bottom(reader: _Reader, on_time: IndicatorValues | None, satisfaction: IndicatorValues | None) -> Section:
    tables = [_rate_table(reader, on_time, "限时办结率"), _rate_table(reader, satisfaction, "办事群众满意率")]
    paragraphs = [f"按本期办结办件的限时办结率和办事群众评价的满意率，分别列出未达到100%的单位中排名最后的{BOTTOM}个"
                  "（比率相同的，办件多的列前）。"]
    paragraphs += [f"本期{table.name}没有低于100%的单位。" for table in tables if not table.rows]
    return Section("排名靠后单位", paragraphs, [table for table in tables if table.rows])


def _overdue(reader: _Reader, by_source: Sequence[dict[str | None, int]]) -> Section:
    units = {code for found in by_source for code in found}
    tallies = sorted(
        ((reader.name(code), [found.get(code, 0) for found in by_source]) for code in units),
        key=lambda tally: (-sum(tally[1]), tally[0]),
    )
    end = chinese_date(reader.period.last)
    if not tallies:
        return Section("逾期事项", [f"截至{end}，没有逾期事项。"])
    total = sum(sum(found.values()) for found in by_source)
    text = (f"截至{end}，各单位逾期事项共{total}件（本年度受理的办件、投诉和整改台账中超过时限仍未完成的），"
            "按单位统计如下。")
    rows: list[list[Cell]] = [[name, *tally, sum(tally)] for name, tally in tallies]
    headers = ["单位", "超期未办结办件", "超期未办结投诉", "逾期未完成整改事项", "合计"]
    return Section("逾期事项", [text], [Sheet("逾期事项", "逾期事项（按单位）", headers, rows)])


def _hot(categories: list[CategoryCount], four_chaos: list[CategoryCount]) -> tuple[Section, list[str]]:
    total = sum(c.received for c in categories)
    top = [c for c in categories if c.received][:HOT]
    names = [CATEGORIES.get(c.key, c.key) for c in top]
    if not top:
        return Section("热点问题", ["本期未受理效能投诉。"]), names
    parts = "、".join(f"{CATEGORIES.get(c.key, c.key)}{c.received}件（占{_percent(c.received / total)}）" for c in top)
    paragraphs = [f"本期投诉反映最集中的问题是：{parts}。"]
    if four_chaos:
        kinds = "、".join(f"{FOUR_CHAOS.get(c.key, c.key)}{c.received}件" for c in four_chaos)
        paragraphs.append(f"“四乱”问题：{kinds}。")
    return Section("热点问题", paragraphs), names


def _next_steps(bottom: Sequence[str], hot: Sequence[str], overdue: bool) -> Section:
    steps = []
    if bottom:
        steps.append(f"排名靠后的{'、'.join(bottom)}要认真查找原因，制定整改措施，切实提高办事效率和服务质量。")
    if overdue:
        steps.append("各单位要对超期未办结的办件、投诉逐件清理，限期办结；逾期未完成的整改事项要倒排工期，按时销号。")
    if hot:
        steps.append(f"针对{'、'.join(hot)}等群众反映集中的问题，相关单位要举一反三，建立健全长效机制。")
    steps.append("各单位要按时上报各类工作台账，确保数据真实、准确、完整。")
    return Section("下一步工作要求", [f"{index}. {step}" for index, step in enumerate(steps, start=1)])


def bulletin(session: Session, registry: Registry, config: Config, period: Period) -> Bulletin:
    """The bulletin of ``period`` (a week or a month of the campaign year)."""
    reader = _Reader(session, registry, config, period)
    on_time = reader.indicator(ON_TIME, reader.scope)
    satisfaction = reader.indicator(SATISFACTION, reader.scope)
    rectification = reader.indicator(RECTIFICATION_OVERDUE, reader.to_date)
    overdue = [
        counts.overdue_cases_by_unit(session, reader.scope, reader.to_date.start),
        counts.overdue_complaints_by_unit(session, reader.scope, reader.to_date.start),
        {b.key: int(b.value or 0) for b in (rectification.by_unit if rectification else []) if b.value},
    ]
    categories = counts.complaints_by_category(session, reader.scope)
    four_chaos = counts.complaints_by_four_chaos(session, reader.scope)
    bottom_section = _bottom(reader, on_time, satisfaction)
    bottom_names = list(dict.fromkeys(str(row[1]) for table in bottom_section.tables for row in table.rows))
    hot_section, hot_names = _hot(categories, four_chaos)
    overdue_section = _overdue(reader, overdue)
    sections = [
        _overall(reader, on_time, satisfaction, reader.measure(CALLBACK_SATISFACTION, reader.scope),
                 sum(overdue[0].values())),
        _categories(reader, categories),
        bottom_section,
        overdue_section,
        hot_section,
        _next_steps(bottom_names, hot_names, bool(overdue_section.tables)),
    ]
    numbered = [
        Section(f"{chinese_numeral(no)}、{s.heading}", s.paragraphs, s.tables) for no, s in enumerate(sections, 1)
    ]
    campaign = reader.campaign
    return Bulletin(
        title=f"{campaign.name}情况通报（{period.year}年第{period.number}期）",
        subtitle=f"{KINDS[period.kind]} · {period.label}",
        issuer=f"{campaign.name}领导小组办公室",
        issued_on=utcnow().astimezone(ZoneInfo(campaign.timezone)).date(),
        period=period,
        sections=numbered,
    )
