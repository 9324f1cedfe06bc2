"""Service centre (政务服务中心): approval items and cases, from its JSON API or CSV exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collectors import (
    AlertRule,
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
from collectors.files import SourceFile, read_new_files
from collectors.parsing import parse_time
from collectors.registry import measured_by
from collectors.tabular import Table, column_fields, date_orders, read_tables
from collectors.words import WordTable
from models.indicators.service import MEASURES
from models.service import ApprovalItem, Case
from plugins.service_center_demo import ServiceCenterDemo
from plugins.service_center_watch import ALERT_RULES, HEADLINES

SUFFIXES = (".csv", ".xlsx")

CASE_HEADERS = {
    "办件编号": "external_id",
    "办件流水号": "external_id",
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
    "评价结果": "rating",
    "代办项目编号": "agency_project_id",
    "代办项目名称": "agency_project_name",
}
"""Headers of a typical 办件 export → fields; the ``field_map`` setting adds to them."""

CASE_FIELDS = frozenset(CASE_HEADERS.values())
TIME_FIELDS = ("accepted_at", "due_at", "completed_at")
"""The fields of an export holding times, each read in the date order of its column."""

POINT_LEVELS = WordTable("point_level", {
    "区级": "district", "区政务服务中心": "district", "政务服务中心": "district", "县级": "district",
    "区县级": "district", "乡镇(街道)": "township", "乡镇街道": "township", "乡镇": "township", "街道": "township",
    "乡镇(街道)便民服务中心": "township", "便民服务中心": "township", "村(社区)": "village", "村社区": "village",
    "村": "village", "社区": "village", "村(社区)便民服务站": "village", "便民服务站": "village",
    "代办点": "village",
})
CHANNELS = WordTable("channel", {
    "窗口": "window", "现场": "window", "大厅": "window", "线下": "window", "窗口办理": "window",
    "政务服务大厅": "window", "综合窗口": "window", "现场办理": "window",
    "网上": "online", "网办": "online", "线上": "online", "在线": "online", "网上办理": "online",
    "网上申报": "online", "全程网办": "online", "一网通办": "online", "政务服务网": "online", "PC端": "online",
    "电脑端": "online", "移动端": "online", "掌上办": "online", "手机端": "online", "APP": "online",
    "小程序": "online", "微信": "online", "自助终端": "online", "自助机": "online",
})
"""Where a case was applied for. A self-service terminal (自助终端) submits through the online system,
so it counts as online; ``channel_map`` says otherwise where a district counts it as the window."""
RATINGS = WordTable("rating", {
    "好评": "good", "非常满意": "good", "满意": "good", "基本满意": "good",
    "差评": "bad", "不满意": "bad", "非常不满意": "bad",
    "未评价": None, "未评": None, "暂无评价": None,
})
"""The five 好差评 levels (国办发〔2019〕51号): 不满意 and 非常不满意 are 差评, the rest 好评."""


@dataclass(frozen=True)
class CaseWords:
    """The word tables of a run: the defaults with ``level_map``, ``channel_map`` and ``rating_map`` on top."""

    point_level: WordTable
    channel: WordTable
    rating: WordTable

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> CaseWords:
        return cls(POINT_LEVELS.extended(settings["level_map"], "level_map"),
                   CHANNELS.extended(settings["channel_map"], "channel_map"),
                   RATINGS.extended(settings["rating_map"], "rating_map"))


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


class ServiceCenter(LinkedPagesCollector):
    """Approval items (事项) and cases (办件) of the district government service centre.

    System: the service centre's case-management system, through the JSON API documented
    in docs/service-center-api.md (``storm demo-sources`` serves an instance), or the CSV
    and XLSX exports of its 办件 list dropped into a folder.

    Settings: ``url``, the API's base URL (items at ``/api/v1/items``, cases at
    ``/api/v1/cases``); or ``path``, a CSV or XLSX file or a folder of them; ``page_size``,
    records per API page; ``field_map``, extra export headers → fields
    (``{"流水号": "external_id"}``); ``level_map``, ``channel_map`` and ``rating_map``, extra
    words → ``district``/``township``/``village``, ``window``/``online`` and ``good``/``bad``;
    ``date_order``, how dates with the year last read (``auto``, ``ymd``, ``mdy``, ``dmy``).

    Caveats: the API is read incrementally by ``updated_at`` with the record id as
    tie-break, so a case completed or rated later is read again and updated. Department
    and service-point names in exports are matched to campaign units by name, short
    name or alias; unmatched names are kept as given. A word no table knows is stored as
    ``unknown`` and counted in the run's report. Files already read (same content) are
    skipped until a mapping setting changes or ``storm collect service_center --reread``.

    Format: docs/service-center-api.md; export headers as in ``CASE_HEADERS``, CSV in any
    encoding Excel writes (UTF-8 with or without BOM, GBK/GB18030, UTF-16) or XLSX (every
    sheet with a 办件 header, title rows above it skipped).
    """

    name = "service_center"
    title = "政务服务中心"
    kinds = ("approval_item", "case")
    every_minutes = 10
    settings = (
        Setting("url", str, "", "base URL of the service centre API"),
        Setting("path", str, "", "a CSV or XLSX export, or a folder of them, read instead of the API"),
        Setting("page_size", int, 500, "records per API page (1–1000)"),
        Setting("field_map", dict, {}, "extra export headers → fields, beside the usual Chinese ones"),
        Setting("level_map", dict, {}, "service-point level words → district / township / village"),
        Setting("channel_map", dict, {}, "channel words → window / online"),
        Setting("rating_map", dict, {}, "rating words → good / bad (empty: not rated)"),
        Setting("date_order", str, "auto", "dates with the year last: auto (decided per column), mdy or dmy"),
    )
    record_settings = ("field_map", "level_map", "channel_map", "rating_map", "date_order")

    endpoints = (
        Endpoint("items", "/api/v1/items", "approval_item"),
        Endpoint("cases", "/api/v1/cases", "case"),
    )

    words: CaseWords

    def collect(self, context: CollectContext) -> Iterator[Yielded]:
        self.words = CaseWords.from_settings(context.settings)
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

    def _case(self, item: Mapping[str, Any], context: CollectContext,
              orders: Mapping[str, str] | None = None) -> dict[str, Any]:
        def time(name: str) -> dt.datetime | None:
            return parse_time(item.get(name), order=(orders or {}).get(name, "ymd"))

        accepted_at = time("accepted_at")
        if accepted_at is None:
            raise ValueError("no accepted_at (受理时间)")
        if item.get("item_id") in (None, ""):
            raise ValueError("no item_id (事项编码)")
        completed_at = time("completed_at")
        unknown = context.unknown_words
        return {
            "external_id": str(item["external_id" if "external_id" in item else "id"]),
            "item_id": str(item["item_id"]),
            "unit_code": context.units.code_for(item.get("department")) or item.get("department"),
            "point_level": self.words.point_level.value(item.get("point_level"), unknown) or "district",
            "point_unit_code": context.units.code_for(item.get("point_unit")) or item.get("point_unit") or None,
            "channel": self.words.channel.value(item.get("channel"), unknown) or "window",
            "accepted_at": accepted_at,
            "due_at": time("due_at"),
            "completed_at": completed_at,
            "supplement_count": _int(item.get("supplement_count")) or 0,
            "rating": self.words.rating.value(item.get("rating"), unknown),
            "agency_project_id": item.get("agency_project_id") or None,
            "agency_project_name": item.get("agency_project_name") or None,
            "updated_at": parse_time(item.get("updated_at")) or completed_at or accepted_at,
        }

    # --- CSV and XLSX exports --------------------------------------------------------

    def _collect_files(self, context: CollectContext) -> Iterator[Yielded]:
        field_map = context.settings["field_map"]
        for header, name in field_map.items():
            if name not in CASE_FIELDS:
                raise SourceError(f"field_map['{header}'] = '{name}' is not a field; "
                                  f"use one of {', '.join(sorted(CASE_FIELDS))}")
        known = [*CASE_HEADERS, *field_map]

        def read(file: SourceFile) -> Iterator[Yielded]:
            for table in read_tables(file.data, known):
                yield from self._table_cases(table, table.where(file.name), context)

        yield from read_new_files(Path(context.settings["path"]), SUFFIXES, context, "path", read)

    def _table_cases(self, table: Table, where: str, context: CollectContext) -> Iterator[Yielded]:
        columns = column_fields(table.header, CASE_HEADERS, context.settings["field_map"], "field_map")
        if "external_id" not in columns.values():
            raise SourceError(f"{table.in_sheet}no 办件编号 column (the header is {', '.join(table.header[:8])}); "
                              "name the id column in field_map, e.g. {\"流水号\": \"external_id\"}")
        rows = []
        for row in table.rows:
            fields: dict[str, Any] = {}
            for header, name in columns.items():
                if row.get(header) and not fields.get(name):
                    fields[name] = row[header]
            fields["department"] = fields.pop("unit", None)
            rows.append(fields)
        named = {name: f"{where} column {header}" for header, name in reversed(columns.items()) if name in TIME_FIELDS}
        orders = date_orders(rows, named, context.settings["date_order"], context.notes)
        for line, fields in zip(table.lines, rows, strict=True):
            try:
                yield Record("case", self._case(fields, context, orders))
            except (KeyError, ValueError) as exc:
                yield Rejected(f"{where} line {line}: {exc}", fields.get("external_id"))


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
