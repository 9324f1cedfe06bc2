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
from collectors.files import files_read, new_files
from collectors.http import get_bytes
from collectors.parsing import LOCAL_TIME, iso_utc, parse_time
from collectors.registry import measured_by
from collectors.tabular import read_table
from models.complaints import Complaint
from models.indicators.complaints import MEASURES
from plugins.complaints_demo import ComplaintsDemo
from plugins.complaints_mapping import FieldMapping
from plugins.complaints_watch import ALERT_RULES, HEADLINES
from plugins.open311 import MAX_WINDOW_DAYS, Document, read_document, read_window, services_of, windows
from plugins.workorders import header_fields, work_orders

SUFFIXES = (".json", ".xml", ".csv")


class Complaints(Collector):
    """Complaints about units' conduct, from the hotline 投诉专线, the online mailbox, the
    政风行风热线 radio programme and letters.

    System: the complaint-handling system, through its Open311 GeoReport v2 endpoint
    (``url``: ``services.json`` once per run, then ``requests.json`` in ``start_date`` /
    ``end_date`` windows of ``window_days``, page by page where the server pages; JSON,
    or XML when the server answers XML); or files in ``path``: GeoReport ``requests``
    and ``services`` documents (JSON or XML, told apart by their shape) and 12345
    work-order CSV exports (工单编号, 受理时间, 诉求类别, 承办单位, 办结时间 …).

    Settings: ``url`` or ``path``; ``since``, the first day read on a first run (default
    1 January of this year); ``window_days`` (1–90); ``revisit_days``, how far before the
    latest update seen each run reads again; ``service_map``, service_code → a category,
    or a table of ``category``, ``channel``, ``unit`` and ``deadline_days`` (working days);
    ``category_map``, words of the source's categories → 庸懒散慢 / 中梗阻 / 不作为 /
    乱作为 / 服务态度 / 其他 (or a 四乱 word: 乱收费, 乱摊派, 乱罚款, 乱检查);
    ``unit_map``, unit names → unit codes, beside the campaign's names and aliases;
    ``header_map``, extra CSV headers → fields (``{"留言编号": "service_request_id"}``).

    Caveats: GeoReport's ``start_date``/``end_date`` select by ``requested_datetime``, so
    a request changed later (closed, verified, sent back) is read again only while it is
    within ``revisit_days`` of the latest update seen; the re-read version replaces the
    stored one. Times without a zone are taken as Beijing time. Coordinates of 0 mean
    no geocode. Complaint text, the complainant's name and contact and the exact address
    are stored as personal data, never shown in aggregate. CSV files already read (same
    content) are skipped; GeoReport has no closing time, so a closed request without the
    ``closed_datetime`` extension is taken as closed at its ``updated_datetime``.

    Format: https://wiki.open311.org/GeoReport_v2 and docs/complaints.md (the extension
    fields, the mapping and the CSV headers); CSV in any encoding Excel writes.
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
        Setting("header_map", dict, {}, "extra CSV headers → fields, beside the usual 12345 ones"),
    )

    def collect(self, context: CollectContext) -> Iterator[Yielded]:
        mapping = FieldMapping.from_settings(context.settings, context.units)
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
        files = list(new_files(Path(context.settings["path"]), SUFFIXES, {}, "path"))
        documents = {file.name: _parsed(file.data) for file in files if not file.name.lower().endswith(".csv")}
        mapping = mapping.with_services({code: service for document in documents.values() if _is_services(document)
                                         for code, service in services_of(document).items()})
        headers = header_fields(context.settings["header_map"])
        cursor = dict(context.cursor)
        done = cursor.get("files", {})
        for file in files:
            document = documents.get(file.name)
            if done.get(file.name) == file.digest or _is_services(document):
                continue
            try:
                records = _file_records(file.name, file.data, document, mapping, headers)
            except SourceError as exc:
                yield Rejected(f"{file.name}: {exc}")
                continue
            yield from records
            cursor = files_read(cursor, file)
            yield Checkpoint(cursor)


def _parsed(data: bytes) -> Document | SourceError:
    try:
        return read_document(data)
    except SourceError as exc:
        return exc


def _is_services(document: Document | SourceError | None) -> TypeGuard[Document]:
    return isinstance(document, Document) and document.kind == "services"


def _file_records(
    name: str, data: bytes, document: Document | SourceError | None, mapping: FieldMapping, headers: dict[str, str]
) -> list[Record | Rejected]:
    """The records of a GeoReport document, or of a CSV export (``document`` None); a
    :class:`SourceError` when the file cannot be read at all."""
    if isinstance(document, SourceError):
        raise document
    if document is not None:
        return list(_records(document.items, mapping, name))
    return [_record(request, mapping, f"{name} row {number}")
            for number, request in work_orders(read_table(data), headers)]


def _records(items: Iterable[Any], mapping: FieldMapping, where: str) -> Iterator[Record | Rejected]:
    """A complaint record for each request of a document, or a rejection saying which and why."""
    for number, item in enumerate(items, start=1):
        yield _record(item, mapping, f"{where}, item {number}")


def _record(item: Any, mapping: FieldMapping, where: str) -> Record | Rejected:
    if not isinstance(item, Mapping):
        return Rejected(f"{where}: not an object but {type(item).__name__}")
    try:
        return Record("complaint", mapping.complaint(item))
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
