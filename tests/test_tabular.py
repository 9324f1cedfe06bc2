"""Reading tables from CSV and XLSX: headers below title rows, every sheet with a known header,
headers compared without spaces, mapping keys checked, quotes that never close."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from collectors.errors import SourceError
from collectors.tabular import UnbalancedQuote, column_fields, header_key, read_tables


def test_a_quote_that_swallows_the_next_lines_is_refused_with_the_line_it_opens():
    text = 'id,名称,数量\n1,"多行\n说明",2\n2,"坏,3\n3,正常,4\n4,"又一个,5\n5,x,6\n'
    with pytest.raises(UnbalancedQuote) as raised:
        read_tables(text.encode("utf-8"), ["id"])
    assert raised.value.line == 4, "the quote of line 4 closes in line 6, not where its cell ends"
    never_closes = 'id,名称\n1,a\n2,"b\n3,c\n'
    with pytest.raises(UnbalancedQuote) as raised:
        read_tables(never_closes.encode("gb18030"), ["id"])
    assert raised.value.line == 3 and "line 3" in str(raised.value)


def test_quoted_cells_over_several_lines_are_fine():
    (table,) = read_tables('id,详情\n1,"a\n\tb"\n2,"he said ""hi"""\n'.encode(), ["id"])
    assert table.rows == [{"id": "1", "详情": "a\n\tb"}, {"id": "2", "详情": 'he said "hi"'}]
    assert table.lines == [2, 4]


def test_the_header_below_title_rows_in_csv():
    text = "某区12345工单导出\n导出时间：2026-04-01\n\n工单编号,受理时间\nGD1,2026/3/2\n"
    (table,) = read_tables(text.encode("utf-8-sig"), ["工单编号", "受理时间"])
    assert (table.header, table.rows, table.lines, table.sheet) == (
        ["工单编号", "受理时间"], [{"工单编号": "GD1", "受理时间": "2026/3/2"}], [5], None)


def test_every_sheet_with_a_known_header_and_cells_as_text():
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "三月"
    first.append(["办件明细"])
    first.merge_cells("A1:C1")
    first.append(["办件\n编号", "受理 时间", "补正次数"])
    first.append([1002, dt.datetime(2026, 3, 5, 9, 30), 1.0])
    first.append([None, None, None])
    first.append(["BJ2", 46086.375, 0.5])
    workbook.create_sheet("说明").append(["本表由系统导出"])
    workbook.create_sheet("四月").append(["办件编号"])
    workbook["四月"].append(["BJ3"])
    data = io.BytesIO()
    workbook.save(data)

    march, april = read_tables(data.getvalue(), ["办件编号", "受理时间"])

    assert (march.sheet, march.header, march.lines) == ("三月", ["办件\n编号", "受理 时间", "补正次数"], [3, 5])
    assert march.rows[0] == {"办件\n编号": "1002", "受理 时间": "2026-03-05 09:30:00", "补正次数": "1"}
    assert march.rows[1] == {"办件\n编号": "BJ2", "受理 时间": "46086.375", "补正次数": "0.5"}
    assert (april.sheet, april.rows, april.where("x.xlsx")) == ("四月", [{"办件编号": "BJ3"}], "x.xlsx sheet 四月")


def test_headers_compare_without_spaces_line_breaks_and_full_width_forms():
    assert header_key("信息 来源") == header_key("信息\n来源") == header_key("信息来源") == header_key("*信息来源")
    assert header_key("乡镇（街道）") == header_key("乡镇(街道)")


def test_mapping_keys_are_checked_against_the_header():
    header = ["工单编号", "信息 来源渠道", "受理时间"]
    defaults = {"工单编号": "id", "受理时间": "received"}
    assert column_fields(header, defaults, {"信息来源渠道": "channel"}, "header_map") == {
        "信息 来源渠道": "channel", "工单编号": "id", "受理时间": "received"}
    with pytest.raises(SourceError, match=r"no column 信息来源 \(header_map\); did you mean 信息 来源渠道\?"):
        column_fields(header, defaults, {"信息来源": "channel"}, "header_map")
    with pytest.raises(SourceError, match="no column 投诉人电话 .*; the header is 工单编号, 信息 来源渠道, 受理时间"):
        column_fields(header, defaults, {"投诉人电话": "phone"}, "header_map")
    assert column_fields(header, defaults, {"时间": "received"}, "header_map") == {
        "工单编号": "id", "受理时间": "received"}, "another column gives the field: no error"
