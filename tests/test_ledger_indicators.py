"""The indicators fed by the office uploads, against small hand-made ledgers uploaded as offices do.

Every expected value is worked out next to its assertion. The scope is the first half of
2026 in Beijing time: local days 2026-01-01 to 2026-06-30. It has ended, so deadlines are
judged on 2026-07-01 (a deadline of 06-30 has passed). The default campaign names every
unit (44) as responsible for tasks 1, 3, 9 and 17, has 14 law-enforcement departments, 11
of them key ones, and a baseline of 40 庆典/研讨会/论坛 events.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import update

from collectors.config import Config
from collectors.report import campaign_scope, scope_of
from collectors.templates import Column
from collectors.uploads import ingest
from models import indicators
from models.campaign import Campaign, IndicatorTarget
from models.campaign_file import read_campaign
from models.indicators import IndicatorValues, Scope
from plugins.ledger_indicators import storm_indicators
from plugins.ledger_measures import MEASURES
from plugins.ledger_measures.common import judged_on
from tests.test_complaints_indicators import assert_ratio, complaint, insert, keyed
from tests.upload_samples import csv_file

D = dt.date
UTC = dt.UTC
SCOPE = Scope(start=dt.datetime(2025, 12, 31, 16, tzinfo=UTC), end=dt.datetime(2026, 6, 30, 16, tzinfo=UTC))
UNITS = 44
ENFORCEMENT = 14
KEY_ENFORCEMENT = 11
BASELINE_EVENTS = 40


def cell(column: Column, value: Any) -> str:
    """A value as a clerk types it; units by code."""
    if value is None:
        return ""
    if column.type == "yesno":
        return (column.words or ())[0 if value else 1]
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def upload(store, registry, template_id: str, unit: str, period: str, rows: list[dict[str, Any]]) -> None:
    """Upload ``rows`` (field → value, missing fields empty) as ``unit``'s CSV for ``period``."""
    template = registry.upload_template(template_id)
    table = [template.headers] + [[cell(c, row.get(c.field)) for c in template.columns] for row in rows]
    with store.begin() as session:
        result = ingest(session, registry, template_id, unit, period, f"{template_id}.csv", csv_file(table), None)
    assert result.status == "stored", [problem.as_json() for problem in result.problems]


def compute(store, indicator: str, scope: Scope = SCOPE) -> IndicatorValues:
    with store.begin() as session:
        return indicators.compute(session, MEASURES[indicator], scope)


def counts(breakdowns) -> dict[str, float]:
    return {b.key: b.value for b in breakdowns}


def covered(values: IndicatorValues) -> dict[str, float]:
    """The units a coverage counts as covered (num 1)."""
    return {b.key: b.value for b in values.by_unit if b.value}


def test_the_plugin_declares_every_indicator_the_campaign_feeds_from_uploads():
    declared = {item["id"]: tuple(item["sources"]) for item in read_campaign().data["indicators"]}
    from_uploads = {key: sources for key, sources in declared.items() if "uploads" in sources}
    specs = {spec.id: spec.sources for spec in storm_indicators()}
    assert specs == from_uploads
    assert specs["T18.verified_actioned_rate"] == ("complaints", "uploads")
    assert len(specs) == 26


def test_without_uploads_no_indicator_has_a_value_not_even_a_count(store):
    insert(store, [complaint("v1", unit="dsz", received=dt.datetime(2026, 3, 1, tzinfo=UTC), verified=True)])
    for indicator in MEASURES:
        values = compute(store, indicator)
        assert (values.value, values.by_unit, values.by_month) == (None, [], []), indicator


def test_a_count_is_zero_once_its_ledger_holds_rows(store, registry):
    upload(store, registry, "activities", "dsz", "2026-06", [activity("dsz", D(2026, 6, 5), "宣传专栏")])
    assert compute(store, "T12.episodes").value == 0, "activities uploaded, but no 热线节目 among them"
    assert compute(store, "T03.honours").value is None, "the honours ledger is still empty"


# --- activities: tasks 1, 3, 10, 12 and the duties due by the end of their phase -------------------


def activity(unit: str, day: dt.date, kind: str, status: str | None = "已完成", **counts: int) -> dict[str, Any]:
    return dict(unit=unit, date=day, type=kind, name=f"{kind}{day:%m%d}", status=status, **counts)


@pytest.fixture
def activities(store, registry):
    upload(store, registry, "activities", "dsz", "2026-06", [
        activity("dsz", D(2026, 6, 1), "党性教育"),
        activity("dsz", D(2026, 6, 2), "理想信念教育", status=None),  # no status: held
        activity("dsz", D(2026, 6, 3), "民主生活会"),
        activity("dsz", D(2026, 6, 4), "业务讲座"),
        activity("dsz", D(2026, 6, 5), "知识测试", participants=80, passed=72),
        activity("dsz", D(2026, 6, 6), "庆典"),
        activity("dsz", D(2026, 6, 30), "热线节目"),
    ])
    upload(store, registry, "activities", "xhz", "2026-05", [
        activity("xhz", D(2026, 5, 1), "党性教育"),
        activity("xhz", D(2026, 5, 2), "思想解放讨论", status="计划中"),  # planned: not held
        activity("xhz", D(2026, 5, 3), "作风剖析会", status="已取消"),  # cancelled: not held
        activity("xhz", D(2026, 5, 4), "知识测试", participants=50, passed=40),
        activity("xhz", D(2026, 5, 5), "知识测试", participants=30),  # no pass count: not in the rate
        activity("xhz", D(2026, 5, 6), "研讨会"),
        activity("xhz", D(2026, 5, 7), "论坛"),
        activity("xhz", D(2026, 5, 8), "热线节目"),
        activity("xhz", D(2026, 5, 9), "热线节目"),
    ])
    # Outside the scope: the year before, and July.
    upload(store, registry, "activities", "nlz", "2025-12", [
        activity("nlz", D(2025, 12, 1), "党性教育"), activity("nlz", D(2025, 12, 2), "典型示范教育"),
        activity("nlz", D(2025, 12, 3), "庆典"), activity("nlz", D(2025, 12, 4), "热线节目"),
    ])
    upload(store, registry, "activities", "dsz", "2026-07", [
        activity("dsz", D(2026, 7, 1), "论坛"), activity("dsz", D(2026, 7, 2), "知识测试", participants=10, passed=0),
    ])


def test_t01_education_coverage_needs_two_education_activities(store, activities):
    values = compute(store, "T01.education_coverage")
    assert_ratio(values, 1, UNITS)  # dsz (党性教育, 理想信念教育); xhz held one, nlz's two were in 2025
    assert covered(values) == {"dsz": 1}
    assert len(values.by_unit) == UNITS and keyed(values.by_unit)["xhz"].value == 0
    assert values.by_month == []


def test_t01_review_meetings(store, activities):
    values = compute(store, "T01.review_meetings")
    assert_ratio(values, 1, UNITS)  # dsz's 民主生活会; xhz's 作风剖析会 was cancelled
    assert covered(values) == {"dsz": 1}


def test_t03_training_coverage(store, activities):
    values = compute(store, "T03.training_coverage")
    assert_ratio(values, 2, UNITS)  # dsz (业务讲座, 知识测试), xhz (知识测试)
    assert covered(values) == {"dsz": 1, "xhz": 1}


def test_t03_test_pass_rate(store, activities):
    values = compute(store, "T03.test_pass_rate")
    assert_ratio(values, 72 + 40, 80 + 50)  # xhz's test without a pass count and dsz's July test left out
    units = keyed(values.by_unit)
    assert_ratio(units["dsz"], 72, 80)
    assert_ratio(units["xhz"], 40, 50)
    assert [(b.key, b.numerator, b.denominator) for b in values.by_month] == [("2026-05", 40, 50), ("2026-06", 72, 80)]


def test_t10_event_reduction_against_the_campaign_baseline(store, activities):
    values = compute(store, "T10.event_reduction")
    events = 3  # dsz's 庆典, xhz's 研讨会 and 论坛 (not nlz's 2025 庆典 nor dsz's July 论坛)
    assert (values.numerator, values.denominator) == (events, BASELINE_EVENTS)
    assert values.value == pytest.approx(1 - 3 / 40)
    assert values.by_unit == values.by_month == []  # the baseline is district-wide and yearly


def test_t10_event_reduction_without_a_baseline_has_no_value(store, activities):
    with store.begin() as session:
        session.execute(update(Campaign).values(baseline_events=None))
    assert compute(store, "T10.event_reduction").value is None


def test_t12_episodes(store, activities):
    values = compute(store, "T12.episodes")
    assert values.value == 3  # dsz 1, xhz 2; nlz's was in 2025
    assert counts(values.by_unit) == {"dsz": 1, "xhz": 2}
    assert counts(values.by_month) == {"2026-05": 2, "2026-06": 1}


REQUIRED_DUTIES = ("动员部署大会", "宣传专栏", "回头看活动", "整改方案", "修订完善制度")
YEAR_SCOPE = Scope(start=SCOPE.start, end=dt.datetime(2026, 12, 31, 16, tzinfo=UTC))
"""The whole of 2026: every phase has ended when it is judged (on 2027-01-01)."""
ON_TIME = {  # each required duty on the last day of the phase the plan puts it in
    "动员部署大会": D(2026, 6, 10),  # 动员部署 06-01 .. 06-10
    "宣传专栏": D(2026, 6, 10),
    "回头看活动": D(2026, 7, 20),  # 自查自纠 06-11 .. 07-20
    "修订完善制度": D(2026, 7, 20),
    "整改方案": D(2026, 11, 10),  # 整改推进 07-21 .. 11-10
}


def upload_by_month(store, registry, unit: str, rows: list[dict[str, Any]]) -> None:
    """Upload ``unit``'s activities as it would, one file per month."""
    for month in sorted({row["date"].strftime("%Y-%m") for row in rows}):
        upload(store, registry, "activities", unit, month, [r for r in rows if r["date"].strftime("%Y-%m") == month])


def test_x_required_duties_count_only_those_done_by_the_end_of_their_phase(store, registry):
    upload_by_month(store, registry, "bpz",  # all five on the last day of their phase
           [activity("bpz", day, kind) for kind, day in ON_TIME.items()])
    upload_by_month(store, registry, "qsz",  # 宣传专栏 a day late (06-11)
           [activity("qsz", D(2026, 6, 11) if kind == "宣传专栏" else day, kind) for kind, day in ON_TIME.items()])
    upload_by_month(store, registry, "cxz",  # 修订完善制度 never
           [activity("cxz", day, kind) for kind, day in ON_TIME.items() if kind != "修订完善制度"])
    upload_by_month(store, registry, "nlz",  # the fifth only planned
           [activity("nlz", day, kind, status="计划中" if kind == "整改方案" else "已完成")
            for kind, day in ON_TIME.items()])
    values = compute(store, "X.required_duties", YEAR_SCOPE)
    assert_ratio(values, 1, UNITS)  # bpz only; qsz late, cxz and nlz missing one
    assert covered(values) == {"bpz": 1}
    assert len(values.by_unit) == UNITS


def test_x_self_checks_are_due_in_their_phases(store, registry):
    upload_by_month(store, registry, "bpz", [
        activity("bpz", D(2026, 7, 20), "六查六看"),  # last day of 自查自纠
        activity("bpz", D(2026, 12, 20), "自查自验报告"),  # last day of 总结测评
    ])
    upload_by_month(store, registry, "qsz", [
        activity("qsz", D(2026, 7, 21), "六查六看"),  # a day late
        activity("qsz", D(2026, 12, 1), "自查自验报告"),
    ])
    values = compute(store, "X.self_checks", YEAR_SCOPE)
    assert_ratio(values, 1, UNITS)
    assert covered(values) == {"bpz": 1}


# --- badges, inspections, honours, disclosures, appraisals, power lists, monitoring points ----------


def test_t02_badge_rate_takes_each_departments_latest_report(store, registry):
    upload(store, registry, "badges", "fgw", "2026-05", [dict(unit="fgw", date=D(2026, 5, 31), on_duty=10, badged=10)])
    upload(store, registry, "badges", "fgw", "2026-06", [dict(unit="fgw", date=D(2026, 6, 30), on_duty=12, badged=11)])
    upload(store, registry, "badges", "fgw", "2026-07", [dict(unit="fgw", date=D(2026, 7, 1), on_duty=12, badged=0)])
    upload(store, registry, "badges", "cgzfj", "2026-06",  # a law-enforcement department, not a window
           [dict(unit="cgzfj", date=D(2026, 6, 15), on_duty=8, badged=8)])
    upload(store, registry, "badges", "dsz", "2026-06",  # a township: neither, left out
           [dict(unit="dsz", date=D(2026, 6, 15), on_duty=5, badged=1)])
    values = compute(store, "T02.badge_rate")
    assert_ratio(values, 11 + 8, 12 + 8)  # fgw's June report (July is after the scope), cgzfj's
    units = keyed(values.by_unit)
    assert set(units) == {"fgw", "cgzfj"}
    assert_ratio(units["fgw"], 11, 12)


def test_t02_inspection_fix_rate_in_the_inspected_unit(store, registry):
    upload(store, registry, "inspections", "jwjcj", "2026-06", [
        dict(date=D(2026, 6, 3), unit="scjgj", problem_type="庸懒散慢", description="玩手机", rectified=True,
             rectified_on=D(2026, 6, 10)),
        dict(date=D(2026, 6, 4), unit="scjgj", problem_type="服务态度", description="态度生硬", rectified=False),
        dict(date=D(2026, 6, 17), unit="gafj", problem_type="服务态度", description="敷衍推诿", rectified=False),
    ])
    upload(store, registry, "inspections", "jwjcj", "2025-12", [
        dict(date=D(2025, 12, 3), unit="gafj", problem_type="其他", description="去年的", rectified=True),
    ])
    values = compute(store, "T02.inspection_fix_rate")
    assert_ratio(values, 1, 3)
    units = keyed(values.by_unit)
    assert_ratio(units["scjgj"], 1, 2)
    assert_ratio(units["gafj"], 0, 1)
    assert [(b.key, b.numerator, b.denominator) for b in values.by_month] == [("2026-06", 1, 3)]


def test_t03_honours_count_by_unit_and_month(store, registry):
    upload(store, registry, "honours", "dsz", "2026", [
        dict(unit="dsz", date=D(2026, 3, 8), title="巾帼文明岗", recipient="社保窗口"),
        dict(unit="dsz", date=D(2026, 6, 1), title="岗位明星", recipient="张某"),
        dict(unit="dsz", date=D(2026, 8, 1), title="服务标兵", recipient="李某"),  # after the scope
    ])
    upload(store, registry, "honours", "xhz", "2026", [
        dict(unit="xhz", date=D(2026, 6, 9), title="优质服务窗口", recipient="便民服务中心"),
    ])
    values = compute(store, "T03.honours")
    assert values.value == 3
    assert counts(values.by_unit) == {"dsz": 2, "xhz": 1}
    assert counts(values.by_month) == {"2026-03": 1, "2026-06": 2}


def test_t09_catalog_coverage_counts_catalogues_published_by_the_end(store, registry):
    upload(store, registry, "disclosures", "dsz", "campaign",
           [dict(unit="dsz", catalog="目录", items=86, published_on=D(2025, 11, 15))])  # earlier still counts
    upload(store, registry, "disclosures", "xhz", "campaign",
           [dict(unit="xhz", catalog="目录", items=40, published_on=D(2026, 7, 10))])  # after the scope
    values = compute(store, "T09.catalog_coverage")
    assert_ratio(values, 1, UNITS)
    assert covered(values) == {"dsz": 1}


def appraisal(unit: str, score: float, rater: str = "服务对象", category: str = "政风行风评议",
              day: dt.date = D(2026, 6, 20)) -> dict[str, Any]:
    return dict(unit=unit, category=category, rater=rater, score=score, date=day)


@pytest.fixture
def appraisals(store, registry):
    upload(store, registry, "appraisals", "jwjcj", "2026", [
        appraisal("jsj", 90), appraisal("jsj", 80, rater="人大代表"),
        appraisal("gtzyj", 70),
        appraisal("hbj", 95),
        appraisal("gafj", 70),
        appraisal("scjgj", 60),
        appraisal("cgzfj", 99, day=D(2026, 9, 1)),  # after the scope
        appraisal("fgw", 75),  # not a key law-enforcement department
        appraisal("jtysj", 88, category="民主测评"),
        appraisal("dsz", 80, category="民主测评"), appraisal("dsz", 90, rater="人大代表", category="民主测评"),
    ])


def test_t11_appraised_key_departments_of_eleven(store, appraisals):
    values = compute(store, "T11.appraised")
    assert_ratio(values, 5, KEY_ENFORCEMENT)  # jsj gtzyj hbj gafj scjgj; cgzfj's came later, jtysj's is 民主测评
    assert covered(values) == {"jsj": 1, "gtzyj": 1, "hbj": 1, "gafj": 1, "scjgj": 1}
    assert len(values.by_unit) == KEY_ENFORCEMENT


def test_x_evaluation_is_the_mean_democratic_evaluation_score(store, appraisals):
    values = compute(store, "X.evaluation")
    assert values.value == pytest.approx((88 + 80 + 90) / 3)
    assert counts(values.by_unit) == {"dsz": pytest.approx(85), "jtysj": pytest.approx(88)}
    assert counts(values.by_month) == {"2026-06": pytest.approx(86)}


def test_t16_power_list_coverage_needs_a_benchmark_for_every_item(store, registry):
    item = dict(item="检查", basis="某法", published_on=D(2026, 6, 18))
    upload(store, registry, "power_lists", "scjgj", "campaign",  # both items benchmarked: covered
           [dict(item, unit="scjgj", discretion=True), dict(item, unit="scjgj", item="许可", discretion=True)])
    upload(store, registry, "power_lists", "hbj", "campaign",  # one of two without: not covered
           [dict(item, unit="hbj", discretion=True), dict(item, unit="hbj", item="许可", discretion=False)])
    upload(store, registry, "power_lists", "gafj", "campaign", [dict(item, unit="gafj", discretion=False)])
    upload(store, registry, "power_lists", "wlj", "campaign",
           [dict(item, unit="wlj", discretion=True, published_on=D(2026, 8, 1))])  # after the scope
    upload(store, registry, "power_lists", "fgw", "campaign",  # not a law-enforcement department
           [dict(item, unit="fgw", discretion=True)])
    values = compute(store, "T16.power_list_coverage")
    assert_ratio(values, 1, ENFORCEMENT)
    assert covered(values) == {"scjgj": 1}
    assert len(values.by_unit) == ENFORCEMENT


def test_t03_attitude_findings_count_service_attitude_inspections(store, registry):
    finding = dict(description="窗口人员态度生硬", rectified=False)
    upload(store, registry, "inspections", "jwjcj", "2026-06", [
        dict(finding, date=D(2026, 6, 3), unit="scjgj", problem_type="服务态度"),
        dict(finding, date=D(2026, 6, 9), unit="scjgj", problem_type="服务态度", description="未让座"),
        dict(finding, date=D(2026, 6, 9), unit="gafj", problem_type="服务态度"),
        dict(finding, date=D(2026, 6, 9), unit="gafj", problem_type="庸懒散慢"),  # not attitude
    ])
    values = compute(store, "T03.attitude_findings")
    assert values.value == 3
    assert counts(values.by_unit) == {"scjgj": 2, "gafj": 1}


def test_x_commitments_share_of_units_with_a_public_commitment(store, registry):
    pledge = dict(content="办件提速一天", channel="公示栏")
    upload(store, registry, "commitments", "dsz", "campaign", [
        dict(pledge, unit="dsz", person="张三", date=D(2026, 6, 20)),
        dict(pledge, unit="dsz", person="李四", date=D(2026, 6, 21)),
    ])
    upload(store, registry, "commitments", "xhz", "campaign",  # after the scope: not yet
           [dict(pledge, unit="xhz", person="王五", date=D(2026, 8, 1))])
    values = compute(store, "X.commitments")
    assert_ratio(values, 1, UNITS)
    assert covered(values) == {"dsz": 1}


def test_t15_monitoring_points_one_per_enterprise(store, registry):
    upload(store, registry, "monitoring_points", "jwjcj", "campaign", [
        dict(enterprise="食品公司", supervisor="赵六", set_up_on=D(2026, 6, 5), reported_on=D(2026, 6, 30), problems=2),
        dict(enterprise="食品公司", supervisor="赵六", set_up_on=D(2026, 6, 5), reported_on=D(2026, 7, 31), problems=1),
        dict(enterprise="建材厂", supervisor="钱七", set_up_on=D(2026, 3, 1), problems=0),
        dict(enterprise="物流园", supervisor="孙八", set_up_on=D(2026, 8, 1), problems=0),  # after the scope
    ])
    values = compute(store, "T15.monitoring_points")
    assert values.value == 2
    assert values.by_unit == []  # the ledger names enterprises, not units
    assert counts(values.by_month) == {"2026-03": 1, "2026-06": 1}


# --- task breakdown and rectification -------------------------------------------------------------


def milestone(unit: str, name: str, planned: dt.date, done: dt.date | None = None, status: str = "进行中"):
    return dict(task_no=17, unit=unit, owner="张三", milestone=name, planned_on=planned, done_on=done,
                status="已完成" if done else status)


def test_t17_breakdown_coverage_and_milestones_on_time(store, registry):
    upload(store, registry, "task_breakdown", "dsz", "campaign", [
        milestone("dsz", "按期", D(2026, 6, 10), D(2026, 6, 8)),  # due, on time
        milestone("dsz", "逾期完成", D(2026, 6, 20), D(2026, 6, 25)),  # due, late
        milestone("dsz", "未完成", D(2026, 6, 30)),  # due (06-30 < 07-01), not done
        milestone("dsz", "无日期", D(2026, 6, 5), status="已完成"),  # due, done without a date: not on time
        milestone("dsz", "去年", D(2025, 12, 20), D(2025, 12, 1)),  # outside the scope
    ])
    upload(store, registry, "task_breakdown", "xhz", "campaign", [milestone("xhz", "当天", D(2026, 5, 1), D(2026, 5, 1))])
    coverage = compute(store, "T17.breakdown_coverage")
    assert_ratio(coverage, 2, UNITS)
    assert covered(coverage) == {"dsz": 1, "xhz": 1}
    values = compute(store, "T17.milestones_on_time")
    assert_ratio(values, 1 + 1, 4 + 1)  # dsz 1 of 4, xhz 1 of 1
    units = keyed(values.by_unit)
    assert_ratio(units["dsz"], 1, 4)
    assert_ratio(units["xhz"], 1, 1)
    assert [(b.key, b.numerator, b.denominator) for b in values.by_month] == [("2026-05", 1, 1), ("2026-06", 1, 4)]


def item(unit: str, problem: str, deadline: dt.date, status: str = "整改中", owner: str = "王五"):
    return dict(unit=unit, problem=problem, measure="措施", goal="目标", deadline=deadline, owner=owner, status=status,
                done_on=deadline if status == "已完成" else None)


@pytest.fixture
def rectification(store, registry):
    upload(store, registry, "rectification", "dsz", "campaign", [
        item("dsz", "指南未更新", D(2026, 6, 30), "已完成"),  # done
        item("dsz", "窗口空岗", D(2026, 5, 31), owner="王五"),  # overdue by 31 days on 07-01
        item("dsz", "公示缺失", D(2026, 6, 15), "未开始", owner="赵六"),  # overdue by 16 days
        item("dsz", "系统改造", D(2026, 9, 30), "未开始"),  # deadline after the scope
    ])
    upload(store, registry, "rectification", "xhz", "campaign", [item("xhz", "台账不全", D(2026, 4, 30), "已完成")])


def test_x_rectification_done_of_due(store, rectification):
    values = compute(store, "X.rectification_done")
    assert_ratio(values, 2, 4)  # done: dsz 指南未更新, xhz 台账不全; overdue: 窗口空岗, 公示缺失
    units = keyed(values.by_unit)
    assert_ratio(units["dsz"], 1, 3)
    assert_ratio(units["xhz"], 1, 1)


def test_x_rectification_overdue(store, rectification):
    values = compute(store, "X.rectification_overdue")
    assert values.value == 2
    assert counts(values.by_unit) == {"dsz": 2}
    assert counts(values.by_month) == {"2026-05": 1, "2026-06": 1}


def test_x_rectification_verified_needs_the_effect_written_and_checked(store, registry):
    done = dict(measure="措施", goal="目标", owner="王五", status="已完成")
    upload(store, registry, "rectification", "dsz", "campaign", [
        dict(done, unit="dsz", problem="指南未更新", deadline=D(2026, 6, 30), done_on=D(2026, 6, 20),
             effect="指南已更新并公示", effect_checked=True),  # verified
        dict(done, unit="dsz", problem="窗口空岗", deadline=D(2026, 6, 30), done_on=D(2026, 6, 25),
             effect="已安排AB岗", effect_checked=False),  # effect written, not checked
        dict(done, unit="dsz", problem="公示缺失", deadline=D(2026, 5, 31), effect_checked=True),  # no effect
        dict(done, unit="dsz", problem="系统改造", deadline=D(2026, 9, 30), done_on=D(2026, 9, 1),
             effect="已上线", effect_checked=True),  # done after the scope
        dict(done, unit="dsz", problem="台账不全", deadline=D(2026, 6, 30), status="整改中"),  # not done
    ])
    values = compute(store, "X.rectification_verified")
    assert_ratio(values, 1, 3)  # 指南未更新 of 指南未更新, 窗口空岗, 公示缺失
    assert counts(values.by_month) == {"2026-05": 0, "2026-06": 0.5}


def test_in_a_running_scope_deadlines_are_judged_today(store, registry):
    today = judged_on(Scope(start=SCOPE.start, end=dt.datetime(2100, 1, 1, tzinfo=UTC)))
    running = Scope(start=dt.datetime.combine(today - dt.timedelta(days=60), dt.time(), UTC),
                    end=dt.datetime.combine(today + dt.timedelta(days=60), dt.time(), UTC))
    assert judged_on(running) == today
    day = dt.timedelta(days=1)
    upload(store, registry, "task_breakdown", "dsz", "campaign", [
        milestone("dsz", "昨天到期", today - day),  # due, not done
        milestone("dsz", "今天到期", today),  # not due yet
        milestone("dsz", "提前完成", today + 10 * day, today - day),  # done early: due and on time
    ])
    upload(store, registry, "rectification", "dsz", "campaign", [
        item("dsz", "昨天到期", today - day), item("dsz", "今天到期", today), item("dsz", "提前完成", today + 10 * day, "已完成"),
    ])
    assert_ratio(compute(store, "T17.milestones_on_time", running), 1, 2)
    assert_ratio(compute(store, "X.rectification_done", running), 1, 2)
    assert compute(store, "X.rectification_overdue", running).value == 1


# --- accountability: tasks 13 and 18 --------------------------------------------------------------


def action(day: dt.date, unit: str, method: str, ids: str | None = None) -> dict[str, Any]:
    return dict(date=day, unit=unit, subject_kind="一般干部", method=method, reason="事由", complaint_ids=ids)


@pytest.fixture
def accountability(store, registry):
    upload(store, registry, "accountability", "jwjcj", "2026-06", [
        action(D(2026, 6, 21), "cgzfj", "效能告诫", "TS-1，TS-2"),
        action(D(2026, 6, 22), "cgzfj", "通报批评", "TS_3; TS-4"),
    ])
    upload(store, registry, "accountability", "jwjcj", "2026-05", [action(D(2026, 5, 10), "dsz", "效能告诫")])
    upload(store, registry, "accountability", "jwjcj", "2026-07", [action(D(2026, 7, 2), "dsz", "诫勉谈话", "TS-5")])


def test_t13_warnings(store, accountability):
    values = compute(store, "T13.warnings")
    assert values.value == 2  # the 效能告诫 of 06-21 and 05-10
    assert counts(values.by_unit) == {"cgzfj": 1, "dsz": 1}
    assert counts(values.by_month) == {"2026-05": 1, "2026-06": 1}


def test_t18_actions(store, accountability):
    values = compute(store, "T18.actions")
    assert values.value == 3  # the July 诫勉谈话 is after the scope
    assert counts(values.by_unit) == {"cgzfj": 2, "dsz": 1}


def test_t18_verified_actioned_rate_matches_whole_complaint_ids(store, accountability):
    march = dt.datetime(2026, 3, 2, tzinfo=UTC)
    insert(store, [
        complaint("TS-1", unit="cgzfj", received=march, verified=True),  # named after a full-width comma
        complaint("TS-2", unit="cgzfj", received=march, verified=True),
        complaint("TS_3", unit="cgzfj", received=march, verified=True),  # "_" taken literally
        complaint("TS-10", unit="cgzfj", received=march, verified=True),  # TS-1 is named, not TS-10
        complaint("TS-4", unit="dsz", received=march, verified=True),  # after "; "
        complaint("TS-5", unit="dsz", received=march, verified=True),  # named by a July action: still actioned
        complaint("TS-6", unit="dsz", received=march, verified=True),  # named by none
        complaint("TSX3", unit="dsz", received=march, verified=True),  # would match TS_3 as a LIKE pattern
        complaint("TS-7", unit="dsz", received=march, verified=False),  # unfounded: not counted
        complaint("TS-8", unit="dsz", received=march, verified=None),  # not known yet: not counted
        complaint("TS-9", unit="dsz", received=dt.datetime(2025, 12, 1, tzinfo=UTC), verified=True),  # before
    ])
    values = compute(store, "T18.verified_actioned_rate")
    assert_ratio(values, 5, 8)  # TS-1 TS-2 TS_3 TS-4 TS-5 of TS-1 TS-2 TS_3 TS-10 TS-4 TS-5 TS-6 TSX3
    units = keyed(values.by_unit)
    assert_ratio(units["cgzfj"], 3, 4)
    assert_ratio(units["dsz"], 2, 4)
    assert [(b.key, b.numerator, b.denominator) for b in values.by_month] == [("2026-03", 5, 8)]


# --- the campaign's first day ---------------------------------------------------------------------


def test_indicators_of_the_campaign_count_from_its_first_day(store, registry):
    # A May programme is not one of the campaign's 8 episodes; the June one is.
    upload(store, registry, "activities", "jwjcj", "2026-05", [activity("jwjcj", D(2026, 5, 13), "热线节目")])
    upload(store, registry, "activities", "jwjcj", "2026-06", [activity("jwjcj", D(2026, 6, 10), "热线节目")])
    with store.begin() as session:
        year = campaign_scope(session, Config(path=None))
        episodes = session.get(IndicatorTarget, "T12.episodes")
        on_time = session.get(IndicatorTarget, "T04.on_time_rate")
        assert (episodes.counts_from, on_time.counts_from) == ("campaign", "year")
        assert episodes.basis == "精选8个上线主题，办好8期节目。"
    # The campaign's first day is the first phase's (06-01), local midnight as UTC.
    assert year.campaign_start == dt.datetime(2026, 5, 31, 16, tzinfo=UTC)
    assert scope_of(on_time, year) == year
    assert compute(store, "T12.episodes", year).value == 2
    assert compute(store, "T12.episodes", scope_of(episodes, year)).value == 1
