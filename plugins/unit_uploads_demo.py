"""Demo ledgers (单位上报) for ``storm demo``: the files the campaign's offices would have sent by today.

Drawn from the seed for the twelve templates of :mod:`plugins.unit_uploads`, over the campaign
from its first day to today (to the end of its first month before it has begun, to the end of
the year once that is over): a monthly ledger for each month a unit has something to report,
a yearly one for the year, the others once. Most units keep up; about one in eight lags behind
(duties done after their phase or not at all, rectification items past their 时限, milestones
late, no disclosure catalogue or power list, low appraisal scores), so indicators, alerts and the
units page show every state. Every column an indicator reads is filled: each duty is dated in
the phase the plan puts it in (or late), rectification items done have their 整改效果 and most
are checked, every key law-enforcement department is appraised before 总结测评, the bottom three
mostly get their 诫勉谈话, and the accountability ledger names most of the complaints the demo
complaint line found true (drawn from the same seed).

The files are named as the ``uploads`` collector's inbox wants them and written through the
templates' own columns: GBK CSV as Excel exports it, and the ledgers naming other units, which
the supervising office (the first unit whose name has 纪委 or 监察) uploads, as the template's
workbook filled in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from collectors import DemoContext, DemoFiles, DemoUnit, hookimpl
from collectors.parsing import LOCAL_TIME
from collectors.template_files import csv_bytes, shown_values, xlsx_bytes
from collectors.templates import CAMPAIGN_PERIOD, UploadTemplate
from plugins.complaints_demo import SERVICES, SURNAMES, broadcast_days, generate
from plugins.unit_uploads import COMPLAINT_CATEGORIES, TEMPLATES, UnitUploads

Row = dict[str, Any]
MOBILISE, SELF_CHECK, RECTIFY, EVALUATE = (0, 9), (10, 49), (50, 162), (163, 202)
"""Phases of the campaign in days from its first day (动员部署, 自查自纠, 整改推进, 总结测评), as the default
campaign has them (06-01..06-10, 06-11..07-20, 07-21..11-10, 11-11..12-20)."""
DUTIES = (
    ("动员部署大会", MOBILISE, "机关效能风暴行动动员部署大会"), ("宣传专栏", MOBILISE, "效能风暴行动宣传专栏"),
    ("回头看活动", SELF_CHECK, "作风建设“回头看”活动"), ("修订完善制度", SELF_CHECK, "修订完善岗位责任制等效能建设制度"),
    ("六查六看", SELF_CHECK, "“六查六看”自查"), ("整改方案", RECTIFY, "机关效能建设整改方案"),
    ("自查自验报告", EVALUATE, "专项行动自查自验情况报告"),
)
"""The duties of the default campaign: activity type, the phase it is due in, and its name in the ledger."""
PROMPT_DAYS = 15
"""A duty done on time is done within this many days of its phase's start (the plan says 迅速)."""
APPRAISED, LAST_APPRAISED = RECTIFY[1] - 60, RECTIFY[1] - 45
"""When the key departments are appraised, in days from the campaign's first day: all but one on the first,
the last on the second (the ranking is provisional in between and final well before 总结测评)."""
ACTIONED = 0.9
"""Share of a unit's complaints found true in a month that it is held to account for (a lagging unit: half)."""
ADMONISHED = 2
"""How many of the bottom three of the 政风行风评议 get their 诫勉谈话 (the other is a follow-through alert)."""
LATE_DUTY = 0.04
"""Chance that a unit keeping up does a duty after its phase (a lagging unit: one duty late, one left out)."""
LAGGING_SHARE = 0.12
TEMPLATES_BY_ID = {template.id: template for template in TEMPLATES}
ISSUES = {category: [issue for s in SERVICES if s.category.startswith(category) for issue in s.issues]
          for category in COMPLAINT_CATEGORIES}
"""What inspections find and accountability is for: the demo complaint line's issues by category."""
EDUCATION = ("理想信念教育", "思想解放讨论", "典型示范教育")
TOPICS = ("窗口服务", "审批时限", "行政执法", "公共资源交易", "社会保障", "城市管理", "教育医疗", "营商环境")
METHODS = {"效能告诫": 60, "通报批评": 25, "降低考核等次": 5, "调整岗位": 5, "待岗": 3, "党纪政纪处分": 2}
"""How complaints found true are dealt with; 诫勉谈话 is kept for the bottom three of the 政风行风评议."""
POWERS = (
    ("日常监督检查", "《行政处罚法》第五十四条"), ("警告、罚款", "《行政处罚法》第九条"),
    ("查封、扣押场所设施财物", "《行政强制法》第九条"), ("责令限期改正", "《行政处罚法》第二十八条"),
    ("行政许可事项监督检查", "《行政许可法》第六十一条"), ("投诉举报核查处理", "《行政处罚法》第五十四条"),
)
MILESTONES = (
    (1, "召开动员部署大会", 8), (1, "开展作风建设“回头看”活动", 45), (9, "编制并公布办事公开目录", 60),
    (17, "制定细化整改方案", 75), (3, "组织业务知识测试", 100), (17, "完成制度修订完善", 120),
    (17, "报送整改工作总结", 175),
)
"""Task, milestone and its planned day (from the campaign's first day)."""
PROBLEMS = (
    ("办事指南更新不及时", "每月核对更新办事指南", "指南准确率100%"),
    ("窗口服务态度生硬", "开展文明服务培训，实行服务评价", "群众满意率98%以上"),
    ("部分事项超时办结", "实行限时办结督办和超时预警", "按时办结率98%以上"),
    ("一次性告知不到位", "编制一次性告知清单", "补正材料不超过一次"),
    ("会议活动偏多", "精简会议和庆典活动", "会议数量压减30%"),
    ("制度执行不严格", "修订考勤和首问负责制度", "制度执行检查全覆盖"),
    ("上班纪律松散", "严格考勤并定期通报", "明察暗访无违纪"),
    ("信息公开不及时", "落实信息公开审核发布制度", "按期公开率100%"),
)
"""Problem, measure and goal of a rectification item."""
PROMISES = ("办事不超过承诺时限", "首问负责、一次性告知", "不推诿、不刁难、不吃拿卡要", "周末预约延时服务")
ENTERPRISES = [f"示范区{a}{b}有限公司" for a in ("恒通", "华兴", "金穗", "宏达", "新源", "瑞丰", "博远", "嘉禾")
               for b in ("食品", "建材", "机械", "物流", "电子")]


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


class Plan:
    """What every ledger is drawn against: the units, the campaign's days so far, who lags behind."""

    def __init__(self, context: DemoContext, today: dt.date) -> None:
        self.units: Sequence[DemoUnit] = context.units
        self.seed = context.seed
        self.start = context.starts_on or dt.date(context.year, 1, 1)
        self.as_of = min(max(today, month_end(self.start)), dt.date(context.year, 12, 31))
        self.months = [self.start.replace(day=1)]
        while month_end(self.months[-1]) < self.as_of:
            self.months.append(month_end(self.months[-1]) + dt.timedelta(days=1))
        codes = [unit.code for unit in self.units]
        self.lagging = set(self.rng("lagging").sample(codes, round(len(codes) * LAGGING_SHARE)))
        watchers = [unit for unit in self.units if "纪委" in unit.name or "监察" in unit.name]
        self.supervisor = (watchers or list(self.units))[0].code

    def rng(self, name: str) -> random.Random:
        """A generator of its own for each ledger, so that one ledger's draws never shift another's."""
        return random.Random(f"{self.seed}/{name}")

    def lags(self, unit: DemoUnit) -> bool:
        return unit.code in self.lagging

    def after(self, days: int) -> dt.date:
        return self.start + dt.timedelta(days=days)

    def day(self, rng: random.Random, days: tuple[int, int]) -> dt.date:
        """A day between ``days`` (first, last) after the campaign's first day."""
        return self.after(rng.randint(*days))

    def in_month(self, rng: random.Random, month: dt.date) -> dt.date:
        """A day of ``month`` in the campaign so far."""
        first, last = max(month, self.start), min(month_end(month), self.as_of)
        return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))

    def unit_drawn(self, rng: random.Random) -> DemoUnit:
        """A unit, the lagging ones three times as often."""
        return rng.choices(self.units, [3 if self.lags(unit) else 1 for unit in self.units])[0]

    def done_on(self, rng: random.Random, due: dt.date, on_time: float) -> dt.date | None:
        """When an item due on ``due`` was done as of today: by then with ``on_time``, else late or not yet."""
        if due > self.as_of:
            early = due - dt.timedelta(days=rng.randint(1, 30))
            return early if early <= self.as_of and rng.random() < 0.25 else None
        if rng.random() < on_time:
            return max(self.start, due - dt.timedelta(days=rng.randint(0, 10)))
        late = due + dt.timedelta(days=rng.randint(2, 15))
        return late if late <= self.as_of and rng.random() < 0.5 else None


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)}某某"


def score(rng: random.Random, base: float) -> float:
    return round(min(100.0, max(0.0, rng.gauss(base, 2.5))), 1)


# --- the rows of each template (field → value as stored, units by code) ---------------------


def duties(plan: Plan, unit: DemoUnit, rng: random.Random) -> Iterator[tuple[str, dt.date, str]]:
    """The unit's duties, each early in its phase; now and then one a day to three weeks after the phase,
    and at a lagging unit one late and one never done."""
    late: set[int] = set()
    left_out: set[int] = set()
    if plan.lags(unit):
        late, left_out = ({index} for index in rng.sample(range(len(DUTIES)), 2))
    else:
        late = {index for index in range(len(DUTIES)) if rng.random() < LATE_DUTY}
    for index, (kind, phase, name) in enumerate(DUTIES):
        if index not in left_out:
            prompt = (phase[0], min(phase[1], phase[0] + PROMPT_DAYS))
            day = plan.after(phase[1] + rng.randint(1, 20)) if index in late else plan.day(rng, prompt)
            yield kind, day, name


def activities(plan: Plan) -> Iterator[Row]:
    """The duties (:func:`duties`) and party education in the first phase; later, in one month of the
    rectification phase, more education, a review meeting, a lecture and a test (a lagging unit leaves
    one out). Some 庆典, 研讨会 and 论坛 here and there, and the supervising office's radio programme
    on its eight days."""
    rng = plan.rng("activities")
    later = [month for month in plan.months if month >= plan.after(RECTIFY[0])]
    for unit in plan.units:
        held = [*duties(plan, unit, rng), ("党性教育", plan.day(rng, MOBILISE), "党性党风党纪专题党课")]
        if later:
            month = rng.choice(later)
            extra = [(rng.choice(EDUCATION), "专题学习教育"), (rng.choice(("民主生活会", "作风剖析会")), "专题会议"),
                     ("业务讲座", "业务知识讲座"), ("知识测试", "效能建设知识测试")]
            if plan.lags(unit):
                extra.pop(rng.randrange(len(extra)))
            held += [(kind, plan.in_month(rng, month), name) for kind, name in extra]
        for kind, day, name in held:
            participants = rng.randint(20, 120)
            passed = round(participants * rng.uniform(0.8, 1.0)) if kind == "知识测试" else None
            yield {"unit": unit.code, "date": day, "type": kind, "name": name,
                   "participants": participants, "passed": passed, "status": "已完成", "note": None}
    for number in range(1, rng.randint(12, 22) + 1):
        unit = rng.choice(plan.units)
        yield {"unit": unit.code, "date": plan.in_month(rng, rng.choice(plan.months)),
               "type": rng.choice(("庆典", "研讨会", "论坛")), "name": f"{unit.name}专题活动{number}",
               "participants": rng.randint(30, 200), "passed": None, "status": None, "note": None}
    for number, day in enumerate(broadcast_days(plan.start.year), start=1):
        yield {"unit": plan.supervisor, "date": day, "type": "热线节目", "name": f"政风行风热线第{number}期：{TOPICS[number - 1]}",
               "participants": None, "passed": None, "status": "已完成", "note": None}


def badges(plan: Plan) -> Iterator[Row]:
    """The window and law-enforcement departments' report as of today: now and then a badge missing."""
    rng = plan.rng("badges")
    for unit in plan.units:
        if unit.window or unit.enforcement:
            on_duty = rng.randint(8, 60)
            missing = rng.randint(1, 3) if plan.lags(unit) else int(rng.random() < 0.1)
            yield {"unit": unit.code, "date": plan.as_of, "on_duty": on_duty, "badged": on_duty - missing}


def inspections(plan: Plan) -> Iterator[Row]:
    """Three to six findings a month; most of those two weeks old rectified, fewer at lagging units."""
    rng = plan.rng("inspections")
    for month in plan.months:
        for _ in range(rng.randint(3, 6)):
            unit, day = plan.unit_drawn(rng), plan.in_month(rng, month)
            kind = rng.choices(COMPLAINT_CATEGORIES, (4, 2, 2, 1, 3, 1))[0]
            fixed_on = day + dt.timedelta(days=rng.randint(2, 15))
            fixed = fixed_on <= plan.as_of and rng.random() < (0.6 if plan.lags(unit) else 0.92)
            yield {"date": day, "unit": unit.code, "problem_type": kind,
                   "description": f"{unit.name}{rng.choice(ISSUES[kind])}", "rectified": fixed,
                   "rectified_on": fixed_on if fixed else None}


def honours(plan: Plan) -> Iterator[Row]:
    """One or two titles for about one unit in five of those keeping up."""
    rng = plan.rng("honours")
    titles = TEMPLATES_BY_ID["honours"].column("title").choices or ()
    for unit in plan.units:
        if not plan.lags(unit) and rng.random() < 0.2:
            for title in rng.sample(titles, rng.randint(1, 2)):
                yield {"unit": unit.code, "date": plan.day(rng, RECTIFY), "title": title,
                       "recipient": rng.choice((f"{unit.name}服务窗口", f"{unit.name}综合科", person(rng)))}


def disclosures(plan: Plan) -> Iterator[Row]:
    """A catalogue from each unit once published, but from only about half of the lagging ones."""
    rng = plan.rng("disclosures")
    for unit in plan.units:
        published = plan.day(rng, (SELF_CHECK[0], RECTIFY[0]))
        if published <= plan.as_of and not (plan.lags(unit) and rng.random() < 0.5):
            yield {"unit": unit.code, "catalog": f"{unit.name}办事公开目录", "items": rng.randint(20, 160),
                   "published_on": published, "url": f"http://{unit.code}.example.gov.cn/gk"}


def appraisals(plan: Plan) -> Iterator[Row]:
    """The 政风行风评议 of every key law-enforcement department in the rectification phase (the lagging
    ones at the bottom; the last one appraised two weeks after the others) and every unit's 民主测评
    in the last phase."""
    rng = plan.rng("appraisals")
    key = [unit for unit in plan.units if unit.key_enforcement]
    last = rng.choice(key) if key else None
    for unit in key:
        base = rng.uniform(70, 80) if plan.lags(unit) else rng.uniform(83, 95)
        for rater in ("服务对象", "人大代表", "政协委员", "企业代表", "特邀监督员"):
            yield {"unit": unit.code, "category": "政风行风评议", "rater": rater, "score": score(rng, base),
                   "date": plan.after(LAST_APPRAISED if unit == last else APPRAISED)}
    for unit in plan.units:
        base = rng.uniform(74, 84) if plan.lags(unit) else rng.uniform(85, 96)
        for rater in ("服务对象", "人大代表、政协委员", "机关干部"):
            yield {"unit": unit.code, "category": "民主测评", "rater": rater, "score": score(rng, base),
                   "date": plan.after(EVALUATE[0] + 7)}


def power_lists(plan: Plan) -> Iterator[Row]:
    """Each law-enforcement department's list once published; half the lagging ones publish none, the
    others none with a discretion benchmark."""
    rng = plan.rng("power_lists")
    for unit in plan.units:
        published = plan.day(rng, (15, 75))
        if not unit.enforcement or published > plan.as_of or (plan.lags(unit) and rng.random() < 0.5):
            continue
        for index, (item, basis) in enumerate(rng.sample(POWERS, rng.randint(3, 5))):
            benchmark = not plan.lags(unit) and (index == 0 or rng.random() < 0.9)
            yield {"unit": unit.code, "item": item, "basis": basis, "discretion": benchmark, "published_on": published}


def task_breakdown(plan: Plan) -> Iterator[Row]:
    """Four milestones a unit, done on time, late or not yet; some lagging units send none."""
    rng = plan.rng("task_breakdown")
    for unit in plan.units:
        if plan.lags(unit) and rng.random() < 0.4:
            continue
        for task_no, milestone, offset in sorted(rng.sample(MILESTONES, 4), key=lambda m: m[2]):
            planned = plan.day(rng, (offset - 3, offset + 3))
            done = plan.done_on(rng, planned, 0.5 if plan.lags(unit) else 0.88)
            status = "已完成" if done else "进行中" if planned - plan.as_of < dt.timedelta(days=30) else "未开始"
            yield {"task_no": task_no, "unit": unit.code, "owner": person(rng), "milestone": milestone,
                   "planned_on": planned, "done_on": done, "status": status}


def rectification(plan: Plan) -> Iterator[Row]:
    """Two to four items a unit with 时限 through the rectification phase; the lagging units leave many
    undone. A done item has its 整改效果; the office has checked most of them (fewer at lagging units)."""
    rng = plan.rng("rectification")
    for unit in plan.units:
        for problem, measure, goal in rng.sample(PROBLEMS, rng.randint(2, 4)):
            deadline = plan.day(rng, (RECTIFY[0] - 5, EVALUATE[1] - 10))
            done = plan.done_on(rng, deadline, 0.35 if plan.lags(unit) else 0.93)
            status = "已完成" if done else "整改中" if deadline - plan.as_of < dt.timedelta(days=60) else "未开始"
            checked = done is not None and rng.random() < (0.5 if plan.lags(unit) else 0.85)
            yield {"unit": unit.code, "problem": problem, "measure": measure, "goal": goal, "deadline": deadline,
                   "owner": person(rng), "status": status, "done_on": done,
                   "effect": f"已达到“{goal}”" if done else None, "effect_checked": checked if done else None}


def _verified(plan: Plan) -> dict[tuple[str, dt.date], list[tuple[str, dt.date]]]:
    """The demo complaint line's complaints received in the campaign and found true (查实) a week or more
    before today, drawn from the same seed: (unit, month found) → [(complaint id, day found)]."""
    found: dict[tuple[str, dt.date], list[tuple[str, dt.date]]] = {}
    for complaint in generate(plan.units, plan.start.year, plan.seed):
        verified = [version.closed_at for version in complaint.versions if version.verified and version.closed_at]
        if verified and complaint.received_at.astimezone(LOCAL_TIME).date() >= plan.start:
            day = verified[0].astimezone(LOCAL_TIME).date()
            if day <= plan.as_of - dt.timedelta(days=7):
                found.setdefault((complaint.unit.code, day.replace(day=1)), []).append((complaint.id, day))
    return found


def bottom_three(plan: Plan) -> list[str]:
    """The key departments with the three lowest mean 政风行风评议 scores, lowest first."""
    scores: dict[str, list[float]] = {}
    for row in appraisals(plan):
        if row["category"] == "政风行风评议":
            scores.setdefault(row["unit"], []).append(row["score"])
    return sorted(scores, key=lambda code: sum(scores[code]) / len(scores[code]))[:3]


def accountability(plan: Plan) -> Iterator[Row]:
    """For each unit and month, an action naming most of the complaints found true that month (fewer at
    lagging units); two or three 效能告诫 a month for what inspections found; and the 诫勉谈话 of two of
    the bottom three of the 政风行风评议 a week after it was complete."""
    rng = plan.rng("accountability")
    kinds = ("一般干部", "一般干部", "领导干部", "单位")
    by_code = {unit.code: unit for unit in plan.units}
    for (code, _), found in sorted(_verified(plan).items()):
        named = [(number, day) for number, day in found
                 if rng.random() < (0.5 if plan.lags(by_code[code]) else ACTIONED)]
        if named:
            yield {"date": min(plan.as_of, max(day for _, day in named) + dt.timedelta(days=rng.randint(1, 6))),
                   "unit": code, "subject_kind": rng.choice(kinds),
                   "method": rng.choices(list(METHODS), list(METHODS.values()))[0],
                   "reason": "效能投诉查证属实", "complaint_ids": "，".join(number for number, _ in named)}
    for month in plan.months:
        for _ in range(rng.randint(2, 3)):
            yield {"date": plan.in_month(rng, month), "unit": plan.unit_drawn(rng).code,
                   "subject_kind": rng.choice(kinds), "method": "效能告诫",
                   "reason": rng.choice(ISSUES[rng.choice(COMPLAINT_CATEGORIES)]), "complaint_ids": None}
    admonished = plan.after(LAST_APPRAISED + 7)
    if admonished <= plan.as_of:
        for code in bottom_three(plan)[:ADMONISHED]:
            yield {"date": admonished, "unit": code, "subject_kind": "领导干部", "method": "诫勉谈话",
                   "reason": "政风行风评议排名后三名", "complaint_ids": None}


def monitoring_points(plan: Plan) -> Iterator[Row]:
    """Ten enterprises set up in the first weeks, reporting at some month ends."""
    rng = plan.rng("monitoring_points")
    for enterprise in rng.sample(ENTERPRISES, 10):
        supervisor, set_up = person(rng), plan.day(rng, (5, 25))
        reports = [end for end in map(month_end, plan.months) if set_up < end <= plan.as_of and rng.random() < 0.6]
        for reported in reports or [None]:
            yield {"enterprise": enterprise, "supervisor": supervisor, "set_up_on": set_up, "reported_on": reported,
                   "problems": rng.choice((0, 0, 1, 1, 2, 3)) if reported else 0}


def commitments(plan: Plan) -> Iterator[Row]:
    """One to three cadres' public commitments from nearly every unit early in the rectification phase
    (about half the lagging units publish none)."""
    rng = plan.rng("commitments")
    for unit in plan.units:
        if rng.random() < (0.5 if plan.lags(unit) else 0.03):
            continue
        for promise in rng.sample(PROMISES, rng.randint(1, 3)):
            day = plan.day(rng, (RECTIFY[0], RECTIFY[0] + 30))
            if day <= plan.as_of:
                yield {"unit": unit.code, "person": person(rng), "content": promise,
                       "channel": rng.choice(("公示栏", "门户网站", "媒体")), "date": day}


MAKERS: dict[str, Callable[[Plan], Iterator[Row]]] = {
    "activities": activities, "badges": badges, "inspections": inspections, "honours": honours,
    "disclosures": disclosures, "appraisals": appraisals, "power_lists": power_lists,
    "task_breakdown": task_breakdown, "rectification": rectification, "accountability": accountability,
    "monitoring_points": monitoring_points, "commitments": commitments,
}
"""How the rows of each template are drawn."""


# --- ledgers and files ------------------------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    """One file's worth: its template, the uploading unit, the period and the rows."""

    template: UploadTemplate
    unit: str
    period: str
    rows: list[Row]


def _period(template: UploadTemplate, row: Row) -> str:
    if template.period == CAMPAIGN_PERIOD or template.period_field is None:
        return CAMPAIGN_PERIOD
    day = row[template.period_field]
    return f"{day:%Y-%m}" if template.period == "month" else f"{day:%Y}"


def ledgers(plan: Plan) -> list[Ledger]:
    """Every template's rows dated up to today, one ledger per uploading unit and period (a row drawn twice, once)."""
    found: dict[tuple[str, str, str], Ledger] = {}
    for template_id, make in MAKERS.items():
        template = TEMPLATES_BY_ID[template_id]
        seen: set[tuple[Any, ...]] = set()
        for row in make(plan):
            key = tuple(row[field] for field in template.key or row)
            if key in seen or (template.period_field and row[template.period_field] > plan.as_of):
                continue
            seen.add(key)
            unit = row[template.unit_column] if template.row_unit == "own" and template.unit_column else plan.supervisor
            where = (template_id, unit, _period(template, row))
            found.setdefault(where, Ledger(template, unit, where[2], [])).rows.append(row)
    return list(found.values())


def ledger_file(ledger: Ledger, names: dict[str, str]) -> tuple[str, bytes]:
    """The file an office drops in: GBK CSV, or the template's workbook for a ledger naming other units."""
    template = ledger.template
    units = [column.field for column in template.columns if column.type == "unit"]
    values = [shown_values(template, {**row, **{field: names[row[field]] for field in units}}) for row in ledger.rows]
    stem = f"{template.id}__{ledger.unit}__{ledger.period}"
    if template.row_unit == "any":
        return f"{stem}.xlsx", xlsx_bytes(template, values, units=list(names.values()))
    return f"{stem}.csv", csv_bytes(template.headers, values).decode("utf-8-sig").encode("gbk")


class UnitUploadsDemo:
    """The demo inbox of the ``uploads`` collector as of ``today`` (default: today in Beijing)."""

    def __init__(self, context: DemoContext, today: dt.date | None = None) -> None:
        self.context = context
        self.today = today

    def files(self) -> dict[str, bytes]:
        """File name → content."""
        if not self.context.units:
            return {}
        plan = Plan(self.context, self.today or dt.datetime.now(LOCAL_TIME).date())
        names = {unit.code: unit.name for unit in self.context.units}
        return dict(ledger_file(ledger, names) for ledger in ledgers(plan))


@hookimpl
def storm_demo_sources(context: DemoContext) -> list[DemoFiles]:
    return [DemoFiles(name="单位上报台账", folder="demo-inbox", files=UnitUploadsDemo(context).files,
                      collector=UnitUploads.name, setting="inbox")]
