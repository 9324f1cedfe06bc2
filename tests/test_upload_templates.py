"""The twelve templates of the campaign, the tables and blank files made from them, and declaration checks."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from collectors.template_files import blank_csv, blank_xlsx, escape_cell, unescape
from collectors.templates import Column, UploadTemplate
from collectors.uploads import ingest
from models.base import Base

CAMPAIGN_TEMPLATES = {
    "activities": ("活动台账", ["单位", "日期", "类型", "名称", "参加人数", "通过人数", "状态", "备注"]),
    "badges": ("挂牌上岗", ["单位", "日期", "在岗人数", "挂牌人数"]),
    "inspections": ("明察暗访", ["日期", "被查单位", "问题类型", "问题描述", "是否整改", "整改日期"]),
    "honours": ("表彰", ["单位", "日期", "称号", "对象"]),
    "disclosures": ("公开目录", ["单位", "目录名称", "事项数", "公开日期", "网址"]),
    "appraisals": ("民主评议", ["被评单位", "评议类别", "评议人类别", "得分", "日期"]),
    "power_lists": ("执法清单", ["单位", "执法事项", "依据", "自由裁量基准", "公布日期"]),
    "task_breakdown": ("任务分解", ["任务编号", "单位", "责任人", "节点", "计划完成日期", "实际完成日期", "状态"]),
    "rectification": ("整改台账", ["单位", "问题", "措施", "目标", "时限", "责任人", "状态", "完成日期", "整改效果", "效果核验"]),
    "accountability": ("问责记录", ["日期", "单位", "对象类别", "方式", "事由", "关联投诉编号"]),
    "monitoring_points": ("监测点", ["企业", "监督员", "设立日期", "报告日期", "反映问题数"]),
    "commitments": ("公开承诺", ["单位", "姓名", "承诺内容", "公开方式", "日期"]),
}
"""campaign.md's "Upload templates" table: id → title and headers."""
BY_PERIOD = {"month": "activities", "year": "honours", "campaign": "disclosures"}
CROSS_UNIT = {"inspections", "appraisals", "accountability", "monitoring_points"}
ALLOWED = {
    ("activities", "类型"): {"动员部署大会", "宣传专栏", "回头看活动", "党性教育", "理想信念教育", "思想解放讨论",
                           "民主生活会", "作风剖析会", "典型示范教育", "业务讲座", "知识测试", "技能比武", "庆典",
                           "研讨会", "论坛", "热线节目"},
    ("honours", "称号"): {"优质服务窗口", "岗位明星", "服务标兵", "巾帼文明岗", "青年岗位能手"},
    ("appraisals", "评议类别"): {"政风行风评议", "民主测评"},
    ("power_lists", "自由裁量基准"): {"有", "无"},
    ("accountability", "方式"): {"效能告诫", "诫勉谈话", "通报批评", "降低考核等次", "待岗", "调整岗位", "党纪政纪处分"},
}


def test_the_twelve_templates_of_the_campaign(registry):
    templates = registry.upload_templates
    assert {key: (templates[key].title, templates[key].headers) for key in CAMPAIGN_TEMPLATES} == CAMPAIGN_TEMPLATES
    assert {key for key in CAMPAIGN_TEMPLATES if templates[key].row_unit == "any"} == CROSS_UNIT
    for (key, header), values in ALLOWED.items():
        column = next(c for c in templates[key].columns if c.header == header)
        assert values <= set(column.words or ()), (key, header)


@pytest.mark.parametrize("template_id", sorted(CAMPAIGN_TEMPLATES))
def test_each_template_has_its_typed_table(registry, template_id: str):
    template = registry.upload_template(template_id)
    table = Base.metadata.tables[f"ledger_{template_id}"]
    assert table is template.table
    assert [c.name for c in table.columns] == ["id", "upload_id", "unit_code", "row_no"] + [
        c.field for c in template.columns]
    assert [fk.target_fullname for fk in table.c.upload_id.foreign_keys] == ["uploads.id"]
    indexed = {column.name for index in table.indexes for column in index.columns}
    assert {c.field for c in template.columns if c.type in ("unit", "date", "choice")} | {"unit_code"} <= indexed
    python_types = {"text": str, "int": int, "number": float, "date": dt.date, "choice": str, "unit": str,
                    "yesno": bool}
    for column in template.columns:
        assert table.c[column.field].type.python_type is python_types[column.type]


@pytest.mark.parametrize("template_id", sorted(CAMPAIGN_TEMPLATES))
def test_the_blank_csv_has_a_bom_and_the_headers(registry, template_id: str):
    data = blank_csv(registry.upload_template(template_id))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == ",".join(CAMPAIGN_TEMPLATES[template_id][1]) + "\r\n"


@pytest.mark.parametrize("template_id", sorted(CAMPAIGN_TEMPLATES))
def test_the_blank_workbook_has_the_headers_dropdowns_and_notes(registry, template_id: str):
    template = registry.upload_template(template_id)
    workbook = openpyxl.load_workbook(io.BytesIO(blank_xlsx(template, units=["东山镇", "西河镇"])))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == template.headers
    assert all(cell.font.b for cell in sheet[1])
    options = workbook["选项"]
    assert options.sheet_state == "hidden"
    dropdowns = {}
    for validation in sheet.data_validations.dataValidation:
        first, last = validation.formula1.split("!")[1].replace("$", "").split(":")
        words = [options[f"{first[0]}{row}"].value for row in range(int(first[1:]), int(last[1:]) + 1)]
        dropdowns[str(validation.sqref).split(":")[0]] = (validation.type, words)
    expected = {}
    for index, column in enumerate(template.columns, start=1):
        words = column.words or (["东山镇", "西河镇"] if column.type == "unit" else None)
        if words:
            expected[f"{openpyxl.utils.get_column_letter(index)}2"] = ("list", list(words))
    assert dropdowns == expected
    notes = [row for row in workbook["说明"].iter_rows(values_only=True) if row[0] in template.headers]
    assert [row[0] for row in notes] == template.headers
    assert all(row[1] and row[2] in ("是", "否") for row in notes)


def test_a_filled_in_blank_workbook_is_accepted(store, registry):
    template = registry.upload_template("power_lists")
    workbook = openpyxl.load_workbook(io.BytesIO(blank_xlsx(template)))
    sheet = workbook.worksheets[0]
    sheet.append(["区市场监督管理局", "特种设备安全检查", "《特种设备安全法》", "有", dt.date(2026, 6, 18)])
    sheet.append(["市场监管局", "计量器具检查", "《计量法》", "无", "2026/6/18"])
    workbook.active = workbook.sheetnames.index("说明")  # a clerk saving while looking at the notes
    buffer = io.BytesIO()
    workbook.save(buffer)
    with store.begin() as session:
        result = ingest(session, registry, "power_lists", "scjgj", None, "清单.xlsx", buffer.getvalue(), None)
    assert (result.status, result.rows_stored, result.period) == ("stored", 2, "campaign")
    assert [row["discretion"] for row in result.rows] == [True, False]


@pytest.mark.parametrize(("kind", "text", "key"), [
    ("month", "2026-6", "2026-06"), ("month", "2026/06", "2026-06"), ("month", "2026年6月", "2026-06"),
    ("month", "２０２６-０６", "2026-06"), ("month", None, "dates"), ("month", "dates", "dates"),
    ("year", "2026年", "2026"), ("year", "", "dates"), ("campaign", None, "campaign"), ("campaign", "全程", "campaign"),
])
def test_periods_are_written_one_way(registry, kind: str, text: str | None, key: str):
    template = registry.upload_template(BY_PERIOD[kind])
    assert template.period_key(text, today=dt.date(2026, 7, 14)) == key


@pytest.mark.parametrize(("kind", "text"), [("month", "2026-13"), ("month", "六月"), ("year", "26"),
                                            ("campaign", "2026")])
def test_a_wrong_period_says_how_to_write_it(registry, kind: str, text: str):
    template = registry.upload_template(BY_PERIOD[kind])
    with pytest.raises(ValueError, match="上报期间“.*”不对，应为"):
        template.period_key(text)


def test_period_dates(registry):
    assert registry.upload_template("activities").period_dates("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert registry.upload_template("honours").period_dates("2026") == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert registry.upload_template("rectification").period_dates("campaign") is None


@pytest.mark.parametrize(("make", "words"), [
    (lambda: Column("n", "数量", "integer"), "type 'integer'"),
    (lambda: Column("kind", "类别", "choice"), "without choices"),
    (lambda: Column("row_no", "行号", "int"), "must be lowercase"),
    (lambda: UploadTemplate("Bad-Id", "x", ()), "template id"),
    (lambda: UploadTemplate("twice", "x", (Column("a", "甲"), Column("a", "乙"))), "field twice"),
    (lambda: UploadTemplate("no_unit", "x", (Column("a", "甲"),), unit_column="unit"), "refers to 'unit'"),
    (lambda: UploadTemplate("bad_key", "x", (Column("a", "甲"),), key=("b",)), "refers to 'b'"),
    (lambda: UploadTemplate("bad_cmp", "x", (Column("a", "甲", "int", not_above="b"), Column("b", "乙", "date"))),
     "refers to 'b'"),
    (lambda: UploadTemplate("activities", "x", (Column("a", "甲"),)), "declared twice with different columns"),
])
def test_declaration_mistakes_fail_at_once(make, words: str):
    with pytest.raises(ValueError, match=words):
        make()


def test_csv_escaping_round_trips():
    for text in ("=1+1", "+86 123", "-5", "@sum", "\tx", "\rx"):
        assert escape_cell(text) == "'" + text and unescape(escape_cell(text)) == text
    assert escape_cell("东山镇") == "东山镇" and escape_cell(5) == 5 and unescape("'plain") == "'plain"
