"""The exports: the 总结测评 workbook as of a day and the 情况通报 bulletin of a week or month, built from a
store filled by really running the collectors against the demo sources and uploading ledgers as offices do.

The workbook's numbers are checked against :func:`collectors.report.indicator_reports` for the same day;
the bulletin's against SQL counts written out here. A complainant's name, phone number and complaint text
planted in the store, and a rectification item's 责任人, must appear in neither file.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from sqlalchemy import bindparam, select, text

from collectors import exports
from collectors.config import Config, collector_settings
from collectors.errors import UserError
from collectors.exports.rankings import competition_places
from collectors.report import STATUS_LABELS, campaign_scope, indicator_reports
from collectors.runner import run_collector
from models.base import UTCDateTime, utcnow
from models.campaign import IndicatorTarget, Phase
from models.campaign_file import read_campaign
from models.complaints import CATEGORIES, Complaint
from models.indicators import IndicatorValues, history
from models.upsert import upsert
from plugins.complaints_demo import ComplaintsDemo
from plugins.tenders_demo import TendersDemo
from tests.conftest import CAMPAIGN_YEAR, serve
from tests.test_cli import assert_clean_error, storm, workdir  # noqa: F401  (workdir is a fixture)
from tests.test_complaints_indicators import complaint, local
from tests.test_ledger_indicators import upload
from tests.upload_samples import SAMPLES

DAY = dt.date(CAMPAIGN_YEAR, 11, 30)
WEEK = "2026-W47"  # Monday 16 to Sunday 22 November
WEEK_START = dt.datetime(2026, 11, 15, 16, tzinfo=dt.UTC)  # 2026-11-16 00:00 in Beijing
WEEK_END = dt.datetime(2026, 11, 22, 16, tzinfo=dt.UTC)
YEAR_START = dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC)
PLANTED = {"complainant_name": "欧阳测试人", "complainant_phone": "13912345678",
           "description": "诉求内容独有字样甲乙丙", "subject": "主题独有字样丁戊"}
OWNER = SAMPLES["rectification"].rows[0]["owner"]  # 王五, the 责任人 of the sample's overdue item
ACTION_SHEETS = [
    "一、凝心聚力振精神", "二、简政放权提效能", "三、真评实议树形象", "四、效能亮剑转作风", "五、强责问效抓执行",
]
PANEL_SHEETS = ["规定动作按期完成情况", "各阶段规定动作进度", "逾期未完成的整改事项", "重点执法部门政风行风评议排名（任务11）",
                "督办情况"]
SECTIONS = ["一、总体情况", "二、分类情况", "三、排名靠后单位", "四、逾期事项", "五、热点问题", "六、下一步工作要求"]

INDICATORS = len(read_campaign().data["indicators"])
"""How many indicators the shipped campaign declares."""


def collect(store, registry, name: str, **values: str) -> None:
    settings = collector_settings(Config(path=None), registry.collector(name), {"retries": "0", **values})
    result = run_collector(store, registry, name, settings)
    assert result.status == "success", result.error


@pytest.fixture
def late_clock(clock):
    """The demo sources as of 25 November: the 总结测评 phase."""
    clock.now = dt.datetime(CAMPAIGN_YEAR, 11, 25, 4, tzinfo=dt.UTC)
    return clock


@pytest.fixture
def sources(demo_units, late_clock) -> Iterator[dict[str, str]]:
    """The complaint line and the tender feed, served on localhost (the service centre has its own fixture)."""
    demos = {"complaints": ComplaintsDemo, "tenders": TendersDemo}
    servers = {
        name: serve(demo(demo_units, year=CAMPAIGN_YEAR, seed=7, clock=late_clock), f"/{name}", name)
        for name, demo in demos.items()
    }
    yield {name: server.base_url + f"/{name}" for name, server in servers.items()}
    for server in servers.values():
        server.stop()


@pytest.fixture
def filled(store, registry, late_clock, service_center_url, sources):
    """Every source collected, the sample ledgers uploaded, and a complaint with personal data planted in week 47."""
    collect(store, registry, "service_center", url=service_center_url)
    collect(store, registry, "complaints", url=sources["complaints"], since=f"{CAMPAIGN_YEAR}-01-01")
    collect(store, registry, "tenders", url=sources["tenders"])
    for template in ("activities", "appraisals", "rectification", "inspections"):
        sample = SAMPLES[template]
        upload(store, registry, template, sample.unit, sample.period, sample.rows)
    planted = complaint("PLANTED-1", unit="dsz", received=local(2026, 11, 18), category="attitude",
                        deadline=local(2026, 11, 20))
    with store.begin() as session:
        upsert(session, Complaint, "complaints", [{**planted, **PLANTED}])
    return store


def workbook_of(store, registry, day: dt.date = DAY) -> tuple[bytes, openpyxl.Workbook]:
    with store.begin() as session:
        content = exports.workbook_bytes(exports.evaluation_sheets(
            exports.evaluation(session, registry, Config(path=None), day)))
    return content, openpyxl.load_workbook(io.BytesIO(content))


def bulletin_of(store, registry, period: str = WEEK) -> tuple[bytes, Any]:
    with store.begin() as session:
        made = exports.bulletin(session, registry, Config(path=None), exports.parse_week(period))
    content = exports.bulletin_docx(made)
    return content, docx.Document(io.BytesIO(content))


def table_rows(sheet) -> list[tuple]:
    """A sheet's rows below its title and header, up to the first empty row."""
    rows = []
    for row in sheet.iter_rows(min_row=3, values_only=True):
        if all(value is None for value in row):
            break
        rows.append(row)
    return rows


def indicator_rows(book) -> dict[str, dict[str, Any]]:
    """Every indicator row of the action and cross-cutting sheets, by indicator id, header → value."""
    found = {}
    for name in [*ACTION_SHEETS, "贯穿全程"]:
        headers = [cell.value for cell in book[name][2]]
        for row in table_rows(book[name]):
            if row[1]:
                found[row[1]] = dict(zip(headers, row, strict=True))
    return found


def xml_text(content: bytes) -> str:
    """Every XML part of an Office file, as text."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml"))


def docx_tables(document) -> dict[str, list[list[str]]]:
    """The bulletin's tables by their caption (the paragraph before each)."""
    body = document.element.body
    tables, caption = {}, None
    for child in body.iterchildren():
        if child.tag.endswith("}p"):
            caption = "".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")) or caption
        elif child.tag.endswith("}tbl"):
            table = next(t for t in document.tables if t._tbl is child)
            tables[caption] = [[cell.text for cell in row.cells] for row in table.rows]
    return tables


def count(store, sql: str, **params: Any) -> list[tuple]:
    """Rows of ``sql`` with its datetime parameters bound as the store keeps them."""
    used = {name: value for name, value in params.items() if f":{name}" in sql}
    statement = text(sql).bindparams(*(bindparam(name, type_=UTCDateTime()) for name in used))
    with store.begin() as session:
        return [tuple(row) for row in session.execute(statement, used)]


# --- the workbook ----------------------------------------------------------------------------


def test_the_workbook_holds_every_task_and_indicator_with_the_numbers_of_the_report(filled, registry):
    content, book = workbook_of(filled, registry)

    assert book.sheetnames == ["汇总", *ACTION_SHEETS, "贯穿全程", "分阶段", "单位排名", "分项排名", *PANEL_SHEETS]
    for sheet in book.worksheets:
        assert "2026年11月30日" in sheet["A1"].value, sheet.title
        assert sheet.freeze_panes == "A3"
        assert sheet["A2"].font.bold
    tasks = {int(row[0].split(".")[0]) for name in ACTION_SHEETS for row in table_rows(book[name])}
    assert tasks == set(range(1, 19))
    with filled.begin() as session:
        campaign_ids = set(session.scalars(select(IndicatorTarget.id)))
        reports = {r.id: r for r in indicator_reports(session, registry, Config(path=None), through=DAY)}
    rows = indicator_rows(book)
    assert set(rows) == campaign_ids and len(campaign_ids) == INDICATORS
    for key, report in reports.items():
        row = rows[key]
        assert row["状态"] == STATUS_LABELS[report.status], key
        for header, expected in (("数值", report.value), ("目标", report.target), ("分子", report.numerator),
                                 ("分母", report.denominator)):
            assert row[header] == (None if expected is None else pytest.approx(expected)), (key, header)
    assert rows["T04.on_time_rate"]["状态"] in ("达标", "预警", "未达标")
    assert rows["T03.test_pass_rate"]["数值"] == pytest.approx(72 / 80)  # the sample's 知识测试
    on_time = next(c for c in book["二、简政放权提效能"]["D"] if c.value == rows["T04.on_time_rate"]["数值"])
    assert on_time.number_format == "0.0%"
    summary = {row[0]: row for row in table_rows(book["汇总"])}
    assert summary["合计"][1:3] == (18, INDICATORS)
    assert sum(summary["合计"][3:]) == INDICATORS


def test_the_workbook_compares_the_phases_from_the_history(filled, registry):
    with filled.begin() as session:
        first = session.scalars(select(Phase).order_by(Phase.starts_on)).first()
        day_before = first.starts_on - dt.timedelta(days=1)
        history.take(session, {"T04.on_time_rate": IndicatorValues(0.8, 8, 10, [], [])}, day_before)
        history.take(session, {"T04.on_time_rate": IndicatorValues(0.9, 9, 10, [], [])}, first.ends_on)
    _, book = workbook_of(filled, registry)
    sheet = book["分阶段"]
    headers = [cell.value for cell in sheet[2]]
    rows = {row[1]: dict(zip(headers, row, strict=True)) for row in table_rows(sheet)}
    on_time = rows["T04.on_time_rate"]
    assert (on_time[f"{first.name}初"], on_time[f"{first.name}末"]) == (pytest.approx(0.8), pytest.approx(0.9))
    assert on_time[f"{first.name}变化"] == pytest.approx(0.1)
    assert rows["T04.satisfaction"][f"{first.name}初"] is None, "no snapshot: left empty"
    assert len(rows) == INDICATORS


def test_the_workbook_is_as_of_the_chosen_day(filled, registry):
    _, august = workbook_of(filled, registry, dt.date(CAMPAIGN_YEAR, 8, 31))
    _, november = workbook_of(filled, registry)
    assert "2026年8月31日" in august["汇总"]["A1"].value
    early, late = indicator_rows(august)["T04.on_time_rate"], indicator_rows(november)["T04.on_time_rate"]
    assert 0 < early["分母"] < late["分母"]
    with filled.begin() as session:
        report = next(r for r in indicator_reports(session, registry, Config(path=None), through=dt.date(2026, 8, 31))
                      if r.id == "T04.on_time_rate")
        scope = campaign_scope(session, Config(path=None), dt.date(2026, 8, 31))
    assert (early["分子"], early["分母"]) == (report.numerator, report.denominator)
    assert (scope.start, scope.end) == (YEAR_START, dt.datetime(2026, 8, 31, 16, tzinfo=dt.UTC))
    assert report.as_of <= scope.end
    # The rectification item's 时限 is 31 August: overdue once that day has ended, not before.
    assert indicator_rows(august)["X.rectification_overdue"]["数值"] == 1
    _, day_before = workbook_of(filled, registry, dt.date(CAMPAIGN_YEAR, 8, 30))
    assert indicator_rows(day_before)["X.rectification_overdue"]["数值"] == 0
    assert indicator_rows(november)["X.rectification_overdue"]["数值"] == 1


def test_the_rankings_and_the_ledgers(filled, registry):
    content, book = workbook_of(filled, registry)

    standings = table_rows(book["单位排名"])
    assert {row[0] for row in standings} == {"乡镇街道", "部门"}
    assert [row[1] for row in standings if row[0] == "乡镇街道"][0] == 1
    places = table_rows(book["分项排名"])
    on_time = [row for row in places if row[2] == "T04.on_time_rate" and row[0] == "部门"]
    assert on_time and [row[4] for row in on_time] == sorted(row[4] for row in on_time)
    values = [row[6] for row in on_time]
    assert values == sorted(values, reverse=True), "higher is better: the best value first"
    ranking = {row[1]: row for row in table_rows(book["重点执法部门政风行风评议排名（任务11）"])}
    assert ranking["区市场监督管理局"][2] == pytest.approx(92.5) and ranking["区市场监督管理局"][0] == 1
    overdue = table_rows(book["逾期未完成的整改事项"])
    assert [(row[0], row[1]) for row in overdue] == [("东山镇", "办事指南更新不及时")]
    duties = {row[0]: row for row in table_rows(book["规定动作按期完成情况"])}
    assert duties["东山镇"][1] == "✓ 6月5日"  # the sample's 动员部署大会, in time for the end of 动员部署 (06-10)
    assert OWNER not in xml_text(content)


def test_competition_places():
    assert competition_places({"a": 0.9, "b": 0.8, "c": 0.9}, higher_is_better=True) == {"a": 1, "b": 3, "c": 1}
    assert competition_places({"a": 3, "b": 1}, higher_is_better=False) == {"a": 2, "b": 1}


def test_a_workbook_of_an_empty_store(store, registry):
    _, book = workbook_of(store, registry)
    rows = indicator_rows(book)
    assert len(rows) == INDICATORS and {row["状态"] for row in rows.values()} == {"暂无数据"}
    assert table_rows(book["单位排名"]) == []
    assert table_rows(book["逾期未完成的整改事项"]) == [("暂无数据（尚未上报相关台账）",)]


def test_ledger_text_that_looks_like_a_formula_stays_text(store, registry):
    row = {**SAMPLES["rectification"].rows[0], "problem": "=HYPERLINK(\"http://x.example\")"}
    upload(store, registry, "rectification", "dsz", "campaign", [row])
    _, book = workbook_of(store, registry)
    cell = book["逾期未完成的整改事项"]["B3"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (row["problem"], "s", True)


def test_a_date_outside_the_campaign_year(store, registry):
    with store.begin() as session, pytest.raises(UserError, match="not in the campaign year 2026"):
        exports.evaluation(session, registry, Config(path=None), dt.date(2025, 12, 31))


# --- the bulletin ----------------------------------------------------------------------------


def test_the_bulletin_has_its_sections_and_the_period_s_numbers(filled, registry):
    content, document = bulletin_of(filled, registry)
    paragraphs = [p.text for p in document.paragraphs]

    assert paragraphs[0] == "区机关效能风暴行动情况通报（2026年第47期）"
    assert paragraphs[1] == "周报 · 2026年11月16日至11月22日"
    assert paragraphs[2].startswith("区机关效能风暴行动领导小组办公室")
    assert [p for p in paragraphs if p in SECTIONS] == SECTIONS
    tables = docx_tables(document)
    totals = dict(tables["本期主要数据"][1:])
    period = {"start": WEEK_START, "end": WEEK_END}
    [(accepted,)] = count(filled, "SELECT count(*) FROM cases WHERE accepted_at >= :start AND accepted_at < :end",
                          **period)
    [(completed, on_time, timed, good, rated)] = count(filled, """
        SELECT count(*), sum(CASE WHEN due_at IS NOT NULL AND completed_at <= due_at THEN 1 ELSE 0 END),
               sum(CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END), sum(CASE WHEN rating = 'good' THEN 1 ELSE 0 END),
               sum(CASE WHEN rating IN ('good', 'bad') THEN 1 ELSE 0 END)
        FROM cases WHERE completed_at >= :start AND completed_at < :end""", **period)
    assert accepted > 0 and completed > 0
    assert totals["受理办件（件）"] == str(accepted) and totals["办结办件（件）"] == str(completed)
    # Due in the week and still open at its end (it has ended): late, in the rate's denominator.
    [(open_late,)] = count(filled, """SELECT count(*) FROM cases WHERE due_at >= :start AND due_at < :end
        AND (completed_at IS NULL OR completed_at >= :end)""", **period)
    assert totals["限时办结率"] == f"{on_time / (timed + open_late):.1%}"
    [(satisfied, followed_up)] = count(filled, """SELECT
        sum(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END),
        sum(CASE WHEN satisfaction IS NOT NULL THEN 1 ELSE 0 END)
        FROM complaints WHERE received_at >= :start AND received_at < :end""", **period)
    assert followed_up > 0 and totals["投诉回访满意率"] == f"{satisfied / followed_up:.1%}"
    assert totals["办事群众满意率"] == f"{good / rated:.1%}"
    overdue_rule = """received_at >= :since AND received_at < :end AND deadline_at < :end
        AND ((closed_at IS NULL AND status <> 'closed') OR closed_at > :end)"""
    [(received, closed, overdue)] = count(filled, f"""
        SELECT sum(CASE WHEN received_at >= :start AND received_at < :end THEN 1 ELSE 0 END),
               sum(CASE WHEN closed_at >= :start AND closed_at < :end THEN 1 ELSE 0 END),
               sum(CASE WHEN {overdue_rule} THEN 1 ELSE 0 END)
        FROM complaints""", since=YEAR_START, **period)
    assert received > 1 and overdue > 0
    assert (totals["受理投诉（件）"], totals["办结投诉（件）"], totals["超期未办结投诉（件）"]) == (
        str(received), str(closed), str(overdue))
    [(published,)] = count(filled, """SELECT count(*) FROM procurements
        WHERE coalesce(tender_published_at, tender_start) >= :start
        AND coalesce(tender_published_at, tender_start) < :end""", **period)
    assert totals["发布招标公告（项）"] == str(published)

    by_category = dict(count(filled, """SELECT category, count(*) FROM complaints
        WHERE received_at >= :start AND received_at < :end GROUP BY category""", **period))
    categories = {row[0]: row[1] for row in tables["投诉分类情况"][1:]}
    assert categories == {**{name: str(by_category.get(key, 0)) for key, name in CATEGORIES.items()},
                          "合计": str(received)}
    top = max(by_category, key=by_category.get)
    hot = next(p for p in paragraphs if p.startswith("本期投诉反映最集中的问题是："))
    assert hot.startswith(f"本期投诉反映最集中的问题是：{CATEGORIES[top]}{by_category[top]}件")

    rates = count(filled, """SELECT u.name, sum(CASE WHEN c.completed_at <= c.due_at THEN 1 ELSE 0 END), count(*)
        FROM cases c JOIN units u ON u.code = c.unit_code
        WHERE (c.completed_at >= :start AND c.completed_at < :end AND c.due_at IS NOT NULL)
        OR (c.due_at >= :start AND c.due_at < :end AND (c.completed_at IS NULL OR c.completed_at >= :end))
        GROUP BY u.name""", **period)  # completed in the week, or due in it and still open at its end
    bottom = sorted((r for r in rates if r[1] < r[2]), key=lambda r: (r[1] / r[2], -r[2], r[0]))[:3]
    shown = tables["限时办结率排名靠后的单位"][1:] if bottom else []
    assert bottom or "本期限时办结率没有低于100%的单位。" in paragraphs
    assert [row[1] for row in shown] == [name for name, _, _ in bottom]
    assert [row[3] for row in shown] == [f"{n}/{d}" for _, n, d in bottom]

    overdue_cases = dict(count(filled, """SELECT u.name, count(*) FROM cases c JOIN units u ON u.code = c.unit_code
        WHERE c.accepted_at >= :since AND c.accepted_at < :end AND c.due_at < :end
        AND (c.completed_at IS NULL OR c.completed_at > :end) GROUP BY u.name""", since=YEAR_START, **period))
    overdue_complaints = dict(count(filled, f"""SELECT u.name, count(*) FROM complaints c
        JOIN units u ON u.code = c.unit_code WHERE {overdue_rule.replace("received_at", "c.received_at")}
        GROUP BY u.name""", since=YEAR_START, **period))
    per_unit = {row[0]: row[1:] for row in tables["逾期事项（按单位）"][1:]}
    for name in set(overdue_cases) | set(overdue_complaints):
        assert per_unit[name][:2] == [str(overdue_cases.get(name, 0)), str(overdue_complaints.get(name, 0))], name
    assert per_unit["东山镇"][2] == "1"  # the sample's rectification item, due 31 August and not done
    for secret in (*PLANTED.values(), OWNER):
        assert secret not in xml_text(content)


def test_a_monthly_bulletin_and_an_empty_store(store, registry):
    with store.begin() as session:
        made = exports.bulletin(session, registry, Config(path=None), exports.parse_month("2026-11"))
    document = docx.Document(io.BytesIO(exports.bulletin_docx(made)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "区机关效能风暴行动情况通报（2026年第11期）"
    assert paragraphs[1] == "月报 · 2026年11月"
    assert "本期未受理效能投诉。" in paragraphs and "截至2026年11月30日，没有逾期事项。" in paragraphs
    assert dict(docx_tables(document)["本期主要数据"][1:])["限时办结率"] == "暂无数据"


@pytest.mark.parametrize("text, words", [
    ("2026-W60", ["not a week", "2026-W47"]),
    ("2026/47", ["not a week"]),
])
def test_weeks_that_are_not(text, words):
    with pytest.raises(exports.PeriodError) as error:
        exports.parse_week(text)
    assert all(word in str(error.value) for word in words)


def test_periods():
    week = exports.parse_week("2026-W01")
    assert (week.first, week.last, week.key, week.label) == (
        dt.date(2025, 12, 29), dt.date(2026, 1, 4), "2026-W01", "2025年12月29日至2026年1月4日")
    week.check_in(2026)
    december = exports.parse_month("2026-12")
    assert (december.first, december.last, december.key) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31), "2026-12")
    assert exports.week_of(dt.date(2026, 11, 22)).key == WEEK and exports.month_of(dt.date(2026, 2, 3)).key == "2026-02"
    weeks = exports.weeks_in(2026)
    assert (len(weeks), weeks[0].key, weeks[-1].key) == (53, "2026-W01", "2026-W53")  # W53 ends on 3 January 2027
    assert [week.first for week in weeks[1:]] == [week.first + dt.timedelta(days=7) for week in weeks[:-1]]
    assert exports.weeks_in(2027)[0].key == "2026-W53"  # it holds 1 January 2027
    assert [month.key for month in exports.months_in(2026)] == [f"2026-{m:02d}" for m in range(1, 13)]
    with pytest.raises(exports.PeriodError, match="not a month"):
        exports.parse_month("2026-13")
    with pytest.raises(exports.PeriodError, match="not in the campaign year 2026"):
        exports.parse_month("2027-01").check_in(2026)


# --- the command -----------------------------------------------------------------------------


def test_storm_export(workdir: Path):  # noqa: F811
    year = utcnow().year  # storm init's campaign runs in this year
    made = storm("export", "evaluation", "--date", f"{year}-06-30", "-o", "总结测评.xlsx", cwd=workdir)
    assert made.returncode == 0, made.stderr
    assert f"{year}年6月30日" in openpyxl.load_workbook(workdir / "总结测评.xlsx")["汇总"]["A1"].value
    made = storm("export", "bulletin", "--month", f"{year}-06", "-o", "通报.docx", cwd=workdir)
    assert made.returncode == 0, made.stderr
    assert docx.Document(str(workdir / "通报.docx")).paragraphs[0].text.endswith(f"（{year}年第6期）")
    made = storm("export", "bulletin", "--week", f"{year}-W10", cwd=workdir)
    assert made.returncode == 0 and (workdir / f"情况通报-{year}-W10.docx").exists()

    assert_clean_error(storm("export", "evaluation", "--date", "30.11.2026", cwd=workdir), "YYYY-MM-DD")
    assert_clean_error(storm("export", "evaluation", "--date", f"{year - 1}-11-30", cwd=workdir), "campaign year")
    assert_clean_error(storm("export", "bulletin", "--week", f"{year}-W99", cwd=workdir), "not a week")
    assert_clean_error(storm("export", "bulletin", "--month", f"{year}-00", cwd=workdir), "not a month")
    assert_clean_error(storm("export", "evaluation", "--date", f"{year}-06-30", "-o", "nowhere/x.xlsx", cwd=workdir),
                       "cannot write")
    assert storm("export", "bulletin", "--week", f"{year}-W10", "--month", f"{year}-03", cwd=workdir).returncode == 2
