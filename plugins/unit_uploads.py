"""Unit uploads (单位上报): the ledgers only offices know, and a folder they can be dropped into.

The twelve templates of the campaign (docs: ``shared/design/campaign.md``, "Upload
templates"); the upload page and ``storm upload`` take them, and so does the
``uploads`` collector for files dropped into its inbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from collectors import (
    CollectContext,
    Collector,
    Column,
    FileUpload,
    RecordKind,
    Rejected,
    Setting,
    UploadTemplate,
    hookimpl,
)
from collectors.collector import Yielded
from collectors.errors import SourceError
from collectors.files import SourceFile, read_new_files
from collectors.upload_problems import bad_drop_name
from collectors.uploads import MAX_FILE_BYTES, UPLOADS_SOURCE
from models.uploads import UploadedFile

UNIT = Column("unit", "单位", "unit", required=True)
DATE = Column("date", "日期", "date", required=True)
COMPLAINT_CATEGORIES = ("庸懒散慢", "中梗阻", "不作为", "乱作为", "服务态度", "其他")

ACTIVITY_TYPES = (
    "动员部署大会", "宣传专栏", "回头看活动", "党性教育", "理想信念教育", "思想解放讨论", "民主生活会",
    "作风剖析会", "典型示范教育", "业务讲座", "知识测试", "技能比武", "庆典", "研讨会", "论坛", "热线节目",
    "整改方案", "修订完善制度", "六查六看", "自查自验报告",
)
"""The activity types of campaign.md, plus the duties that are documents: two of the five required
actions (整改方案, 修订完善制度), the 六查六看 self-check and the 自查自验 report of the campaign's phases."""

TEMPLATES = [
    UploadTemplate(
        "activities", "活动台账",
        (UNIT, DATE,
         Column("type", "类型", "choice", required=True, choices=ACTIVITY_TYPES),
         Column("name", "名称", required=True),
         Column("participants", "参加人数", "int", min=0),
         Column("passed", "通过人数", "int", min=0, not_above="participants", help="知识测试的及格人数"),
         Column("status", "状态", "choice", choices=("已完成", "计划中", "已取消")),
         Column("note", "备注")),
        unit_column="unit", period="month", period_field="date", key=("unit", "date", "type", "name"),
        feeds=("1", "3", "10", "12", "X"), description="本单位开展的各项活动，每项一行",
    ),
    UploadTemplate(
        "badges", "挂牌上岗",
        (UNIT, DATE,
         Column("on_duty", "在岗人数", "int", required=True, min=0),
         Column("badged", "挂牌人数", "int", required=True, min=0, not_above="on_duty")),
        unit_column="unit", period="month", period_field="date", key=("unit", "date"), feeds=("2",),
        description="窗口和执法岗位挂牌上岗情况",
    ),
    UploadTemplate(
        "inspections", "明察暗访",
        (DATE,
         Column("unit", "被查单位", "unit", required=True),
         Column("problem_type", "问题类型", "choice", required=True, choices=COMPLAINT_CATEGORIES),
         Column("description", "问题描述", required=True),
         Column("rectified", "是否整改", "yesno", required=True),
         Column("rectified_on", "整改日期", "date", not_below="date")),
        unit_column="unit", row_unit="any", period="month", period_field="date",
        key=("date", "unit", "problem_type", "description"), feeds=("2", "13"),
        description="明察暗访发现的问题及整改情况",
    ),
    UploadTemplate(
        "honours", "表彰",
        (UNIT, DATE,
         Column("title", "称号", "choice", required=True,
                choices=("优质服务窗口", "岗位明星", "服务标兵", "巾帼文明岗", "青年岗位能手")),
         Column("recipient", "对象", required=True, help="获表彰的窗口、科室或个人")),
        unit_column="unit", period="year", period_field="date", key=("unit", "title", "recipient"), feeds=("3",),
    ),
    UploadTemplate(
        "disclosures", "公开目录",
        (UNIT,
         Column("catalog", "目录名称", required=True),
         Column("items", "事项数", "int", required=True, min=0),
         Column("published_on", "公开日期", "date", required=True),
         Column("url", "网址")),
        unit_column="unit", period="campaign", key=("unit", "catalog"), feeds=("9",),
        description="本单位发布的办事公开目录",
    ),
    UploadTemplate(
        "appraisals", "民主评议",
        (Column("unit", "被评单位", "unit", required=True),
         Column("category", "评议类别", "choice", required=True, choices=("政风行风评议", "民主测评")),
         Column("rater", "评议人类别", required=True, help="如 服务对象、人大代表、政协委员"),
         Column("score", "得分", "number", required=True, min=0, max=100),
         DATE),
        unit_column="unit", row_unit="any", period="year", period_field="date", key=("unit", "category", "rater"),
        feeds=("11", "X"), description="政风行风评议和民主测评的得分",
    ),
    UploadTemplate(
        "power_lists", "执法清单",
        (UNIT,
         Column("item", "执法事项", required=True),
         Column("basis", "依据", required=True),
         Column("discretion", "自由裁量基准", "yesno", required=True, choices=("有", "无")),
         Column("published_on", "公布日期", "date", required=True)),
        unit_column="unit", period="campaign", key=("unit", "item"), feeds=("16",),
        description="公布的行政执法权力清单",
    ),
    UploadTemplate(
        "task_breakdown", "任务分解",
        (Column("task_no", "任务编号", "int", required=True, min=1),
         UNIT,
         Column("owner", "责任人", required=True),
         Column("milestone", "节点", required=True),
         Column("planned_on", "计划完成日期", "date", required=True),
         Column("done_on", "实际完成日期", "date"),
         Column("status", "状态", "choice", required=True, choices=("未开始", "进行中", "已完成"))),
        unit_column="unit", period="campaign", key=("task_no", "unit", "milestone"), feeds=("17",),
        description="本单位承担任务的分解和完成节点",
    ),
    UploadTemplate(
        "rectification", "整改台账",
        (UNIT,
         Column("problem", "问题", required=True),
         Column("measure", "措施", required=True),
         Column("goal", "目标", required=True),
         Column("deadline", "时限", "date", required=True),
         Column("owner", "责任人", required=True),
         Column("status", "状态", "choice", required=True, choices=("未开始", "整改中", "已完成")),
         Column("done_on", "完成日期", "date"),
         Column("effect", "整改效果", help="整改后取得的实际效果"),
         Column("effect_checked", "效果核验", "yesno", help="领导小组办公室督查是否核验了整改效果（是/否）")),
        unit_column="unit", period="campaign", key=("unit", "problem"), feeds=("11", "X"),
        description="整改工作台账：每个问题一行，整改进展变化后重新上报整份台账",
    ),
    UploadTemplate(
        "accountability", "问责记录",
        (DATE, UNIT,
         Column("subject_kind", "对象类别", required=True, help="如 单位、领导干部、一般干部"),
         Column("method", "方式", "choice", required=True,
                choices=("效能告诫", "诫勉谈话", "通报批评", "降低考核等次", "待岗", "调整岗位", "党纪政纪处分")),
         Column("reason", "事由", required=True),
         Column("complaint_ids", "关联投诉编号", help="多个编号用逗号分隔")),
        unit_column="unit", row_unit="any", period="month", period_field="date", feeds=("13", "14", "18"),
    ),
    UploadTemplate(
        "monitoring_points", "监测点",
        (Column("enterprise", "企业", required=True),
         Column("supervisor", "监督员", required=True),
         Column("set_up_on", "设立日期", "date", required=True),
         Column("reported_on", "报告日期", "date", not_below="set_up_on"),
         Column("problems", "反映问题数", "int", required=True, min=0)),
        row_unit="any", period="campaign", key=("enterprise", "reported_on"), feeds=("15",),
        description="重点企业效能监测点及其反映的问题",
    ),
    UploadTemplate(
        "commitments", "公开承诺",
        (UNIT,
         Column("person", "姓名", required=True),
         Column("content", "承诺内容", required=True),
         Column("channel", "公开方式", required=True, help="如 公示栏、门户网站、媒体"),
         DATE),
        unit_column="unit", period="campaign", key=("unit", "person", "content"), feeds=("X",),
    ),
]


DROP_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls")
"""Files the inbox reads: ledgers, and the workbooks it refuses by name (macros, Excel 97–2003)."""


class UnitUploads(Collector):
    """Ledger files that offices send by other means (e-mail, a shared drive), dropped into a folder.

    System: an inbox folder on the server, filled by hand or by a mail or sync job.

    Settings: ``inbox``, the folder; each file in it is named
    ``<template>__<unit code>__<period>.csv`` or ``.xlsx``, e.g.
    ``activities__dsz__2026-06.xlsx`` (the period is ``campaign`` for ledgers reported
    once), or ``<template>__<unit code>.xlsx`` for a cumulative ledger whose rows' dates
    give their months or years; ``every_minutes``, how often the folder is looked at.

    Caveats: a file goes through the same validation as an upload on the page and is
    stored as uploaded by the command line's operator; a file with any problem (or one
    that breaks the reader, or a workbook with macros, which is not kept) stores nothing
    and is counted as rejected with its reason, and the others are stored. Files already
    read (same name and content), rejected ones too, are skipped until they change, so
    nothing needs moving; a changed file is read again and replaces the unit's rows for
    its periods. Without an ``inbox`` the collector does nothing.

    Format: the upload templates (``storm templates``; blanks from ``storm template T``),
    CSV in any encoding Excel writes or XLSX.
    """

    name = UPLOADS_SOURCE
    title = "单位上报"
    kinds = ("uploaded_file",)
    every_minutes = 10
    settings = (Setting("inbox", str, "", "folder of files named <template>__<unit code>__<period>.csv|xlsx"),)

    @classmethod
    def stale_after(cls, settings: Mapping[str, Any]) -> dt.timedelta | None:
        """Ledgers come when offices send them: stale by the clock only when an inbox is read on a schedule."""
        return super().stale_after(settings) if settings["inbox"] else None

    def collect(self, context: CollectContext) -> Iterator[Yielded]:
        if not context.settings["inbox"]:
            return
        inbox = Path(context.settings["inbox"])
        if not inbox.is_dir():
            raise SourceError(f"inbox {inbox} is not a folder; set uploads' 'inbox' to the folder files are dropped in")
        yield from read_new_files(inbox, DROP_SUFFIXES, context, "inbox", _dropped, max_bytes=MAX_FILE_BYTES)


def _dropped(file: SourceFile) -> Iterator[Yielded]:
    """A file of the inbox as an upload: its name gives the template, the unit and, optionally, the period."""
    parts = file.name.rsplit(".", 1)[0].split("__")
    if len(parts) not in (2, 3):
        yield Rejected(bad_drop_name(file.name))
        return
    template, unit, *period = parts
    yield FileUpload(template, unit, period[0] if period else None, filename=file.name, data=file.data)


@hookimpl
def storm_upload_templates() -> list[UploadTemplate]:
    return TEMPLATES


@hookimpl
def storm_collectors() -> list[type[Collector]]:
    return [UnitUploads]


@hookimpl
def storm_record_kinds() -> list[RecordKind]:
    return [RecordKind("uploaded_file", UploadedFile, "单位上报文件")]
