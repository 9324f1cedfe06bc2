"""Open311 GeoReport v2: reading its documents (JSON or XML) and its requests in date windows.

Documents are read as real servers write them, not only as the specification says:
statuses in any case, empty elements and ``xsi:nil`` for absent values, ids that must
stay strings (zero-padded service codes, 12-digit request ids), numbers or strings or
null for coordinates, and non-standard fields beside the standard ones (kept, and
``extended_attributes`` merged in, for the field mapping to read).
See https://wiki.open311.org/GeoReport_v2.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from xml.etree import ElementTree

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from collectors.errors import SourceError
from collectors.http import get_bytes
from collectors.parsing import iso_utc

MAX_WINDOW_DAYS = 90
"""The longest start_date–end_date span GeoReport servers must answer."""
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
REQUEST_KEYS = ("service_request_id", "requested_datetime", "status")


@dataclass(frozen=True)
class Document:
    """A GeoReport answer: ``requests`` or ``services``, and its items (field → value)."""

    kind: str
    items: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Service:
    """A service type of ``services.json``."""

    code: str
    name: str | None
    group: str | None


def read_document(data: bytes) -> Document:
    """Parse a GeoReport answer, JSON or XML; a :class:`SourceError` when it is neither."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return _xml_document(text)
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise SourceError(f"not JSON or XML ({exc})") from None
    return _json_document(parsed)


def services_of(document: Document) -> dict[str, Service]:
    """The services of a ``services`` document, by code."""
    services = {}
    for item in document.items:
        if isinstance(item, Mapping) and item.get("service_code") not in (None, ""):
            code = str(item["service_code"]).strip()
            services[code] = Service(code, _text(item.get("service_name")), _text(item.get("group")))
    return services


def _text(value: Any) -> str | None:
    return None if value is None or not str(value).strip() else str(value).strip()


def _json_document(parsed: Any) -> Document:
    if isinstance(parsed, Mapping):
        for key in ("service_requests", "requests", "services"):
            if isinstance(parsed.get(key), list):
                parsed = parsed[key]
                break
        else:
            raise SourceError(f"wrong schema: expected a list of service requests or services, got an object "
                              f"with {', '.join(sorted(map(str, parsed))[:5]) or 'no keys'}")
    if not isinstance(parsed, list):
        raise SourceError(f"wrong schema: expected a list of service requests or services, got {type(parsed).__name__}")
    return Document(_kind(parsed), parsed)


def _kind(items: list[Any]) -> str:
    """``services`` when every item is a service type, else ``requests``."""
    objects = [item for item in items if isinstance(item, Mapping)]
    if objects and len(objects) == len(items) and all(
        "service_code" in item and not any(key in item for key in REQUEST_KEYS) for item in objects
    ):
        return "services"
    return "requests"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_value(element: ElementTree.Element) -> Any:
    if element.get(XSI_NIL) == "true":
        return None
    if len(element):
        return {_local(child.tag): _xml_value(child) for child in element}
    return _text(element.text)


def _xml_document(data: bytes) -> Document:
    try:
        root = fromstring(data)
    except ElementTree.ParseError as exc:
        raise SourceError(f"not well-formed XML ({exc})") from None
    except DefusedXmlException as exc:
        raise SourceError(f"XML with entities or a DTD, refused ({exc.__class__.__name__})") from None
    kind = {"service_requests": "requests", "services": "services"}.get(_local(root.tag))
    if kind is None:
        if _local(root.tag) in ("errors", "error"):
            raise SourceError(f"the server answered an error: {' '.join(root.itertext()).strip()[:200]}")
        raise SourceError(f"wrong schema: the XML root is <{_local(root.tag)}>, not <service_requests> or <services>")
    items = [{_local(child.tag): _xml_value(child) for child in element} for element in root]
    return Document(kind, items)


def windows(start: dt.datetime, end: dt.datetime, days: int) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Consecutive (start, end) spans of at most ``days`` days covering ``start``..``end``."""
    step = dt.timedelta(days=days)
    while start < end:
        yield start, min(start + step, end)
        start += step


def read_window(
    http: requests.Session, url: str, start: dt.datetime, end: dt.datetime
) -> Iterator[list[Any]]:
    """The pages of requests made from ``start`` to ``end`` (GET ``url`` with start_date, end_date, page).

    Pages are read until one is empty, brings no request not seen before (a server that
    ignores ``page``), or is shorter than the first.
    """
    seen: set[str] = set()
    first_size = 0
    for page in count(1):
        params = {"start_date": iso_utc(start), "end_date": iso_utc(end), "page": page}
        body = get_bytes(http, url, params)
        try:
            document = read_document(body)
        except SourceError as exc:
            raise SourceError(f"GET {url} (start_date {params['start_date']}, page {page}): {exc}") from None
        if document.kind != "requests":
            raise SourceError(f"GET {url} answered a service list, not service requests")
        ids = {str(item["service_request_id"]) for item in document.items
               if isinstance(item, Mapping) and item.get("service_request_id") is not None}
        if not document.items or (page > 1 and not ids - seen):
            return
        yield document.items
        seen |= ids
        first_size = first_size or len(document.items)
        if len(document.items) < first_size:
            return
