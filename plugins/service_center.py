"""Service centre (政务服务中心): approval items and cases, from its JSON API or CSV exports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from collectors import (
    AlertRule,
    Checkpoint,
    CollectContext,
    DemoContext,
    DemoSource,
    Headline,
    IndicatorSpec,
    Record,
    RecordKind,
    Rejected,
    Setting,
    hookimpl,
)
from collectors.bases import Endpoint, LinkedPagesCollector
from collectors.collector import Yielded
from collectors.errors import SourceError
from collectors.files import files_read, new_files
from collectors.parsing import parse_time
from collectors.registry import measured_by
from collectors.tabular import read_table
from models.indicators.service import MEASURES
from models.service import ApprovalItem, Case
from plugins.service_center_demo import ServiceCenterDemo
from plugins.service_center_watch import ALERT_RULES, HEADLINES

CASE_HEADERS = {
    "办件编号": "external_id",
    "事项编码": "item_id",
    "办理部门": "unit",
    "部门": "unit",
    "服务层级": "point_level",
    "服务点": "point_unit",
    "便民服务中心": "point_unit",
    "申请渠道": "channel",
    "渠道": "channel",
    "受理时间": "accepted_at",
    "承诺办结时间": "due_at",
    "办结时间": "completed_at",
    "补正次数": "supplement_count",
    "评价": "rating",
    "好差评": "rating",
    "代办项目编号": "agency_project_id",
    "代办项目名称": "agency_project_name",
}
"""Headers of a typical 办件 export → fields; the ``field_map`` setting adds to them."""

WORDS = {
    "point_level": {"区级": "district", "区政务服务中心": "district", "乡镇(街道)": "township", "乡镇": "township",
                    "街道": "township", "村(社区)": "village", "村": "village", "社区": "village"},
    "channel": {"窗口": "window", "现场": "window", "网上": "online", "网办": "online", "线上": "online"},
    "rating": {"好评": "good", "满意": "good", "非常满意": "good", "基本满意": "good",
               "差评": "bad", "不满意": "bad", "": None, "未评价": None},
}
"""Chinese words of an export → the values the store keeps (English values pass through)."""


def _word(field: str, value: str | None) -> str | None:
    value = (value or "").strip()
    table = WORDS[field]
    if value in table:
        return table[value]
    if value in table.values():
        return value
    raise ValueError(f"{field} '{value}' is not one of {', '.join(k for k in table if k)}")


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


class ServiceCenter(LinkedPagesCollector):
    """Approval items (事项) and cases (办件) of the district government service centre.

    System: the service centre's case-management system, through the JSON API documented
    in docs/service-center-api.md (``storm demo-sources`` serves an instance), or the CSV
    exports of its 办件 list dropped into a folder.

    Settings: ``url``, the API's base URL (items at ``/api/v1/items``, cases at
    ``/api/v1/cases``); or ``path``, a CSV file or a folder of them; ``page_size``, records
    per API page; ``field_map``, extra export headers → fields (``{"流水号": "external_id"}``).

    Caveats: the API is read incrementally by ``updated_at`` with the record id as
    tie-break, so a case completed or rated later is read again and updated. Department
    and service-point names in exports are matched to campaign units by name, short
    name or alias; unmatched names are kept as given. CSV files already read (same
    content) are skipped.

    Format: docs/service-center-api.md; CSV headers as in ``CASE_HEADERS``, any encoding
    Excel writes (UTF-8 with or without BOM, GBK/GB18030, UTF-16).
    """

    name = "service_center"
    title = "政务服务中心"
    kinds = ("approval_item", "case")
    every_minutes = 10
    settings = (
        Setting("url", str, "", "base URL of the service centre API"),
        Setting("path", str, "", "a CSV export file, or a folder of them, read instead of the API"),
        Setting("page_size", int, 500, "records per API page (1–1000)"),
        Setting("field_map", dict, {}, "extra CSV headers → fields, beside the usual Chinese ones"),
    )

    endpoints = (
        Endpoint("items", "/api/v1/items", "approval_item"),
        Endpoint("cases", "/api/v1/cases", "case"),
    )

    def collect(self, context: CollectContext) -> Iterator[Yielded]:
        if context.settings["path"]:
            yield from self._collect_files(context)
        elif context.settings["url"]:
            yield from super().collect(context)
        else:
            raise SourceError("service_center has neither 'url' nor 'path'; set one in storm.toml or with --set")

    # --- the API -------------------------------------------------------------------

    def first_params(self, position: Mapping[str, Any] | None, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {**(position or {}), "limit": settings["page_size"]}

    def position(self, endpoint: Endpoint, item: Any) -> dict[str, Any]:
        return {"updated_since": item["updated_at"], "after": item["id"]}

    def parse(self, endpoint: Endpoint, item: Any, context: CollectContext) -> dict[str, Any]:
        if endpoint.kind == "approval_item":
            return {
                "external_id": str(item["id"]),
                "name": item["name"],
                "unit_code": context.units.code_for(item["department"]) or item["department"],
                "unit_name": item.get("department_name"),
                "legal_days": _int(item.get("legal_days")),
                "original_promised_days": _int(item.get("original_promised_days")),
                "promised_days": _int(item.get("promised_days")),
                "online": bool(item.get("online")),
                "in_center_required": bool(item.get("in_center_required")),
                "in_center": bool(item.get("in_center")),
                "retained": bool(item.get("retained", True)),
                "updated_at": parse_time(item.get("updated_at")),
            }
        return self._case(item, context)

    def _case(self, item: Mapping[str, Any], context: CollectContext) -> dict[str, Any]:
        completed_at = parse_time(item.get("completed_at"))
        return {
            "external_id": str(item["external_id" if "external_id" in item else "id"]),
            "item_id": str(item["item_id"]),
            "unit_code": context.units.code_for(item.get("department")) or item.get("department"),
            "point_level": _word("point_level", item.get("point_level") or "district"),
            "point_unit_code": context.units.code_for(item.get("point_unit")) or item.get("point_unit") or None,
            "channel": _word("channel", item.get("channel") or "window"),
            "accepted_at": parse_time(item["accepted_at"]),
            "due_at": parse_time(item.get("due_at")),
            "completed_at": completed_at,
            "supplement_count": _int(item.get("supplement_count")) or 0,
            "rating": _word("rating", item.get("rating")),
            "agency_project_id": item.get("agency_project_id") or None,
            "agency_project_name": item.get("agency_project_name") or None,
            "updated_at": parse_time(item.get("updated_at")) or completed_at or parse_time(item["accepted_at"]),
        }

    # --- CSV exports ---------------------------------------------------------------

    def _collect_files(self, context: CollectContext) -> Iterator[Yielded]:
        headers = {**CASE_HEADERS, **context.settings["field_map"]}
        cursor = dict(context.cursor)
        for file in new_files(Path(context.settings["path"]), (".csv",), cursor, "path"):
            try:
                table = read_table(file.data)
            except SourceError as exc:
                yield Rejected(f"{file.name}: {exc}")
                continue
            for line, row in enumerate(table.rows, start=2):
                fields = {headers[h]: v for h, v in row.items() if h in headers}
                fields["department"] = fields.pop("unit", None)
                try:
                    yield Record("case", self._case(fields, context))
                except (KeyError, ValueError) as exc:
                    yield Rejected(f"{file.name} line {line}: {exc}", fields.get("external_id"))
            cursor = files_read(cursor, file)
            yield Checkpoint(cursor)


@hookimpl
def storm_collectors() -> list[type[ServiceCenter]]:
    return [ServiceCenter]


@hookimpl
def storm_record_kinds() -> list[RecordKind]:
    return [
        RecordKind("approval_item", ApprovalItem, "审批事项"),
        RecordKind("case", Case, "办件"),
    ]


@hookimpl
def storm_indicators() -> list[IndicatorSpec]:
    return measured_by(ServiceCenter.name, MEASURES)


@hookimpl
def storm_demo_sources(context: DemoContext) -> list[DemoSource]:
    demo = ServiceCenterDemo(context.units, year=context.year, seed=context.seed)
    return [DemoSource(name="政务服务中心", mount="/service-center", handler=demo, collector=ServiceCenter.name)]



@hookimpl
def storm_headlines() -> list[Headline]:
    return HEADLINES


@hookimpl
def storm_alert_rules() -> list[AlertRule]:
    return ALERT_RULES
