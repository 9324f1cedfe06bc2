"""12345-style work-order exports (工单) as GeoReport requests, for the complaint field mapping.

A CSV or XLSX export's headers are mapped onto the field names of a GeoReport request and its
extension fields (``FIELDS``); each row then goes through the same mapping as a request
read from an Open311 server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from collectors.errors import SourceError
from collectors.tabular import Table, column_fields

HEADERS = {
    "工单编号": "service_request_id",
    "受理时间": "requested_datetime",
    "来源渠道": "channel",
    "受理渠道": "channel",
    "诉求类别": "category",
    "工单标题": "subject",
    "诉求标题": "subject",
    "诉求内容": "description",
    "被投诉单位": "unit",
    "承办单位": "unit",
    "办理时限": "deadline",
    "办结时限": "deadline",
    "办结时间": "closed_datetime",
    "办理状态": "status",
    "办理意见": "status_notes",
    "回访满意度": "satisfaction",
    "是否属实": "verified",
    "查实情况": "verified",
    "处理结果": "outcome",
    "发回重办次数": "rehandled",
    "退回次数": "rehandled",
    "诉求人": "name",
    "联系电话": "phone",
    "诉求地址": "address",
    "事发地址": "address",
    "工单状态": "status",
    "处理状态": "status",
    "信息来源": "channel",
    "问题分类": "category",
    "满意度": "satisfaction",
    "留言编号": "service_request_id",
    "留言时间": "requested_datetime",
    "留言主题": "subject",
    "留言详情": "description",
    "留言用户": "name",
    "答复意见": "outcome",
    "答复时间": "closed_datetime",
}
"""Headers of a common 12345 work-order or 留言板 export → fields; the ``header_map`` setting adds to them."""

FIELDS = frozenset({
    "service_request_id", "requested_datetime", "status", "status_notes", "service_code", "service_name",
    "description", "agency_responsible", "updated_datetime", "expected_datetime", "address", "zipcode",
    "channel", "category", "unit", "deadline", "closed_datetime", "verified", "outcome", "satisfaction",
    "rehandled", "subject", "name", "phone", "email",
})
"""The fields a header can be mapped to: GeoReport's own and the extension fields the mapping reads."""


def checked_header_map(header_map: Mapping[str, str]) -> Mapping[str, str]:
    """``header_map``, when every header in it goes to a field; a :class:`SourceError` names a wrong field."""
    for header, name in header_map.items():
        if name not in FIELDS:
            raise SourceError(f"header_map['{header}'] = '{name}' is not a field; "
                              f"use one of {', '.join(sorted(FIELDS))}")
    return header_map


@dataclass(frozen=True)
class WorkOrders:
    """The requests of a table, each with its line, and the header each field came from."""

    requests: list[tuple[int, dict[str, str]]]
    headers: dict[str, str]


def work_orders(table: Table, header_map: Mapping[str, str]) -> WorkOrders:
    """A request for each row of ``table``, its columns mapped by :data:`HEADERS` and ``header_map``
    (:func:`collectors.tabular.column_fields`); a :class:`SourceError` if no column gives the id."""
    mapped = column_fields(table.header, HEADERS, header_map, "header_map")
    if "service_request_id" not in mapped.values():
        raise SourceError(f"{table.in_sheet}no 工单编号 column (the header is {', '.join(table.header[:8])}); "
                          "name the id column in header_map, e.g. {\"留言编号\": \"service_request_id\"}")
    requests = []
    for line, row in zip(table.lines, table.rows, strict=True):
        request: dict[str, str] = {}
        for header, name in mapped.items():
            if row.get(header) and not request.get(name):
                request[name] = row[header]
        requests.append((line, request))
    headers: dict[str, str] = {}
    for header, name in mapped.items():
        headers.setdefault(name, header)
    return WorkOrders(requests, headers)
