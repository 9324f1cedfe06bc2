"""Sample ledgers for the upload tests: good rows of every template, and files of them as offices make them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.templates import Column, UploadTemplate
from models.base import Base

D = dt.date
UNIT_NAMES = {"dsz": "东山镇", "xhz": "西河镇", "scjgj": "区市场监督管理局", "gafj": "公安局", "cgzfj": "城管执法局", "jwjcj": "jwjcj"}
"""How the samples write each unit: by full name, alias, short name or code."""


@dataclass(frozen=True)
class Sample:
    """Who uploads a template's sample, for which period, and its rows (field → value as stored)."""

    unit: str
    period: str
    rows: list[dict[str, Any]]


SAMPLES: dict[str, Sample] = {
    "activities": Sample("dsz", "2026-06", [
        dict(unit="dsz", date=D(2026, 6, 5), type="动员部署大会", name="全镇作风建设动员部署大会", participants=120,
             passed=None, status="已完成", note=None),
        dict(unit="dsz", date=D(2026, 6, 12), type="知识测试", name="效能知识测试", participants=80, passed=72,
             status="已完成", note="闭卷考试"),
        dict(unit="dsz", date=D(2026, 6, 20), type="党性教育", name="党性教育专题课", participants=45, passed=None,
             status=None, note=None),
    ]),
    "badges": Sample("dsz", "2026-06", [dict(unit="dsz", date=D(2026, 6, 30), on_duty=12, badged=11)]),
    "inspections": Sample("jwjcj", "2026-06", [
        dict(date=D(2026, 6, 3), unit="scjgj", problem_type="庸懒散慢", description="窗口人员上班时间玩手机",
             rectified=True, rectified_on=D(2026, 6, 10)),
        dict(date=D(2026, 6, 17), unit="gafj", problem_type="服务态度", description="对群众咨询敷衍推诿",
             rectified=False, rectified_on=None),
    ]),
    "honours": Sample("dsz", "2026", [
        dict(unit="dsz", date=D(2026, 5, 20), title="优质服务窗口", recipient="便民服务中心社保窗口"),
    ]),
    "disclosures": Sample("dsz", "campaign", [
        dict(unit="dsz", catalog="东山镇办事公开目录", items=86, published_on=D(2026, 6, 15),
             url="http://dsz.example.gov.cn/gk"),
    ]),
    "appraisals": Sample("jwjcj", "2026", [
        dict(unit="scjgj", category="政风行风评议", rater="服务对象", score=92.5, date=D(2026, 10, 20)),
        dict(unit="gafj", category="民主测评", rater="人大代表", score=88.0, date=D(2026, 11, 25)),
    ]),
    "power_lists": Sample("scjgj", "campaign", [
        dict(unit="scjgj", item="食品生产经营许可检查", basis="《食品安全法》第八十七条", discretion=True,
             published_on=D(2026, 6, 18)),
        dict(unit="scjgj", item="广告违法行为查处", basis="《广告法》第五十五条", discretion=False,
             published_on=D(2026, 6, 18)),
    ]),
    "task_breakdown": Sample("dsz", "campaign", [
        dict(task_no=1, unit="dsz", owner="张三", milestone="召开动员部署大会", planned_on=D(2026, 6, 10),
             done_on=D(2026, 6, 8), status="已完成"),
        dict(task_no=17, unit="dsz", owner="李四", milestone="上报任务分解表", planned_on=D(2026, 7, 15),
             done_on=None, status="进行中"),
    ]),
    "rectification": Sample("dsz", "campaign", [
        dict(unit="dsz", problem="办事指南更新不及时", measure="每月核对更新", goal="指南准确率100%",
             deadline=D(2026, 8, 31), owner="王五", status="整改中", done_on=None, effect=None, effect_checked=None),
    ]),
    "accountability": Sample("jwjcj", "2026-06", [
        dict(date=D(2026, 6, 21), unit="cgzfj", subject_kind="一般干部", method="效能告诫", reason="工作日迟到",
             complaint_ids="TS-2026-0012"),
    ]),
    "monitoring_points": Sample("jwjcj", "campaign", [
        dict(enterprise="某某食品有限公司", supervisor="赵六", set_up_on=D(2026, 6, 5), reported_on=D(2026, 6, 30),
             problems=2),
        dict(enterprise="某某建材厂", supervisor="钱七", set_up_on=D(2026, 6, 5), reported_on=None, problems=0),
    ]),
    "commitments": Sample("dsz", "campaign", [
        dict(unit="dsz", person="孙八", content="办事不超过承诺时限", channel="公示栏", date=D(2026, 6, 10)),
    ]),
}


def _date_text(day: dt.date, style: int) -> str:
    return (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日")[style % 3]


def cell_text(column: Column, value: Any, style: int = 0) -> str:
    """A value as a clerk types it; dates in the three usual styles by ``style``."""
    if value is None:
        return ""
    if column.type == "date":
        return _date_text(value, style)
    if column.type == "yesno":
        return (column.words or ())[0 if value else 1]
    if column.type == "unit":
        return UNIT_NAMES[value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_value(column: Column, value: Any) -> Any:
    """A value as a workbook holds it: dates as dates, numbers as numbers."""
    if column.type in ("date", "int", "number") or value is None:
        return value
    return cell_text(column, value)


def text_table(template: UploadTemplate, rows: Sequence[dict[str, Any]], style: int = 0) -> list[list[str]]:
    """The header and rows as text; each row's dates in another style, starting at ``style``."""
    return [template.headers] + [
        [cell_text(column, row[column.field], style + index) for column in template.columns]
        for index, row in enumerate(rows)
    ]


def csv_file(table: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    """A CSV as Excel writes it; UTF-16 ("Unicode text") is tab-separated."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t" if encoding == "utf-16" else ",", lineterminator="\r\n").writerows(table)
    return buffer.getvalue().encode(encoding)


def xlsx_file(table: Sequence[Sequence[Any]], title: str | None = None, trailing_empty: int = 0) -> bytes:
    """A workbook: an optional merged title row, then the table, then formatted empty rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(table[0]))
    for row in table:
        sheet.append(list(row))
    for row in range(sheet.max_row + 1, sheet.max_row + 1 + trailing_empty):
        sheet.cell(row=row, column=1).font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sample_xlsx(template: UploadTemplate, rows: Sequence[dict[str, Any]], title: str | None = None) -> bytes:
    table = [template.headers] + [[cell_value(c, row[c.field]) for c in template.columns] for row in rows]
    return xlsx_file(table, title=title, trailing_empty=30)


def stored_rows(session: Session, template: UploadTemplate, upload_id: int | None = None) -> list[dict[str, Any]]:
    """The ledger's rows (of one upload, if given) as the samples write them (fields only), in upload order."""
    table = template.table
    fields = [table.c[column.field] for column in template.columns]
    query = select(*fields).order_by(table.c.id)
    if upload_id is not None:
        query = query.where(table.c.upload_id == upload_id)
    return [dict(row) for row in session.execute(query).mappings()]


def ledger_snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table."""
    tables = [table for name, table in Base.metadata.tables.items() if name.startswith("ledger_")]
    return {table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr) for table in tables}
