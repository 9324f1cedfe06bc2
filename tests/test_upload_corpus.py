"""Bad files, each with the message a clerk gets, and the proof that none of them stores anything.

Every case runs on a store that already holds ledgers; after the attempt every ledger
table is unchanged, and only the audit log and one ``rejected`` upload record are new.
Then the quirks of real office files that must pass.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl
import pytest
from sqlalchemy import func, select

from collectors.uploads import MAX_FILE_BYTES, MAX_ROWS, ingest
from collectors.workbook import MAX_UNPACKED_BYTES
from models.audit import AuditEntry
from models.uploads import UploadedFile
from tests.hostile_uploads import formulas
from tests.upload_samples import SAMPLES, csv_file, ledger_snapshot, sample_xlsx, stored_rows, text_table, xlsx_file

HEADER = ["单位", "日期", "类型", "名称", "参加人数", "通过人数", "状态", "备注"]
GOOD = ["东山镇", "2026-06-05", "动员部署大会", "全镇动员会", "120", "", "已完成", ""]


def activities(*changes: dict[str, str], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    """An activities CSV: one row per ``changes`` (header → cell), each on top of a good row."""
    rows = [[change.get(name, cell) for name, cell in zip(HEADER, GOOD, strict=True)] for change in changes]
    positions = [HEADER.index(name) for name in header]
    return csv_file([header] + [[row[i] for i in positions] for row in rows], encoding)


def formula_workbook() -> bytes:
    return xlsx_file([HEADER, ["东山镇", dt.date(2026, 6, 5), "知识测试", "测试", "=10*8", 70, "已完成", None]])


def zip_named_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "这不是工作簿")
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A small workbook-looking archive that unpacks to more than the limit."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/sharedStrings.xml", "w") as member:
            for _ in range(MAX_UNPACKED_BYTES // 2**20 + 1):
                member.write(bytes(2**20))
    return buffer.getvalue()


def badges(on_duty: str, badged: str) -> bytes:
    return csv_file([["单位", "日期", "在岗人数", "挂牌人数"], ["东山镇", "2026-06-30", on_duty, badged]])


@dataclass(frozen=True)
class Case:
    data: bytes | Callable[[], bytes]
    expected: list[tuple[int | None, str | None, str]]  # row, column, words of the message
    template: str = "activities"
    filename: str = "ledger.csv"


CASES = {
    "wrong template": Case(
        badges("12", "12"),
        [(None, "类型", "缺少这一必填列"), (None, "名称", "缺少这一必填列"), (None, None, "与“挂牌上岗”（badges）模板相符")],
    ),
    "missing required column": Case(
        activities({}, header=["单位", "类型", "名称", "参加人数"]), [(None, "日期", "缺少这一必填列；请使用下载的模板")]
    ),
    "column twice": Case(activities({}, header=["单位", "日期", "日期", "类型", "名称"]), [(1, "日期", "出现了不止一次")]),
    "unknown unit": Case(activities({"单位": "东山乡"}), [(2, "单位", "“东山乡”不是本次行动的单位")]),
    "another unit's row": Case(
        activities({}, {"单位": "西河镇", "名称": "西河镇的会"}), [(3, "单位", "“西河镇”不是本单位（东山镇）")]
    ),
    "bad date": Case(activities({"日期": "2026/13/1"}), [(2, "日期", "“2026/13/1”不是有效日期，应为 2026-03-05 这样的日期")]),
    "date outside the period": Case(activities({"日期": "2026-07-01"}), [(2, "日期", "不在上报期间 2026-06 内")]),
    "a year is not a date": Case(activities({"日期": "2026"}), [(2, "日期", "“2026”不是有效日期")]),
    "value out of range": Case(
        csv_file([["被评单位", "评议类别", "评议人类别", "得分", "日期"], ["市场监管局", "民主测评", "群众", "105", "2026-11-02"]]),
        [(2, "得分", "“105”大于 100，应不大于 100")], template="appraisals",
    ),
    "not an allowed value": Case(activities({"类型": "茶话会"}), [(2, "类型", "“茶话会”不是允许的值，应为“动员部署大会”")]),
    "negative count": Case(activities({"参加人数": "-5"}), [(2, "参加人数", "“-5”小于 0")]),
    "not a whole number": Case(activities({"参加人数": "十二"}, {"参加人数": "12.5", "名称": "二"}),
                               [(2, "参加人数", "不是整数"), (3, "参加人数", "“12.5”不是整数")]),
    "passed more than took part": Case(
        activities({"类型": "知识测试", "参加人数": "40", "通过人数": "50"}),
        [(2, "通过人数", "“50”大于“参加人数”（40），应不大于参加人数")],
    ),
    "more badged than on duty": Case(badges("10", "11"), [(2, "挂牌人数", "大于“在岗人数”（10）")], template="badges"),
    "required cell empty": Case(activities({"名称": " "}), [(2, "名称", "必填，不能为空")]),
    "not yes or no": Case(
        csv_file([["日期", "被查单位", "问题类型", "问题描述", "是否整改"], ["2026-06-03", "公安局", "中梗阻", "推诿", "也许"]]),
        [(2, "是否整改", "“也许”无法识别，应为“是”或“否”")], template="inspections",
    ),
    "rectified before found": Case(
        csv_file([["日期", "被查单位", "问题类型", "问题描述", "是否整改", "整改日期"],
                  ["2026-06-13", "公安局", "中梗阻", "推诿", "是", "2026-06-03"]]),
        [(2, "整改日期", "“2026-06-03”早于“日期”（2026-06-13）")], template="inspections",
    ),
    "unknown unit in a cross-unit ledger": Case(
        csv_file([["日期", "被查单位", "问题类型", "问题描述", "是否整改"], ["2026-06-03", "不存在局", "其他", "x", "否"]]),
        [(2, "被查单位", "“不存在局”不是本次行动的单位")], template="inspections",
    ),
    "duplicate rows": Case(activities({}, {}), [(3, None, "与第2行完全相同（重复行）")]),
    "same record twice": Case(
        activities({}, {"参加人数": "99"}), [(3, None, "与第2行的“单位”、“日期”、“类型”、“名称”相同，同一条记录只能填一行")]
    ),
    "text too long": Case(activities({"备注": "长" * 2001}), [(2, "备注", "有 2001 个字，超过了 2000 字的上限")]),
    "empty file": Case(b"", [(None, None, "文件是空的")]),
    "only a BOM and empty cells": Case("\ufeff\r\n,,,,\r\n".encode(), [(None, None, "文件是空的")]),
    "header only": Case(activities(), [(None, None, "表头下面没有数据行")]),
    "no header at all": Case("东山镇六月活动\n开了会\n".encode(), [(None, None, "找不到表头（应有“单位”、“日期”、“类型”、“名称”等列名）")]),
    "binary file (a PNG)": Case(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
                                [(None, None, "这不是表格文件")]),
    "huge file": Case(lambda: activities({}) + b"x" * MAX_FILE_BYTES, [(None, None, "超过了 5 MB 的上限")]),
    "too many rows": Case(
        lambda: activities(*({"名称": f"会议{i}"} for i in range(MAX_ROWS + 1))), [(None, None, "数据超过 10000 行的上限")]
    ),
    "formula cell": Case(formula_workbook, [(2, "参加人数", "是公式，但文件里没有保存它的计算结果")], filename="ledger.xlsx"),
    "formulas saved without values": Case(lambda: formulas(cached=False),
                                          [(2, "参加人数", "是公式，但文件里没有保存它的计算结果"),
                                           (2, "通过人数", "是公式，但文件里没有保存它的计算结果")], filename="ledger.xlsx"),
    "a ZIP renamed .xlsx": Case(zip_named_xlsx, [(None, None, "不是有效的 Excel 工作簿")], filename="ledger.xlsx"),
    "a ZIP bomb": Case(zip_bomb, [(None, None, "工作簿解压后超过 105 MB")], filename="ledger.xlsx"),
    "text named .xlsx": Case(activities({}), [(None, None, "不是有效的 Excel 工作簿")], filename="ledger.xlsx"),
    "old .xls": Case(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), [(None, None, "旧版 Excel 文件")], filename="a.xls"),
    "wrong encoding (Big5)": Case(
        "單位,日期,類型,名稱\n東山鎮,2026-06-05,黨性教育,學習\n".encode("big5"), [(None, None, "找不到表头")]
    ),
    "broken UTF-8 after a BOM": Case(b"\xef\xbb\xbf\xe5\x8d\x95\xff\xfe,x\n", [(None, None, "无法识别文件的文字编码")]),
}


def _seed(store, registry) -> None:
    """Ledgers already stored, so that "unchanged" means something."""
    for template_id in ("activities", "inspections", "badges"):
        sample = SAMPLES[template_id]
        data = csv_file(text_table(registry.upload_template(template_id), sample.rows))
        with store.begin() as session:
            result = ingest(session, registry, template_id, sample.unit, sample.period, "seed.csv", data, None)
            assert result.status == "stored", result.problems


def _counts(session) -> tuple[int, int]:
    return session.scalar(select(func.count(UploadedFile.id))), session.scalar(select(func.count(AuditEntry.id)))


@pytest.mark.parametrize("name", CASES)
def test_a_bad_file_is_reported_and_stores_nothing(store, registry, name: str):
    case = CASES[name]
    data = case.data() if callable(case.data) else case.data
    sample = SAMPLES[case.template]
    _seed(store, registry)
    with store.begin() as session:
        before, (uploads, audits) = ledger_snapshot(session), _counts(session)
    with store.begin() as session:
        result = ingest(session, registry, case.template, sample.unit, sample.period, case.filename, data, None)
    assert (result.status, result.rows_stored) == ("rejected", 0)
    found = [(p.row, p.column, p.message) for p in result.problems]
    for row, column, words in case.expected:
        assert any((r, c) == (row, column) and words in m for r, c, m in found), found
    with store.begin() as session:
        assert ledger_snapshot(session) == before
        assert _counts(session) == (uploads + 1, audits + 1)
        kept = session.scalars(select(UploadedFile).order_by(UploadedFile.id.desc())).first()
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (kept.status, kept.rows, kept.size) == ("rejected", 0, len(data))
    assert kept.problems == [p.as_json() for p in result.problems]
    assert kept.content == (data if len(data) <= MAX_FILE_BYTES else b"")
    assert (entry.action, entry.ok, entry.detail["status"]) == ("upload", False, "rejected")


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25


def test_problems_are_capped_and_counted(store, registry):
    data = activities(*({"日期": "bad", "名称": f"会{i}"} for i in range(150)))
    with store.begin() as session:
        result = ingest(session, registry, "activities", "dsz", "2026-06", "many.csv", data, None)
    assert len(result.problems) == 101
    assert result.problems[-1].message.startswith("另有 50 个问题未列出")


# --- quirks that must pass ------------------------------------------------------------------

SERIAL = (dt.date(2026, 6, 5) - dt.date(1899, 12, 30)).days


def quirk_workbook() -> bytes:
    return xlsx_file(
        [HEADER, ["东山镇", SERIAL, "知识测试", "测试", 120, 100.0, "已完成", None],
         ["东山镇", dt.datetime(2026, 6, 6, 9, 30), "党性教育", 2026, "  ", None, None, 12345]],
        title="东山镇 2026年6月 活动台账", trailing_empty=200,
    )


QUIRKS = {
    "full-width digits and spaces": (
        activities({"单位": "\u3000东山镇\u3000", "日期": "２０２６/６/５", "参加人数": "１２０"}),
        {"unit": "dsz", "date": dt.date(2026, 6, 5), "participants": 120},
    ),
    "Excel serial date in a CSV": (activities({"日期": str(SERIAL)}), {"date": dt.date(2026, 6, 5)}),
    "Chinese date": (activities({"日期": "2026年6月5日"}), {"date": dt.date(2026, 6, 5)}),
    "date with a time": (activities({"日期": "2026/6/5 0:00:00"}), {"date": dt.date(2026, 6, 5)}),
    "thousands separator and 12.0": (activities({"参加人数": "1,200", "通过人数": "12.0", "类型": " 知识测试 "}),
                                     {"participants": 1200, "passed": 12, "type": "知识测试"}),
    "unit by alias, short name or code": (activities({"单位": "dsz"}), {"unit": "dsz"}),
    "a title row, spaced headers and an extra column": (
        csv_file([["东山镇6月活动台账"], ["单 位", "日　期", "类型", "名称", "联系人"], ["东山镇", "2026-6-5", "论坛", "x", "张"]]),
        {"type": "论坛", "participants": None},
    ),
    "trailing empty rows": (activities({}) + b",,,,,,,\r\n" * 300, {"name": "全镇动员会"}),
    "a formula-like text cell is data": (activities({"备注": '=HYPERLINK("http://x","点")'}),
                                         {"note": '=HYPERLINK("http://x","点")'}),
    "XLSX serial, time, numbers in text columns": (quirk_workbook(), {"date": dt.date(2026, 6, 5), "passed": 100}),
    "formulas saved with their values (as Excel saves them)": (formulas(cached=True),
                                                              {"participants": 80, "passed": 72}),
}


@pytest.mark.parametrize("name", QUIRKS)
def test_quirks_of_real_office_files_pass(store, registry, name: str):
    data, expected = QUIRKS[name]
    filename = "ledger.xlsx" if data.startswith(b"PK") else "ledger.csv"
    with store.begin() as session:
        result = ingest(session, registry, "activities", "dsz", "2026-06", filename, data, None)
        assert result.status == "stored", [p.text for p in result.problems]
        first = stored_rows(session, registry.upload_template("activities"))[0]
    assert {key: first[key] for key in expected} == expected


def test_extra_columns_are_ignored_with_a_note(store, registry):
    data, _ = QUIRKS["a title row, spaced headers and an extra column"]
    with store.begin() as session:
        result = ingest(session, registry, "activities", "dsz", "2026-06", "a.csv", data, None)
    assert result.notes == ["模板中没有“联系人”列，这些列已忽略"]


def test_a_workbook_keeps_numbers_typed_in_text_columns_as_text(store, registry):
    with store.begin() as session:
        ingest(session, registry, "activities", "dsz", "2026-06", "a.xlsx", quirk_workbook(), None)
        second = stored_rows(session, registry.upload_template("activities"))[1]
    assert (second["name"], second["note"], second["date"]) == ("2026", "12345", dt.date(2026, 6, 6))


def test_a_sample_workbook_reads_row_numbers_below_its_title(store, registry):
    template = registry.upload_template("activities")
    rows = [dict(SAMPLES["activities"].rows[0], participants=-1)]
    with store.begin() as session:
        result = ingest(session, registry, "activities", "dsz", "2026-06", "a.xlsx",
                        sample_xlsx(template, rows, title="活动台账"), None)
    assert [(p.row, p.column) for p in result.problems] == [(3, "参加人数")]


def test_openpyxl_sees_the_formula_the_test_writes():
    sheet = openpyxl.load_workbook(io.BytesIO(formula_workbook())).active
    assert sheet["E2"].data_type == "f"
