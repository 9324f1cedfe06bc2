"""What a clerk is told about an uploaded file: problems with row and column, all the wording in one place.

Row numbers are the ones the clerk sees in Excel (the header row of a plain file is 1).
Every message names what was found and what is expected instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

EXAMPLE_DATE = "2026-03-05"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file; ``row`` and ``column`` are None when it concerns the whole file."""

    row: int | None
    column: str | None
    message: str

    @property
    def text(self) -> str:
        """The problem as one line, e.g. ``第5行“日期”：“2026/13/1”不是有效日期…``."""
        if self.row is not None and self.column:
            return f"第{self.row}行“{self.column}”：{self.message}"
        if self.row is not None:
            return f"第{self.row}行：{self.message}"
        if self.column:
            return f"“{self.column}”列：{self.message}"
        return self.message

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileProblem(Exception):
    """The file cannot be read as a table of the template at all."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(problem.text for problem in problems))
        self.problems = list(problems)


def file_problem(message: str) -> FileProblem:
    return FileProblem(Problem(None, None, message))


def _quoted(values: Iterable[str]) -> str:
    return "、".join(f"“{escaped(value)}”" for value in values)


def escaped(text: str) -> str:
    """``text`` with control characters (terminal escapes, bells, line breaks) written as ``\\x1b`` and the like."""
    return "".join(
        char.encode("unicode_escape").decode("ascii") if unicodedata.category(char) == "Cc" else char for char in text
    )


def shown(value: Any) -> str:
    """A cell's value as the clerk typed it, for quoting in a message (control characters escaped)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return escaped(str(value))


# --- the file as a whole -------------------------------------------------------------------

EMPTY_FILE = "文件是空的，请在下载的模板中填好数据后再上传"
BINARY_FILE = "这不是表格文件（像是图片或其他二进制文件），请上传 CSV 或 Excel 工作簿（.xlsx）"
NOT_TEXT = "无法识别文件的文字编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 Excel 工作簿（.xlsx）"
NOT_WORKBOOK = "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名；请用 Excel 重新另存为 .xlsx"
OLD_EXCEL = "这是旧版 Excel 文件（.xls），请在 Excel 中另存为 Excel 工作簿（.xlsx）或 CSV 后再上传"
NO_DATA_ROWS = "表头下面没有数据行；请至少填写一行后再上传"
NOT_CSV = "文件不是有效的 CSV 表格；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 Excel 工作簿（.xlsx）"
MACROS = "工作簿中带有宏（VBA 代码），出于安全考虑不予接收，也不保存；请在 Excel 中另存为不带宏的“Excel 工作簿（.xlsx）”后再上传"
WORKBOOK_PROBLEMS = {
    "old_excel": OLD_EXCEL,
    "not_workbook": NOT_WORKBOOK,
    "macros": MACROS,
}


def workbook_refused(kind: str, detail: Mapping[str, Any]) -> str:
    """Why a workbook is not read, by the kind :class:`collectors.workbook.WorkbookError` names."""
    limit = detail.get("limit")
    if kind == "too_big_unpacked" and isinstance(limit, int):
        return too_big_unpacked(limit)
    if kind == "too_big_part" and isinstance(limit, int):
        return f"工作簿中有一个工作表或共享字符串表解压后超过 {limit / 1e6:.0f} MB，远多于一份台账；请删去多余的内容后另存再上传"
    if kind == "too_large_area" and isinstance(limit, int):
        return (f"工作表的数据区域跨了 {detail.get('area', 0):,} 个单元格（上限 {limit:,}），多半是很远处还有零星内容；"
                "请删去数据区域以外的行和列后再上传")
    return WORKBOOK_PROBLEMS.get(kind, NOT_WORKBOOK)


def read_sheet(sheet: str) -> str:
    return f"读取的是工作表“{escaped(sheet)}”（前面的工作表没有这个模板的表头）；行号是这个工作表中的行号"


def sheet_too_long(sheet: str, limit: int) -> str:
    return f"工作表“{escaped(sheet)}”从第一行到最后一行超过 {limit} 行（可能夹着大量空行）；请删去多余的行后再上传"


def unbalanced_quote(line: int) -> str:
    return (f"第{line}行有一个英文双引号（\"）没有配对，它后面的内容会被并进一个单元格；"
            "请把这个引号删掉或改成中文引号，或在 Excel 中另存为 CSV 后再上传")


def huge_cell(limit: int, cell_limit: int) -> str:
    return f"文件中有单元格超过 {limit} 个字，远超一个单元格 {cell_limit} 字的上限；请检查是否把整份材料粘进了一个单元格"


def read_failed(reason: str) -> str:
    return f"读取文件时出错，文件没有入库（{reason}）；请在 Excel 中另存为 .xlsx 或 CSV UTF-8 后重新上传，如仍出错请联系管理员"


def not_storable(reason: str) -> str:
    return f"数据库拒绝保存这个文件的数据，文件没有入库（{reason}）；请核对数值的大小和文字的长度后重新上传"


def too_big(size: int, limit: int) -> str:
    return f"文件有 {size / 1e6:.1f} MB，超过了 {limit / 1e6:.0f} MB 的上限；请拆分成几个文件或删去多余内容"


def too_big_unpacked(limit: int) -> str:
    return f"工作簿解压后超过 {limit / 1e6:.0f} MB，里面的内容远多于一份台账；请删去多余的工作表或内容后再上传"


def too_many_rows(limit: int) -> str:
    return f"数据超过 {limit} 行的上限；请拆分成几个文件上传"


MISSING_COLUMN = "缺少这一必填列；请使用下载的模板，不要删改表头"


def no_header(headers: Sequence[str], rows_searched: int) -> str:
    return (
        f"在前 {rows_searched} 行中找不到表头（应有{_quoted(headers[:4])}等列名）；"
        "请使用下载的模板，不要改动表头；若表头是乱码，请在 Excel 中另存为“CSV UTF-8”或 .xlsx"
    )


def other_template(title: str, template_id: str) -> str:
    return f"这个文件的表头与“{title}”（{template_id}）模板相符，是不是选错了模板？"


def repeated_column(header: str) -> str:
    return f"表头中“{header}”出现了不止一次；请删去多余的一列"


def ignored_columns(headers: Sequence[str]) -> str:
    return f"模板中没有{_quoted(headers)}列，这些列已忽略"


def more_problems(count: int) -> str:
    return f"另有 {count} 个问题未列出；请先改正上面的问题"


# --- cells ---------------------------------------------------------------------------------

REQUIRED = "必填，不能为空"
NUL_CHARACTER = "含有空字符（\\x00），数据库无法保存；请删去这个字符后再上传"
UNCACHED_FORMULA = ("是公式，但文件里没有保存它的计算结果（文件不是用 Excel 保存的）；"
                    "请在 Excel 中打开并保存后再上传，或把公式换成数值（复制后“选择性粘贴 → 数值”）")


def too_long(length: int, limit: int) -> str:
    return f"有 {length} 个字，超过了 {limit} 字的上限"


def beyond_storage(value: Any, minimum: int, maximum: int) -> str:
    return f"“{shown(value)}”超出了能保存的范围（{minimum} 到 {maximum}），请核对这个数"


def not_finite(value: Any) -> str:
    return f"“{shown(value)}”太大，不是能保存的数；请核对这个数"


def not_integer(value: Any) -> str:
    return f"“{shown(value)}”不是整数，应为 0、1、2 这样的整数"


def not_number(value: Any) -> str:
    return f"“{shown(value)}”不是数字，应为 90 或 92.5 这样的数"


def not_date(value: Any) -> str:
    return f"“{shown(value)}”不是有效日期，应为 {EXAMPLE_DATE} 这样的日期"


def not_choice(value: Any, choices: Sequence[str]) -> str:
    return f"“{shown(value)}”不是允许的值，应为{_quoted(choices)}之一"


def not_yes_no(value: Any, words: Sequence[str]) -> str:
    return f"“{shown(value)}”无法识别，应为“{words[0]}”或“{words[1]}”"


def unknown_unit(value: Any) -> str:
    return f"“{shown(value)}”不是本次行动的单位，应为单位全称、简称或代码（如“东山镇”）"


def below(value: Any, minimum: float) -> str:
    return f"“{shown(value)}”小于 {shown(minimum)}，应不小于 {shown(minimum)}"


def above(value: Any, maximum: float) -> str:
    return f"“{shown(value)}”大于 {shown(maximum)}，应不大于 {shown(maximum)}"


def more_than(value: Any, other_header: str, other_value: Any) -> str:
    return f"“{shown(value)}”大于“{other_header}”（{shown(other_value)}），应不大于{other_header}"


def less_than(value: Any, other_header: str, other_value: Any) -> str:
    return f"“{shown(value)}”小于“{other_header}”（{shown(other_value)}），应不小于{other_header}"


def earlier_than(value: Any, other_header: str, other_value: Any) -> str:
    return f"“{value}”早于“{other_header}”（{other_value}），应不早于{other_header}"


def later_than(value: Any, other_header: str, other_value: Any) -> str:
    return f"“{value}”晚于“{other_header}”（{other_value}），应不晚于{other_header}"


def other_unit(value: Any, own_name: str) -> str:
    return f"“{shown(value)}”不是本单位（{own_name}）；这个模板只能填报本单位的数据"


def outside_period(value: Any, period: str) -> str:
    return f"“{value}”不在上报期间 {period} 内；请只填这个期间的数据，或选择正确的期间"


def identical_row(first_row: int) -> str:
    return f"与第{first_row}行完全相同（重复行），请删去一行"


def same_key(first_row: int, headers: Sequence[str]) -> str:
    return f"与第{first_row}行的{_quoted(headers)}相同，同一条记录只能填一行"


# --- the request -----------------------------------------------------------------------------


def not_your_unit(username: str, unit_name: str) -> str:
    return f"账号“{username}”无权为“{unit_name}”上报：单位账号只能为本单位上报"


def admins_only(title: str) -> str:
    return f"“{title}”涉及多个单位，只有管理员账号可以上报"


def unknown_upload_unit(value: str) -> str:
    return f"“{escaped(value)}”不是本次行动的单位；请给出单位代码（如 dsz）、全称或简称"


def bad_period(value: str, kind: str) -> str:
    example = {"month": "2026-06", "year": "2026"}.get(kind, "campaign")
    return f"上报期间“{escaped(value)}”不对，应为 {example} 这样的写法"


def bad_drop_name(filename: str) -> str:
    return (f"文件名“{escaped(filename)}”不对，应为 <模板>__<单位代码>__<期间>.csv 或 .xlsx，如 activities__dsz__2026-06.xlsx；"
            "按月或按年上报的台账可以不写期间（如 activities__dsz.xlsx），各行按日期归入各自的期间")


def login_failed(username: str) -> str:
    return f"以“{username}”登录失败：账号或密码不对，或账号已停用、暂时锁定"


# --- what became of a file ---------------------------------------------------------------------

ALREADY_UPLOADED = "这个文件已经上传过，没有重复入库"


def stored(rows: int, replaced: int, periods: Sequence[str] = (), replaced_periods: Sequence[str] = ()) -> str:
    """What was stored; ``periods`` named when the rows' dates gave them (with those that replaced earlier rows)."""
    if not periods:
        return f"已入库 {rows} 行" + (f"，替换了先前上报的 {replaced} 行" if replaced else "")
    text = f"已入库 {rows} 行，按各行日期分属 {len(periods)} 个期间：{'、'.join(periods)}"
    if replaced_periods:
        return text + f"；替换了 {'、'.join(replaced_periods)} 先前上报的 {replaced} 行，其他期间的数据不变"
    return text + "；这些期间此前没有上报过数据"


def dated_periods(periods: Sequence[str]) -> str:
    return f"按各行日期分属 {len(periods)} 个期间：{'、'.join(periods)}；提交后替换本单位这些期间先前上报的数据，其他期间不变"


def rejected(count: int) -> str:
    return f"文件没有入库：发现 {count} 个问题，改正后请重新上传"


# --- the blank template's 说明 sheet ---------------------------------------------------------

NOTES_HEADER = ("列名", "类型", "必填", "允许的值", "说明")
TYPE_NAMES = {
    "text": "文本", "int": "整数", "number": "数值", "date": f"日期（如 {EXAMPLE_DATE}）",
    "choice": "下拉选项", "unit": "单位（全称、简称或代码）", "yesno": "是/否",
}
PERIOD_NOTES = {
    "month": "每月上报一次；重新上报同一月份会替换该月已上报的数据",
    "year": "每年上报一次；重新上报同一年度会替换该年度已上报的数据",
    "campaign": "整个行动期间上报一份；重新上报会替换已上报的数据",
}
ROW_UNIT_NOTES = {"own": "每一行的单位都必须是本单位", "any": "可填报多个单位的数据，只有管理员账号可以上报"}
ANY_UNIT = "本次行动的任一单位"
OWN_UNIT = "本单位"


def relation(header: str, above: bool, dates: bool) -> str:
    """``不大于“参加人数”``, ``不早于“日期”`` and the like."""
    word = ("不晚于" if dates else "不大于") if above else ("不早于" if dates else "不小于")
    return f"{word}“{header}”"
CHOICE_ERROR_TITLE = "不是允许的值"
CHOICE_ERROR = "请从下拉列表中选择"


def value_range(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"{shown(minimum)}–{shown(maximum)}"
    if minimum is not None:
        return f"不小于 {shown(minimum)}"
    return f"不大于 {shown(maximum)}" if maximum is not None else ""
