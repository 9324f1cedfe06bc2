"""Complaint line (效能投诉): an Open311 GeoReport v2 server, its documents, or 12345 CSV exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeGuard

from collectors import (
    AlertRule,
    Checkpoint,
    CollectContext,
    Collector,
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
from collectors.collector import Yielded
from collectors.errors import SourceError
from collectors.files import SourceFile, new_files, read_new_files
from collectors.http import get_bytes
from collectors.parsing import LOCAL_TIME, iso_utc, parse_time
from collectors.registry import measured_by
from collectors.tabular import date_orders, read_tables
from collectors.workbook import is_workbook
from models.complaints import Complaint
from models.indicators.complaints import MEASURES
from plugins.complaints_demo import ComplaintsDemo
from plugins.complaints_mapping import TIME_FIELDS, FieldMapping
from plugins.complaints_watch import ALERT_RULES, HEADLINES
from plugins.open311 import MAX_WINDOW_DAYS, Document, read_document, read_window, services_of, windows
from plugins.workorders import HEADERS, checked_header_map, work_orders

DOCUMENT_SUFFIXES = (".json", ".xml")
SUFFIXES = (*DOCUMENT_SUFFIXES, ".csv", ".xlsx")


class Complaints(Collector):
    """Complaints about units' conduct, from the hotline 投诉专线, the online mailbox, the
    政风行风热线 radio programme and letters.

    System: the complaint-handling system, through its Open311 GeoReport v2 endpoint
    (``url``: ``services.json`` once per run, then ``requests.json`` in ``start_date`` /
    ``end_date`` windows of ``window_days``, page by page where the server pages; JSON,
    or XML when the server answers XML); or files in ``path``: GeoReport ``requests``
    and ``services`` documents (JSON or XML, told apart by their shape) and 12345
    work-order or 留言板 exports as CSV or XLSX (工单编号, 受理时间, 诉求类别, 承办单位,
    办结时间 …; every sheet with such a header, title rows above it skipped).

    Settings: ``url`` or ``path``; ``since``, the first day read on a first run (default
    1 January of this year); ``window_days`` (1–90); ``revisit_days``, how far before the
    latest update seen each run reads again; ``service_map``, service_code → a category,
    or a table of ``category``, ``channel``, ``unit`` and ``deadline_days`` (working days);
    ``category_map``, words of the source's categories → 庸懒散慢 / 中梗阻 / 不作为 /
    乱作为 / 服务态度 / 其他 (or a 四乱 word: 乱收费, 乱摊派, 乱罚款, 乱检查);
    ``unit_map``, unit names → unit codes, beside the campaign's names and aliases;
    ``header_map``, extra export headers → fields (``{"信息来源": "channel"}``);
    ``status_map``, ``channel_map`` and ``satisfaction_map``, extra words of those fields;
    ``date_order``, how dates with the year last read (``auto``, ``ymd``, ``mdy``, ``dmy``).

    Caveats: GeoReport's ``start_date``/``end_date`` select by ``requested_datetime``, so
    a request changed later (closed, verified, sent back) is read again only while it is
    within ``revisit_days`` of the latest update seen; the re-read version replaces the
    stored one. Times without a zone are taken as Beijing time. Coordinates of 0 mean
    no geocode. Complaint text, the complainant's name and contact and the exact address
    are stored as personal data, never shown in aggregate. A category, channel, status or
    satisfaction word no table knows is stored as ``unknown`` and counted in the run's
    report; a complaint whose status is unknown does not count as closed. Files already
    read (same content) are skipped until a mapping setting changes or ``storm collect
    complaints --reread``; GeoReport has no closing time, so a closed request without the
    ``closed_datetime`` extension is taken as closed at its ``updated_datetime``.

    Format: https://wiki.open311.org/GeoReport_v2 and docs/complaints.md (the extension
    fields, the mapping, the export headers and the word tables); CSV in any encoding
    Excel writes, or XLSX.
    """

    name = "complaints"
    title = "效能投诉"
    kinds = ("complaint",)
    every_minutes = 15
    settings = (
        Setting("url", str, "", "base URL of the Open311 GeoReport v2 endpoint (services.json, requests.json)"),
        Setting("path", str, "", "GeoReport JSON/XML files or 12345 CSV exports (a file or a folder), instead of url"),
        Setting("since", str, "", "first day to read on a first run (default: 1 January of this year)"),
        Setting("window_days", int, 30, "days per start_date/end_date window (1–90)"),
        Setting("revisit_days", int, 90, "days before the latest update seen that each run reads again"),
        Setting("service_map", dict, {}, "service_code → category, or {category, channel, unit, deadline_days}"),
        Setting("category_map", dict, {}, "source category words → 庸懒散慢/中梗阻/不作为/乱作为/服务态度/其他 or a 四乱"),
        Setting("unit_map", dict, {}, "unit names as the source writes them → unit codes"),
        Setting("header_map", dict, {}, "extra export headers → fields, beside the usual 12345 ones"),
        Setting("status_map", dict, {}, "status words → open / closed, beside the usual ones"),
        Setting("channel_map", dict, {}, "channel words → hotline / mailbox / radio / letter / other"),
        Setting("satisfaction_map", dict, {}, "follow-up answers → satisfied / basically_satisfied / unsatisfied"),
        Setting("date_order", str, "auto", "dates with the year last: auto (decided per column), mdy or dmy"),
    )
    record_settings = ("service_map", "category_map", "unit_map", "header_map", "status_map", "channel_map",
                       "satisfaction_map", "date_order")

    def collect(self, context: CollectContext) -> Iterator[Yielded]:
        mapping = FieldMapping.from_settings(context.settings, context.units, context.unknown_words)
        if context.settings["path"]:
            yield from self._files(context, mapping)
        elif context.settings["url"]:
            yield from self._server(context, mapping)
        else:
            raise SourceError("complaints has neither 'url' nor 'path'; set one in storm.toml or with --set")

    # --- an Open311 server -------------------------------------------------------------

    def _server(self, context: CollectContext, mapping: FieldMapping) -> Iterator[Yielded]:
        base = str(context.settings["url"]).rstrip("/")
        days = context.settings["window_days"]
        if not 1 <= days <= MAX_WINDOW_DAYS:
            raise SourceError(f"window_days must be from 1 to {MAX_WINDOW_DAYS}; got {days}")
        services = read_document(get_bytes(context.http, f"{base}/services.json"))
        if services.kind != "services":
            raise SourceError(f"GET {base}/services.json did not answer a service list")
        mapping = mapping.with_services(services_of(services))
        resume = latest = parse_time(context.cursor.get("updated"))
        for start, end in windows(self._start(context, resume), context.now, days):
            for page in read_window(context.http, f"{base}/requests.json", start, end):
                for item in _records(page, mapping, f"requests from {start:%Y-%m-%d}"):
                    if isinstance(item, Record):
                        seen = item.data["updated_at"] or item.data["received_at"]
                        latest = max(latest or seen, seen)
                    yield item
            if latest is not None:
                # Never past the window read in full, so a failure in the next one loses nothing.
                reached = min(end, latest)
                resume = reached if resume is None else max(resume, reached)
            yield Checkpoint({**context.cursor, **({"updated": iso_utc(resume)} if resume else {})})

    @staticmethod
    def _start(context: CollectContext, latest: dt.datetime | None) -> dt.datetime:
        """Where a run starts: ``revisit_days`` before the latest update seen, not before ``since``."""
        since = parse_time(context.settings["since"]) or dt.datetime(
            context.now.astimezone(LOCAL_TIME).year, 1, 1, tzinfo=LOCAL_TIME
        ).astimezone(dt.UTC)
        if latest is None:
            return since
        return max(since, latest - dt.timedelta(days=context.settings["revisit_days"]))

    # --- files -------------------------------------------------------------------------

    def _files(self, context: CollectContext, mapping: FieldMapping) -> Iterator[Yielded]:
        root = Path(context.settings["path"])
        header_map = checked_header_map(context.settings["header_map"])
        documents = {file.digest: _parsed(file.data) for file in new_files(root, DOCUMENT_SUFFIXES, {}, "path")}
        mapping = mapping.with_services({code: service for document in documents.values() if _is_services(document)
                                         for code, service in services_of(document).items()})
        setting = context.settings["date_order"]

        def read(file: SourceFile) -> Iterator[Record | Rejected]:
            if is_workbook(file.data) or file.name.lower().endswith(".csv"):
                for table in read_tables(file.data, [*HEADERS, *header_map]):
                    where = table.where(file.name)
                    orders = work_orders(table, header_map)
                    requests = [request for _, request in orders.requests]
                    named = {name: f"{where} column {header}" for name, header in orders.headers.items()
                             if name in TIME_FIELDS}
                    dates = date_orders(requests, named, setting, context.notes)
                    for line, request in orders.requests:
                        yield _record(request, mapping, f"{where} line {line}", dates)
                return
            document = documents.get(file.digest) or _parsed(file.data)
            if isinstance(document, SourceError):
                raise document
            if not _is_services(document):
                items = [item for item in document.items if isinstance(item, Mapping)]
                dates = date_orders(items, {name: f"{file.name} {name}" for name in TIME_FIELDS}, setting,
                                    context.notes)
                yield from _records(document.items, mapping, file.name, dates)

        yield from read_new_files(root, SUFFIXES, context, "path", read)


def _parsed(data: bytes) -> Document | SourceError:
    try:
        return read_document(data)
    except SourceError as exc:
        return exc


def _is_services(document: Document | SourceError | None) -> TypeGuard[Document]:
    return isinstance(document, Document) and document.kind == "services"


def _records(items: Iterable[Any], mapping: FieldMapping, where: str,
             orders: Mapping[str, str] | None = None) -> Iterator[Record | Rejected]:
    """A complaint record for each request of a document, or a rejection saying which and why."""
    for number, item in enumerate(items, start=1):
        yield _record(item, mapping, f"{where}, item {number}", orders)


def _record(item: Any, mapping: FieldMapping, where: str, orders: Mapping[str, str] | None = None) -> Record | Rejected:
    if not isinstance(item, Mapping):
        return Rejected(f"{where}: not an object but {type(item).__name__}")
    try:
        return Record("complaint", mapping.complaint(item, orders))
    except (ValueError, TypeError) as exc:
        request_id = item.get("service_request_id")
        return Rejected(f"{where}: {exc}", None if request_id is None else str(request_id))


@hookimpl
def storm_collectors() -> list[type[Complaints]]:
    return [Complaints]


@hookimpl
def storm_record_kinds() -> list[RecordKind]:
    return [RecordKind("complaint", Complaint, "效能投诉")]


@hookimpl
def storm_indicators() -> list[IndicatorSpec]:
    return measured_by(Complaints.name, MEASURES)


@hookimpl
def storm_demo_sources(context: DemoContext) -> list[DemoSource]:
    demo = ComplaintsDemo(context.units, year=context.year, seed=context.seed)
    return [DemoSource(name="效能投诉 (Open311)", mount="/complaints", handler=demo, collector=Complaints.name)]


@hookimpl
def storm_headlines() -> list[Headline]:
    return HEADLINES


@hookimpl
def storm_alert_rules() -> list[AlertRule]:
    return ALERT_RULES
